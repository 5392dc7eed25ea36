// The extension's `train` argv (core/src/protocol/train.ts), each run through the client's own
// process launcher (client/src/jobs/cliProcess.ts) on the CLI bundle: from scratch and from weights,
// with --batch, sparsity in every prune mode, fine-tuning a pruned folder, and --resume with more
// epochs. Each ends in a `result` event of TrainJobResult's shape, and the run folder it wrote reads
// back through the dashboard's run reader as the kind of run the builder asked for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import type { JobEvent } from '../../core/src/protocol/jobs';
import { resumeArgs, trainArgs, trainResult, type TrainJob, type TrainJobResult } from '../../core/src/protocol/train';
import { PRUNE_METHODS } from '../../core/src/prune/plan';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { startCli } from '../../client/src/jobs/cliProcess';
import { runView } from '../../client/src/training/runData';
import { ensureCliBuilt, runCli } from '../cli/run';
import { REPO } from '../corpus';
import { tinyCfg } from '../train/darknet-fixture';

let dir = '',
  cfg = '',
  weights = '',
  data = '';
let outCount = 0;
const freshOut = () => join(dir, `run-${++outCount}`);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-train-args-'));
  ensureCliBuilt();
  const text = tinyCfg({ batch: 2, lr: 0.001, maxBatches: 100 });
  cfg = join(dir, 'tiny.cfg');
  weights = join(dir, 'tiny.weights');
  writeFileSync(cfg, text);
  writeFileSync(weights, serializeWeights(analyseText(text), synthesizeWeights(analyseText(text))));
  // 5 images, 1 to valid: 4 training images, batch 2 → 2 steps per epoch.
  const r = runCli(
    ['data', 'synth', '-o', join(dir, 'set'), '--classes', '2', '--images', '5', '--size', '64', '--seed', '5', '--valid-fraction', '0.2'],
    dir,
  );
  assert.equal(r.code, 0, r.err);
  data = join(dir, 'set', 'obj.data');
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function train(args: string[]): Promise<{ result: TrainJobResult; events: JobEvent[] }> {
  const events: JobEvent[] = [];
  const log: string[] = [];
  const run = startCli(
    { extensionPath: REPO },
    { args, cwd: dir },
    (e) => events.push(e),
    (l) => log.push(l),
  );
  const { code, stderr } = await run.done;
  assert.equal(code, 0, `darknet-pruner ${args.join(' ')} failed:\n${log.join('\n')}\n${stderr}`);
  const r = events.find((e) => e.type === 'result');
  assert.ok(r && r.type === 'result' && r.command === 'train', 'a train result event');
  const result = trainResult(r.data);
  assert.ok(result, `the result has TrainJobResult's shape: ${JSON.stringify(r.data)}`);
  return { result, events };
}

test(
  'train from weights and from scratch, with and without --batch: argv the CLI runs, read back as a plain run',
  { timeout: 300_000 },
  async () => {
    for (const job of [
      { source: { cfg, weights }, data, out: freshOut(), epochs: 1 },
      { source: { cfg }, data, out: freshOut(), epochs: 1, batch: 4 },
    ] satisfies TrainJob[]) {
      const args = trainArgs(job);
      assert.deepEqual(args.slice(0, 2), ['train', cfg]);
      assert.equal(args.includes('--weights'), 'weights' in job.source);
      const { result, events } = await train(args);
      assert.equal(result.epoch, 1);
      assert.equal(result.iteration, job.batch === 4 ? 1 : 2);
      // Every step's loss comes with its box / objectness / class parts, which add up to it.
      const at = (name: string, step: number) =>
        events.find((e) => e.type === 'metric' && e.name === name && e.step === step) as { value: number } | undefined;
      const loss = at('loss', 1)!.value,
        parts = ['loss_box', 'loss_obj', 'loss_cls'].map((n) => at(n, 1)!.value);
      assert.ok(Math.abs(parts[0] + parts[1] + parts[2] - loss) < 1e-4 * loss, `${parts.join(' + ')} vs ${loss}`);
      const view = runView(job.out, undefined);
      assert.equal(view.kind, 'train');
      assert.equal(view.status, 'finished');
      assert.equal(view.epochs.length, 1);
      assert.ok(view.epochs[0].lossBox !== null && view.epochs[0].lossObj !== null && view.epochs[0].lossCls !== null);
      assert.deepEqual(view.latest, { cfg, weights: join(job.out, 'last.weights') });
    }
  },
);

