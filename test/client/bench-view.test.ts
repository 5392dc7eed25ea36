// The Benchmark panel's data, host side: the latency box (Tukey), the ratios to the baseline as the
// CLI computes them, the slowest layers only when the result has profiling counters; the models a
// benchmark can take (original, pruned folder, ONNX, IR) and which are pre-selected; the history of
// saved runs (atomic files, newest first, anything else skipped or refused).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { jobResult, type BenchJobResult } from '../../core/src/protocol/jobs';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { benchView, boxStats, runSummary } from '../../client/src/bench/benchView';
import { BenchRunError, historyDir, listRuns, readRun, saveRun } from '../../client/src/bench/history';
import { benchLabel, benchModelArg, modelOf, modelsOf, mosaicPossible, relatedModels } from '../../client/src/bench/models';
import { installedRuntimes, openvinoMissingMessage } from '../../client/src/bench/runtimes';
import { REPO } from '../corpus';
import { openvinoMissing } from '../openvino/available';

let dir = '',
  cfg = '',
  pruned = '';
let report: BenchJobResult;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-bench-view-'));
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const text = readFileSync(join(REPO, 'examples', 'residual-detector.cfg'), 'utf8')
    .replace('width=256', 'width=64')
    .replace('height=256', 'height=64');
  mkdirSync(join(dir, 'models'));
  cfg = join(dir, 'models', 'm.cfg');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  writeFileSync(join(dir, 'models', 'm.weights'), serializeWeights(net, synthesizeWeights(net)));
  pruned = join(dir, 'models', 'm-pruned-50');
  const cli = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'cli', 'out', 'cli.js'), ...args], { encoding: 'utf8' });
  const p = cli(['prune', 'channel', cfg, join(dir, 'models', 'm.weights'), '--global-percent', '0.5', '-o', pruned]);
  assert.equal(p.status, 0, p.stderr);
  // A real result: the CLI's own figures are what the view must reproduce.
  const b = cli(['bench', cfg, pruned, '--runtime', 'onnxruntime', '--iterations', '6', '--json']);
  assert.equal(b.status, 0, b.stderr);
  report = jobResult('bench', JSON.parse(b.stdout))!;
  assert.ok(report, 'bench --json has the bench result type');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("boxStats: quartiles interpolated as the CLI's percentiles, whiskers within 1.5 IQR, the rest outliers", () => {
  const b = boxStats([4, 100, 1, 3, 2]);
  assert.deepEqual(b, { n: 5, min: 1, q1: 2, median: 3, q3: 4, max: 100, whiskerLow: 1, whiskerHigh: 4, outliers: [100] });
  const even = boxStats([10, 20, 30, 40]);
  assert.equal(even.median, 25);
  assert.equal(even.q1, 17.5);
  assert.equal(even.q3, 32.5);
  assert.deepEqual(even.outliers, []);
  assert.deepEqual([even.whiskerLow, even.whiskerHigh], [10, 40]);
  const low = boxStats([-50, 10, 11, 12, 13]);
  assert.deepEqual(low.outliers, [-50]);
  assert.equal(low.whiskerLow, 10);
  assert.equal(boxStats([]).n, 0);
});

