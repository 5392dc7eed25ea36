// The bench and export-openvino jobs, as the extension runs them: every argv benchArgs and
// exportOpenvinoArgs make runs through the client's own process launcher on the CLI bundle
// (so the CLI's own parser reads it), to a `result` event of the command's type whose content
// shows that each option arrived (runtime, hint, iterations, mosaic, model order, fp16).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { benchArgs, exportOpenvinoArgs, jobResult, type BenchJob, type JobEvent, type JobResults } from '../../core/src/protocol/jobs';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { startCli } from '../../client/src/jobs/cliProcess';
import { REPO } from '../corpus';
import { openvinoMissing } from '../openvino/available';

const noOpenvino = openvinoMissing();
let dir = '',
  cfg = '',
  weights = '',
  pruned = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-bench-jobs-'));
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
  pruned = join(dir, 'm-pruned-50');
  const p = spawnSync(
    process.execPath,
    [join(REPO, 'cli', 'out', 'cli.js'), 'prune', 'channel', cfg, weights, '--global-percent', '0.5', '-o', pruned],
    { encoding: 'utf8' },
  );
  assert.equal(p.status, 0, p.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function expectResult<C extends keyof JobResults>(command: C, args: string[]): Promise<{ data: JobResults[C]; events: JobEvent[] }> {
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
  const result = events.find((e) => e.type === 'result');
  assert.ok(result && result.type === 'result', 'a result event');
  assert.equal(result.command, command);
  const data = jobResult(command, result.data);
  assert.ok(data, `the result has the ${command} result type`);
  return { data, events };
}

test('benchArgs: model forms, options and their defaults as argv', () => {
  assert.deepEqual(benchArgs({ models: [{ cfg: 'a.cfg' }, { cfg: 'b.cfg', weights: 'w.weights' }, { path: 'dir' }, { path: 'm.xml' }] }), [
    'bench',
    'a.cfg',
    'b.cfg',
    'w.weights',
    'dir',
    'm.xml',
  ]);
  assert.deepEqual(
    benchArgs({ models: [{ path: 'd' }], runtime: 'onnxruntime', hint: 'latency', iterations: 5, seconds: 3, mosaic: true }),
    ['bench', 'd', '--runtime', 'onnxruntime', '--hint', 'latency', '--iterations', '5', '--mosaic'],
    'iterations win over seconds',
  );
  assert.deepEqual(benchArgs({ models: [{ path: 'd' }], seconds: 2.5 }), ['bench', 'd', '--time', '2.5']);
  assert.deepEqual(benchArgs({ models: [{ path: 'd' }], runtime: 'openvino', profile: true }), [
    'bench',
    'd',
    '--runtime',
    'openvino',
    '--profile',
  ]);
  assert.deepEqual(exportOpenvinoArgs({ cfg: 'a.cfg', weights: 'a.weights', out: 'ir' }), [
    'export',
    'openvino',
    'a.cfg',
    'a.weights',
    '-o',
    'ir',
  ]);
  assert.deepEqual(exportOpenvinoArgs({ cfg: 'a.cfg', weights: 'a.weights', out: 'ir', fp16: true, force: true }), [
    'export',
    'openvino',
    'a.cfg',
    'a.weights',
    '-o',
    'ir',
    '--fp16',
    '--force',
  ]);
});

test(
  'bench on onnxruntime: the original cfg and a pruned folder, in order, each option read by the CLI',
  { timeout: 120_000 },
  async () => {
    const jobs: BenchJob[] = [
      { models: [{ cfg, weights }, { path: pruned }], runtime: 'onnxruntime', iterations: 4 },
      { models: [{ path: pruned }, { cfg }], runtime: 'onnxruntime', hint: 'latency', iterations: 3, mosaic: true },
    ];
    for (const job of jobs) {
      const { data, events } = await expectResult('bench', benchArgs(job));
      assert.equal(data.runtime, 'onnxruntime');
      assert.equal(data.hint, 'latency');
      assert.deepEqual(
        data.models.map((m) => m.label),
        job.models.map((m) => ('path' in m ? 'm-pruned-50' : 'm')),
      );
      for (const m of data.models) {
        assert.equal(m.latency.iterations, job.iterations);
        assert.equal(m.latenciesMs.length, job.iterations);
        assert.equal(m.inputShape.slice(2).join('x'), job.mosaic ? '128x128' : '64x64');
      }
      assert.equal(data.framesPerInference, job.mosaic ? 4 : 1);
      assert.equal(data.ratios[0].fps, 1);
      assert.ok(
        data.ratios[1].bflops !== null && (job.mosaic ? data.ratios[1].bflops > 1 : data.ratios[1].bflops < 1),
        'the pruned/original BFLOPs ratio',
      );
      assert.ok(
        events.some((e) => e.type === 'progress' && /round/.test(e.message)),
        'progress events',
      );
    }
  },
);

test(
  'bench on OpenVINO (latency and throughput) and an exported IR, through the job launcher',
  { skip: noOpenvino, timeout: 240_000 },
  async () => {
    for (const hint of ['latency', 'throughput'] as const) {
      const { data } = await expectResult(
        'bench',
        benchArgs({ models: [{ cfg, weights }, { path: pruned }], runtime: 'openvino', hint, iterations: 8 }),
      );
      assert.equal(data.runtime, 'openvino');
      assert.equal(data.hint, hint);
      assert.ok(data.openvino?.version, 'the OpenVINO version');
      assert.deepEqual(
        data.models.map((m) => m.latency.iterations),
        [8, 8],
      );
      assert.equal(data.models[0].layerMs, undefined, 'no counters unless asked');
    }
    // --profile: per-layer times of each darknet model (not of an .onnx or IR file).
    const profiled = await expectResult(
      'bench',
      benchArgs({ models: [{ cfg, weights }, { path: pruned }], runtime: 'openvino', iterations: 2, profile: true }),
    );
    const layers = analyseText(readFileSync(cfg, 'utf8')).layers;
    for (const m of profiled.data.models) {
      assert.ok(m.layerMs && m.layerMs.length > 0, `${m.label}: per-layer times`);
      for (const l of m.layerMs) assert.ok(l.ms > 0 && l.layer < layers.length && l.type === layers[l.layer].type, JSON.stringify(l));
      assert.ok(m.layerMs.some((l) => l.type === 'convolutional'));
    }
    const out = join(dir, 'ir');
    for (const fp16 of [false, true]) {
      const { data, events } = await expectResult('export openvino', exportOpenvinoArgs({ cfg, weights, out, fp16, force: fp16 }));
      assert.equal(data.weights, fp16 ? 'f16' : 'f32');
      assert.equal(data.xml, join(out, 'm.xml'));
      assert.deepEqual(
        events.filter((e) => e.type === 'artifact').map((e) => e.type === 'artifact' && [e.kind, e.path]),
        [
          ['ir', join(out, 'm.xml')],
          ['ir', join(out, 'm.bin')],
          ['other', join(out, 'm.heads.json')],
        ],
      );
      assert.ok(existsSync(data.bin));
    }
    const { data } = await expectResult(
      'bench',
      benchArgs({ models: [{ cfg, weights }, { path: join(out, 'm.xml') }], runtime: 'openvino', iterations: 3 }),
    );
    assert.deepEqual(
      data.models.map((m) => m.kind),
      ['darknet', 'ir'],
    );
    assert.ok(Math.abs((data.ratios[1].bflops ?? NaN) - 1) < 1e-9, "the IR's BFLOPs come from its source cfg");
  },
);

test('bench --profile needs OpenVINO: refused on onnxruntime with the reason', { timeout: 60_000 }, async () => {
  const events: JobEvent[] = [];
  const run = startCli(
    { extensionPath: REPO },
    { args: benchArgs({ models: [{ cfg, weights }], runtime: 'onnxruntime', profile: true }), cwd: dir },
    (e) => events.push(e),
    () => undefined,
  );
  const { code } = await run.done;
  assert.equal(code, 2);
  assert.deepEqual(events, [{ type: 'error', message: "--profile reads OpenVINO's profiling counters: give --runtime openvino" }]);
});

test('jobResult refuses a bench or export result of another shape', () => {
  assert.equal(jobResult('bench', { runtime: 'openvino', models: [], ratios: [], machine: {} }), undefined);
  assert.equal(jobResult('bench', { runtime: 'openvino', models: [{ label: 'a' }], ratios: [], machine: {} }), undefined);
  assert.equal(jobResult('export openvino', { xml: 'a.xml' }), undefined);
});