test(
  'sparsity training in every prune mode: argv the CLI runs, the γ record has what the dashboard shows',
  { timeout: 300_000 },
  async () => {
    for (const pruneMode of PRUNE_METHODS) {
      const job: TrainJob = { source: { cfg, weights }, data, out: freshOut(), epochs: 1, sparsity: { s: 0.01, pruneMode } };
      const args = trainArgs(job);
      assert.deepEqual(args.slice(args.indexOf('--sparsity'), args.indexOf('--sparsity') + 4), [
        '--sparsity',
        '0.01',
        '--prune-mode',
        pruneMode,
      ]);
      await train(args);
      const view = runView(job.out, undefined);
      assert.equal(view.kind, 'sparsity');
      assert.equal(view.gamma.length, 1);
      const g = view.gamma[0];
      assert.equal(g.estimated, false, 'the run records the fractions under every threshold');
      assert.ok(g.emptyingPercent !== null && g.emptyingPercent > 0 && g.emptyingPercent < 1, String(g.emptyingPercent));
      assert.ok(
        g.below.every((v, i) => i === 0 || v >= g.below[i - 1]),
        'fractions grow with the threshold',
      );
      assert.ok(Math.abs(g.fractions.reduce((s, f) => s + f, 0) - 1) < 1e-9);
    }
  },
);

test(
  'sparsity auto: argv the CLI runs, read back as a sparsity run whose epoch says the s it used and why',
  { timeout: 300_000 },
  async () => {
    const job: TrainJob = { source: { cfg, weights }, data, out: freshOut(), epochs: 1, sparsity: { s: 'auto' } };
    const args = trainArgs(job);
    assert.deepEqual(args.slice(args.indexOf('--sparsity'), args.indexOf('--sparsity') + 2), ['--sparsity', 'auto']);
    await train(args);
    const view = runView(job.out, undefined);
    assert.equal(view.kind, 'sparsity');
    assert.equal(view.epochs.length, 1);
    assert.equal(view.epochs[0].sparsity, 0.001, 'auto starts at the seed s');
    assert.ok(view.epochs[0].sparsityReason, 'the epoch says why s stays or moves');
  },
);

test('fine-tune a pruned folder, then resume it for another epoch', { timeout: 300_000 }, async () => {
  const pruned = join(dir, 'pruned');
  const p = runCli(['prune', 'channel', cfg, weights, '--global-percent', '0.3', '-o', pruned], dir);
  assert.equal(p.code, 0, p.err);
  const job: TrainJob = { source: { finetune: pruned, warmupEpochs: 1 }, data, out: freshOut(), epochs: 1 };
  const args = trainArgs(job);
  assert.deepEqual(args.slice(0, 5), ['train', '--finetune', pruned, '--warmup-epochs', '1']);
  await train(args);
  const view = runView(job.out, undefined);
  assert.equal(view.kind, 'finetune');
  assert.ok(view.latest && view.latest.cfg.startsWith(pruned), JSON.stringify(view.latest));
  const resumed = await train(resumeArgs(job.out, 2));
  assert.equal(resumed.result.epoch, 2);
  assert.equal(resumed.result.iteration, 4);
  const after = runView(job.out, undefined);
  assert.deepEqual(
    after.epochs.map((e) => e.epoch),
    [1, 2],
  );
  assert.equal(after.status, 'finished');
});

test('Stop (the job cancelled in epoch 2) leaves a stopped, resumable run; Resume finishes it', { timeout: 300_000 }, async () => {
  const out = freshOut();
  const events: JobEvent[] = [];
  const run = startCli(
    { extensionPath: REPO },
    { args: trainArgs({ source: { cfg, weights }, data, out, epochs: 2, sparsity: { s: 0.01 } }), cwd: dir },
    (e) => {
      events.push(e);
      // Step 3 is epoch 2's first: epoch 1 has been committed before it started.
      if (e.type === 'metric' && e.name === 'loss' && e.step === 3) run.cancel();
    },
    () => undefined,
  );
  const exit = await run.done;
  assert.notEqual(exit.code, 0, 'the job was stopped');
  assert.equal(exit.killed, false, 'it stopped on SIGTERM');
  const stopped = runView(out, undefined);
  assert.equal(stopped.status, 'stopped');
  assert.equal(stopped.epochs.length, 1);
  assert.equal(stopped.epochsTotal, 2);
  assert.equal(stopped.canResume, true);
  const resumed = await train(resumeArgs(out));
  assert.equal(resumed.result.epoch, 2);
  assert.equal(runView(out, undefined).status, 'finished');
});