test("benchView: per model the box of every latency, the CLI's ratios to the baseline, no slowest layers without counters", () => {
  const v = benchView('r.json', { savedAt: '2026-11-30T03:00:00.000Z', args: [], report }, [], '.darknet-pruner/bench');
  assert.deepEqual(
    v.models.map((m) => m.label),
    ['m', 'm-pruned-50'],
  );
  for (const [i, m] of v.models.entries()) {
    const r = report.models[i];
    assert.equal(m.box.n, 6);
    // latenciesMs are rounded to the microsecond in the result, the CLI's statistics are not.
    assert.ok(Math.abs(m.box.median - r.latency.medianMs) <= 5e-4, `the box median ${m.box.median} is the CLI's ${r.latency.medianMs}`);
    assert.ok(Math.abs(m.box.min - r.latency.minMs) <= 5e-4);
    assert.ok(Math.abs(m.box.max - r.latency.maxMs) <= 5e-4);
    assert.ok(Math.abs(m.ratio.fps - report.ratios[i].fps) < 1e-12);
    assert.equal(m.ratio.bflops, report.ratios[i].bflops);
    assert.equal(m.ratio.params, report.ratios[i].params);
    assert.equal(m.input, '3×64×64');
    assert.equal(m.slowest, undefined);
  }
  assert.equal(v.models[0].ratio.fps, 1);
  assert.ok(v.models[1].ratio.bflops! < 0.6, 'the pruned model has about half the BFLOPs');
  assert.equal(v.runtime, 'onnxruntime');
  assert.equal(v.framesPerInference, 1);
});

test('benchView: the slowest layers from profiling counters, largest first, with their share', () => {
  const layerMs = [
    { layer: 0, type: 'convolutional', ms: 1 },
    { layer: 3, type: 'convolutional', ms: 5 },
    { layer: 7, type: 'route', ms: 2 },
    { layer: 9, type: 'yolo', ms: Number.NaN },
  ];
  const profiled = { ...report, models: [{ ...report.models[0], layerMs }, report.models[1]] };
  const v = benchView('r.json', { savedAt: '2026-11-30T03:00:00.000Z', args: [], report: profiled }, [], 'h');
  assert.deepEqual(v.models[0].slowest, [
    { layer: 3, type: 'convolutional', ms: 5, share: 5 / 8 },
    { layer: 7, type: 'route', ms: 2, share: 2 / 8 },
    { layer: 0, type: 'convolutional', ms: 1, share: 1 / 8 },
  ]);
  assert.equal(v.models[1].slowest, undefined);
});

test('models: cfg with weights, pruned folder (from its cfg, its folder or its weights), ONNX, IR with .bin; originals first', () => {
  const onnx = join(dir, 'models', 'm.onnx');
  writeFileSync(onnx, '');
  const xml = join(dir, 'ir', 'm.xml');
  mkdirSync(join(dir, 'ir'));
  writeFileSync(xml, '<net/>');
  writeFileSync(join(dir, 'ir', 'orphan.xml'), '<net/>');
  writeFileSync(join(dir, 'ir', 'm.bin'), '');
  writeFileSync(join(dir, 'models', 'lonely.cfg'), '[net]\n');
  assert.deepEqual(modelOf(cfg), { kind: 'cfg', path: cfg, weights: join(dir, 'models', 'm.weights') });
  const prunedModel = { kind: 'pruned', path: pruned, source: cfg };
  assert.deepEqual(modelOf(join(pruned, 'm-pruned.cfg')), prunedModel);
  assert.deepEqual(modelOf(join(pruned, 'm-pruned.weights')), prunedModel);
  assert.deepEqual(modelOf(pruned), prunedModel);
  assert.equal(modelOf(join(dir, 'models', 'lonely.cfg')), undefined, 'a cfg without weights');
  assert.equal(modelOf(join(dir, 'ir', 'orphan.xml')), undefined, 'an .xml without its .bin');
  assert.equal(modelOf(join(dir, 'models')), undefined, 'a folder that no prune wrote');
  const all = modelsOf([xml, join(pruned, 'm-pruned.cfg'), onnx, pruned, cfg, join(dir, 'models', 'lonely.cfg')]);
  assert.deepEqual(
    all.map((m) => m.kind),
    ['cfg', 'pruned', 'onnx', 'ir'],
  );
  assert.deepEqual(all.map(benchLabel), ['m', 'm-pruned-50', 'm.onnx', 'm.xml']);
  assert.deepEqual(all.map(benchModelArg), [
    { cfg, weights: join(dir, 'models', 'm.weights') },
    { path: pruned },
    { path: onnx },
    { path: xml },
  ]);
  assert.deepEqual(
    relatedModels(all, cfg).map((m) => m.path),
    [cfg, pruned],
    'the original and its pruned folder',
  );
  assert.deepEqual(
    relatedModels(all, join(pruned, 'm-pruned.cfg')).map((m) => m.path),
    [cfg, pruned],
    'from the pruned cfg too',
  );
  assert.ok(mosaicPossible(all.slice(0, 2)));
  assert.ok(!mosaicPossible(all));
});

