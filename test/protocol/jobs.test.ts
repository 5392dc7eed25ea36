// The job boundary, both sides: every argv the extension's argument builders make (for every
// method and option combination) parses with the very option spec the CLI command uses, and runs
// through the client's own process launcher (client/src/jobs/cliProcess.ts) on the CLI bundle to
// a successful `result` event whose data has the command's result type. This is what catches a
// builder passing an option the CLI refuses (as --layer-keep for shortcut/regular once did).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { parseArgs, type CommandSpec } from '../../cli/args';
import { CHANNEL_ARGS, LAYER_ARGS } from '../../cli/commands/prune';
import { SWEEP_ARGS } from '../../cli/commands/sweep';
import { PRUNE_METHODS } from '../../core/src/prune/plan';
import {
  jobResult,
  pruneChannelArgs,
  pruneLayerArgs,
  sweepArgs,
  type ChannelPruneJob,
  type JobEvent,
  type JobResults,
  type LayerPruneJob,
  type SweepJob,
} from '../../core/src/protocol/jobs';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { startCli } from '../../client/src/jobs/cliProcess';
import { REPO } from '../corpus';

let dir = '';
let cfg = '',
  weights = '';
let outCount = 0;
const freshOut = () => join(dir, `out-${++outCount}`);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-job-args-'));
  // The CLI as the extension runs it: <extension>/cli/out/cli.js, built by the project's build.
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, `node esbuild.mjs failed:\n${build.stderr}`);
  const text = readFileSync(join(REPO, 'examples', 'residual-detector.cfg'), 'utf8')
    .replace('width=256', 'width=64')
    .replace('height=256', 'height=64');
  cfg = join(dir, 'm.cfg');
  weights = join(dir, 'm.weights');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  writeFileSync(weights, serializeWeights(net, synthesizeWeights(net)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs argv as the extension does (startCli adds --json-events) and returns the events and exit code. */
async function runJob(args: string[]): Promise<{ code: number | null; events: JobEvent[]; log: string }> {
  const events: JobEvent[] = [];
  const log: string[] = [];
  const run = startCli(
    { extensionPath: REPO },
    { args, cwd: dir },
    (e) => events.push(e),
    (l) => log.push(l),
  );
  const { code, stderr } = await run.done;
  return { code, events, log: `${log.join('\n')}\n${stderr}` };
}

async function expectResult<C extends keyof JobResults>(command: C, args: string[]): Promise<JobResults[C]> {
  const r = await runJob(args);
  assert.equal(r.code, 0, `darknet-pruner ${args.join(' ')} failed:\n${r.log}`);
  const result = r.events.find((e) => e.type === 'result');
  assert.ok(result && result.type === 'result', 'a result event');
  assert.equal(result.command, command);
  const data = jobResult(command, result.data);
  assert.ok(data, `the result has the ${command} result type`);
  return data;
}

/** The flags as the command's parser sees them (long names, after aliases). */
function parsed(args: string[], skip: number, spec: CommandSpec) {
  const p = parseArgs(args.slice(skip), spec);
  return { positionals: p.positionals, flags: Object.fromEntries(p.flags) };
}

const channelJobs = (): ChannelPruneJob[] => {
  const jobs: ChannelPruneJob[] = [];
  for (const method of PRUNE_METHODS) {
    for (const layerKeep of method === 'slim' ? [undefined, 0.05] : [undefined]) {
      for (const thenShortcuts of [undefined, 2]) {
        for (const name of [undefined, 'custom']) {
          const methodOptions = method === 'slim' ? { method, ...(layerKeep !== undefined ? { layerKeep } : {}) } : { method };
          jobs.push({
            cfg: '',
            weights: '',
            globalPercent: 0.5,
            out: '',
            ...methodOptions,
            ...(thenShortcuts !== undefined ? { thenShortcuts } : {}),
            ...(name ? { name } : {}),
          });
        }
      }
    }
  }
  return jobs;
};

test(
  'prune channel: every method and option combination parses as the CLI parses it and runs to a result',
  { timeout: 240_000 },
  async () => {
    const jobs = channelJobs();
    assert.equal(jobs.length, 16);
    for (const template of jobs) {
      const job = { ...template, cfg, weights, out: freshOut() };
      const args = pruneChannelArgs(job);
      assert.deepEqual(args.slice(0, 2), ['prune', 'channel']);
      const expected: Record<string, string> = { 'global-percent': '0.5', method: job.method, o: job.out };
      if (job.method === 'slim' && job.layerKeep !== undefined) expected['layer-keep'] = String(job.layerKeep);
      if (job.thenShortcuts !== undefined) expected['then-shortcuts'] = String(job.thenShortcuts);
      if (job.name !== undefined) expected.name = job.name;
      assert.deepEqual(parsed(args, 2, CHANNEL_ARGS), { positionals: [cfg, weights], flags: expected });
      const data = await expectResult('prune channel', args);
      assert.equal(data.out, job.out);
      const stage = data.report.stages[0];
      assert.ok(stage.stage === 'channel');
      assert.equal(stage.method, job.method);
      assert.equal(stage.parameters.layerKeep, job.method === 'slim' ? (job.layerKeep ?? 0.01) : null);
      assert.equal(data.report.kind, job.thenShortcuts !== undefined ? 'channel+layer' : 'channel');
      assert.ok(data.files[0].endsWith(`${job.name ?? 'm-pruned'}.cfg`), data.files[0]);
    }
  },
);

test('a layer_keep given for shortcut or regular (untyped callers) is not passed on', () => {
  for (const method of ['shortcut', 'regular'] as const) {
    const args = pruneChannelArgs({
      cfg: 'a.cfg',
      weights: 'a.weights',
      globalPercent: 0.5,
      out: 'o',
      method,
      layerKeep: 0.3,
    } as unknown as ChannelPruneJob);
    assert.ok(!args.includes('--layer-keep'), args.join(' '));
    const sweep = sweepArgs({ cfg: 'a.cfg', weights: 'a.weights', method, layerKeep: 0.3 } as unknown as SweepJob);
    assert.ok(!sweep.includes('--layer-keep'), sweep.join(' '));
  }
});

test(
  'prune layer: cfg + weights and a pruned folder, with and without a name, parse and run to a result',
  { timeout: 120_000 },
  async () => {
    const first = await expectResult(
      'prune channel',
      pruneChannelArgs({ cfg, weights, globalPercent: 0.3, method: 'slim', out: freshOut() }),
    );
    const sources: LayerPruneJob['source'][] = [{ cfg, weights }, { prunedDir: first.out }];
    for (const source of sources) {
      for (const name of [undefined, 'cut']) {
        const job: LayerPruneJob = { source, shortcuts: 2, out: freshOut(), ...(name ? { name } : {}) };
        const args = pruneLayerArgs(job);
        assert.deepEqual(args.slice(0, 2), ['prune', 'layer']);
        assert.deepEqual(parsed(args, 2, LAYER_ARGS), {
          positionals: 'prunedDir' in source ? [source.prunedDir] : [cfg, weights],
          flags: { shortcuts: '2', o: job.out, ...(name ? { name } : {}) },
        });
        const data = await expectResult('prune layer', args);
        assert.equal(data.report.kind, 'layer');
        assert.equal(data.out, job.out);
        assert.ok(data.files[0].endsWith(`${name ?? 'm-pruned'}.cfg`), data.files[0]);
      }
    }
  },
);

test('sweep: every method, layer_keep and range combination parses and runs to a result', { timeout: 120_000 }, async () => {
  const methods = [undefined, ...PRUNE_METHODS];
  let runs = 0;
  for (const method of methods) {
    for (const layerKeep of method === undefined || method === 'slim' ? [undefined, 0.05] : [undefined]) {
      for (const percents of [undefined, '0.3:0.6:0.15']) {
        const job = {
          cfg,
          weights,
          ...(method ? { method } : {}),
          ...(layerKeep !== undefined ? { layerKeep } : {}),
          ...(percents ? { percents } : {}),
        } as SweepJob;
        const args = sweepArgs(job);
        const flags: Record<string, string> = {};
        if (percents) flags.percents = percents;
        if (method) flags.method = method;
        if (layerKeep !== undefined) flags['layer-keep'] = String(layerKeep);
        assert.deepEqual(parsed(args, 1, SWEEP_ARGS), { positionals: [cfg, weights], flags });
        const data = await expectResult('sweep', args);
        runs++;
        assert.equal(data.method, method ?? 'slim');
        assert.equal(data.points.length, percents ? 3 : 46);
        if (layerKeep !== undefined) assert.equal(data.layerKeep, layerKeep);
      }
    }
  }
  assert.equal(runs, 12);
});

test('sweep with evaluation: --data, --limit and --runtime parse as the CLI parses them', () => {
  // Running them needs a dataset and a TensorFlow.js or ONNX runtime: test/prune/sweep-eval.test.ts runs --data.
  for (const runtime of [undefined, 'tfjs', 'onnx'] as const) {
    for (const limit of [undefined, 5]) {
      const args = sweepArgs({
        cfg,
        weights,
        percents: '0.5:0.9:0.1',
        data: 'obj.data',
        ...(limit ? { limit } : {}),
        ...(runtime ? { runtime } : {}),
      });
      assert.deepEqual(parsed(args, 1, SWEEP_ARGS), {
        positionals: [cfg, weights],
        flags: { percents: '0.5:0.9:0.1', data: 'obj.data', ...(limit ? { limit: '5' } : {}), ...(runtime ? { runtime } : {}) },
      });
    }
  }
  assert.deepEqual(sweepArgs({ cfg, weights, limit: 5, runtime: 'onnx' }), ['sweep', cfg, weights], 'evaluation options only with --data');
});

test('jobResult refuses data of another shape', () => {
  assert.equal(jobResult('sweep', { out: 'x', files: [], report: {} }), undefined);
  assert.equal(jobResult('prune channel', { points: [], rule: '' }), undefined);
  assert.equal(jobResult('prune layer', null), undefined);
  assert.equal(jobResult('sweep', 'text'), undefined);
});