test('history: saved atomically under .darknet-pruner/bench, listed newest first, other files skipped and refused', () => {
  const h = historyDir(join(dir, 'ws'));
  assert.equal(h, join(dir, 'ws', '.darknet-pruner', 'bench'));
  assert.deepEqual(listRuns(h), [], 'no folder: no runs');
  const t0 = new Date('2026-11-30T03:00:00.000Z');
  const first = saveRun(h, report, ['bench', 'a'], t0);
  const second = saveRun(h, report, ['bench', 'b'], new Date('2026-11-30T04:00:00.000Z'));
  const again = saveRun(h, report, ['bench', 'c'], t0);
  assert.equal(first, '2026-11-30T03-00-00-000Z.json');
  assert.equal(again, '2026-11-30T03-00-00-000Z-2.json', 'the same moment does not overwrite');
  writeFileSync(join(h, 'broken.json'), '{"report": {}}');
  writeFileSync(join(h, 'notes.txt'), 'x');
  assert.deepEqual(
    readdirSync(h).filter((f) => f.includes('.tmp-')),
    [],
    'no temporary left',
  );
  const runs = listRuns(h);
  assert.deepEqual(
    runs.map((r) => r.id),
    [second, first, again],
  );
  assert.deepEqual(runs[0], runSummary(second, readRun(h, second)));
  assert.deepEqual(runs[0].models, ['m', 'm-pruned-50']);
  assert.ok(Math.abs(runs[0].fpsRatio! - report.ratios[1].fps) < 1e-12);
  assert.deepEqual(readRun(h, second).args, ['bench', 'b']);
  assert.throws(
    () => readRun(h, 'broken.json'),
    (e: Error) => e instanceof BenchRunError && e.message === `${join(h, 'broken.json')}: not a saved benchmark run`,
  );
  assert.throws(() => readRun(h, '../../models/m.cfg'), BenchRunError);
  assert.throws(
    () => readRun(h, 'missing.json'),
    (e: Error) => e instanceof BenchRunError && e.message.startsWith(join(h, 'missing.json')),
  );
});

test('the runtimes offered are those the CLI bundle resolves, OpenVINO only with its native addon; the setup command when missing', () => {
  const here = installedRuntimes(join(REPO, 'cli', 'out', 'cli.js'));
  assert.ok(here.has('onnxruntime') && here.has('tfjs'), [...here].join(', '));
  assert.equal(here.has('openvino'), openvinoMissing() === undefined, 'as openvino-node loads in a child process');
  const alone = join(dir, 'alone', 'cli', 'out');
  mkdirSync(alone, { recursive: true });
  assert.deepEqual([...installedRuntimes(join(alone, 'cli.js'))], [], 'a CLI with no node_modules above it');
  // openvino-node's JS without the addon (npm's install on Node 20, before npm run setup:openvino).
  const partial = join(dir, 'partial');
  mkdirSync(join(partial, 'node_modules', 'openvino-node'), { recursive: true });
  writeFileSync(join(partial, 'node_modules', 'openvino-node', 'package.json'), '{"name":"openvino-node","version":"2026.4.0"}');
  mkdirSync(join(partial, 'cli', 'out'), { recursive: true });
  assert.equal(installedRuntimes(join(partial, 'cli', 'out', 'cli.js')).has('openvino'), false);
  assert.match(
    openvinoMissingMessage('Benchmarking on onnxruntime instead.'),
    /run `npm run setup:openvino`.*Benchmarking on onnxruntime instead\.$/,
  );
});
