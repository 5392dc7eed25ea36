// `prune plan` end to end on a small net: OpenVINO's profiling counters map to darknet layers; the
// command writes a loadable pruned model and a plan.json whose achieved latency is a measured
// positive number and whose verdicts follow from its own figures; onnxruntime works without
// counters. No timing assertions (bench/prune-plan.ts measures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyseText } from '../../core/src/cfg/analyse';
import { readWeightsFile } from '../../core/src/weights/read';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { profileOpenvino } from '../../core/src/plan/latency-measure';
import { CFG_DIR } from '../corpus';
import { openvinoMissing } from './available';
import { runAndInterrupt } from '../cli/interrupt';
import { runMain as cli } from '../cli/in-process';

const skip = openvinoMissing();
let dir = '',
  cfg = '',
  weights = '';
const text = () =>
  readFileSync(join(CFG_DIR, 'yolov3-tiny.cfg'), 'utf8')
    .replace(/^width=\d+/m, 'width=96')
    .replace(/^height=\d+/m, 'height=96');
const QUICK = [
  '--iterations',
  '3',
  '--warmup',
  '1',
  '--rounds',
  '1',
  '--profile-iterations',
  '2',
  '--percents',
  '0.2:0.8:0.2',
  '--layer-keep',
  '0.1',
];

test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'prune-plan-'));
  cfg = join(dir, 'tiny.cfg');
  weights = join(dir, 'tiny.weights');
  writeFileSync(cfg, text());
  const net = analyseText(text());
  writeFileSync(weights, serializeWeights(net, synthesizeWeights(net)));
});
test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PlanJson {
  target: { ms: number; ratio?: number };
  latencyModel: { kind: string };
  baseline: { measuredMs: number; referenceMs: number; profile?: { nodes: number; mappedNodes: number } };
  chosen: {
    plan: { globalPercent: number; layerKeep: number; cutUnits: number };
    met: boolean;
    targetMs: number;
    predictedMs: number;
    achievedMs: number;
    baselineMs: number;
    gammaMass: number;
    bflopsRatio: number;
    paramsRatio: number;
  };
  iterations: {
    targetMs: number;
    predictedMs: number;
    predictedMet: boolean;
    achievedMs: number;
    adjustedMs: number;
    met: boolean;
    metAsMeasured: boolean;
  }[];
  curve: { targetMs: number; met: boolean; predictedMs: number; gammaMass: number }[];
  notes: string[];
}

function checkOutput(out: string, target: number | { ratio: number }): PlanJson {
  for (const f of ['tiny-pruned.cfg', 'tiny-pruned.weights', 'prune-report.json', 'plan.json']) assert.ok(existsSync(join(out, f)), f);
  const net = analyseText(readFileSync(join(out, 'tiny-pruned.cfg'), 'utf8'));
  assert.equal(net.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const w = readWeightsFile(join(out, 'tiny-pruned.weights'), net);
  assert.equal(w.totalFloats, net.totals.weightFloats, 'the written weights fit the written cfg');
  const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PlanJson;
  if (typeof target === 'number') assert.equal(plan.target.ms, target);
  else {
    assert.equal(plan.target.ratio, target.ratio);
    assert.ok(
      Math.abs(plan.target.ms - target.ratio * plan.baseline.referenceMs) < 1e-9,
      "the ratio applies to the run's reference baseline",
    );
  }
  const c = plan.chosen;
  assert.ok(Number.isFinite(c.achievedMs) && c.achievedMs > 0, 'achieved is a measured positive latency');
  assert.ok(Number.isFinite(c.baselineMs) && c.baselineMs > 0);
  assert.ok(plan.iterations.length >= 1);
  for (const it of plan.iterations) {
    if (typeof target === 'number') assert.equal(it.targetMs, target);
    assert.equal(it.met, it.adjustedMs <= it.targetMs, 'met compares the load-adjusted latency with the target');
    assert.equal(it.metAsMeasured, it.achievedMs <= it.targetMs);
  }
  assert.ok(c.gammaMass > 0 && c.gammaMass <= 1);
  assert.ok(c.bflopsRatio > 0 && c.bflopsRatio <= 1 && c.paramsRatio > 0 && c.paramsRatio <= 1);
  assert.ok(
    Math.abs(c.bflopsRatio - net.totals.bflops / analyseText(text()).totals.bflops) < 1e-6,
    "the BFLOPs ratio is the written model's",
  );
  for (let k = 1; k < plan.curve.length; k++)
    assert.ok(plan.curve[k].gammaMass >= plan.curve[k - 1].gammaMass, 'the γ-mass curve is monotone in the target');
  for (const p of plan.curve) if (p.met) assert.ok(p.predictedMs <= p.targetMs);
  return plan;
}

test('the profiling counters of our addon map to the darknet layers', { skip }, async () => {
  const net = analyseText(text());
  const p = await profileOpenvino(net, synthesizeWeights(net), {
    runtime: 'openvino',
    device: 'CPU',
    precision: 'f32',
    warmup: 1,
    rounds: 1,
    iterations: 1,
    profileIterations: 2,
  });
  assert.ok(p.nodes > 0 && p.mappedNodes > 0);
  for (const l of net.layers) if (l.type === 'convolutional') assert.ok(p.layerMs[l.index] > 0, `conv ${l.index} has profiled time`);
  assert.ok(p.byType.some((t) => t.nodeType === 'Convolution'));
});

test('prune plan on OpenVINO: a loose target is met with a measured plan, predicted within the target', { skip }, async () => {
  const out = join(dir, 'loose');
  const r = await cli(['prune', 'plan', cfg, weights, '--target-ms', '100000', ...QUICK, '-o', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /plan.json[\s\S]*predicted[\s\S]*achieved/);
  const plan = checkOutput(out, 100000);
  assert.equal(plan.latencyModel.kind, 'per-layer');
  assert.ok(plan.baseline.profile!.mappedNodes > 0);
  assert.equal(plan.chosen.met, true);
  assert.deepEqual(
    plan.chosen.plan,
    { globalPercent: 0.2, layerKeep: 0.1, cutUnits: 0, method: 'slim' },
    'the most γ mass: the smallest percent searched',
  );
  assert.ok(plan.iterations[0].predictedMet && plan.iterations[0].predictedMs <= 100000);
});

test('prune plan: an impossible target is missed honestly, the fastest measured plan is written', { skip }, async () => {
  const out = join(dir, 'tight');
  const r = await cli(['prune', 'plan', cfg, weights, '--target-fps', '1000000', '--max-iterations', '2', ...QUICK, '-o', out, '--json']);
  assert.equal(r.code, 0, r.err);
  const plan = checkOutput(out, 0.001);
  assert.equal(plan.chosen.met, false);
  assert.ok(
    plan.notes.some((n) => /no measured plan met/.test(n)),
    plan.notes.join('; '),
  );
  assert.ok(plan.iterations.length <= 2);
  assert.equal(plan.chosen.plan.globalPercent, 0.8, 'the fastest plan of the space');
});

test("prune plan --target-ratio: the target follows the run's own baseline", { skip }, async () => {
  const out = join(dir, 'ratio');
  const r = await cli(['prune', 'plan', cfg, weights, '--target-ratio', '0.5', ...QUICK, '-o', out]);
  assert.equal(r.code, 0, r.err);
  checkOutput(out, { ratio: 0.5 });
});

test('prune plan --runtime onnxruntime: fitted from whole-model latencies, said so', async () => {
  const out = join(dir, 'ort');
  const r = await cli(['prune', 'plan', cfg, weights, '--runtime', 'onnxruntime', '--target-ms', '100000', ...QUICK, '-o', out]);
  assert.equal(r.code, 0, r.err);
  const plan = checkOutput(out, 100000);
  assert.equal(plan.latencyModel.kind, 'global');
  assert.ok(plan.notes.some((n) => /no per-layer profiling counters/.test(n)));
});

test('prune plan --data: the best feasible plans are evaluated and the best mAP@0.5 is chosen', { skip }, async () => {
  const ds = join(dir, 'ds');
  assert.equal((await cli(['data', 'synth', '-o', ds, '--classes', '8', '--images', '10', '--size', '96'])).code, 0);
  const cfg8 = join(dir, 'eight.cfg'),
    w8 = join(dir, 'eight.weights');
  const t8 = text()
    .replace(/^classes=80/gm, 'classes=8')
    .replace(/^filters=255/gm, 'filters=39');
  writeFileSync(cfg8, t8);
  const net = analyseText(t8);
  writeFileSync(w8, serializeWeights(net, synthesizeWeights(net)));
  const out = join(dir, 'with-data');
  const r = await cli([
    'prune',
    'plan',
    cfg8,
    w8,
    '--target-ms',
    '100000',
    ...QUICK,
    '--data',
    join(ds, 'obj.data'),
    '--candidates',
    '2',
    '-o',
    out,
  ]);
  assert.equal(r.code, 0, r.err);
  const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as PlanJson & {
    chosen: { map50: number };
    evaluated: { gammaMass: number; map50: number }[];
  };
  assert.equal(plan.evaluated.length, 2);
  assert.ok(plan.evaluated[0].gammaMass >= plan.evaluated[1].gammaMass, 'the candidates with the most γ mass, best first');
  assert.equal(plan.chosen.map50, Math.max(...plan.evaluated.map((e) => e.map50)));
});

test('SIGTERM while a plan is measured: exit 143, no result, nothing left behind', { skip, timeout: 300_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'prune-plan-cancel-'));
  try {
    copyFileSync(cfg, join(work, 'tiny.cfg'));
    copyFileSync(weights, join(work, 'tiny.weights'));
    const r = await runAndInterrupt(['prune', 'plan', 'tiny.cfg', 'tiny.weights', '--target-ms', '100000', ...QUICK, '-o', 'out'], work, {
      when: (e) => e.message?.startsWith('measuring p=') === true,
    });
    assert.ok(r.sent, `the job ended before it measured a plan: ${r.stderr}`);
    assert.ok(r.code === 143 || r.signal !== null, `exit ${r.code} / ${r.signal}\n${r.stderr}`);
    assert.ok(!r.events.some((e) => e.type === 'result'));
    assert.deepEqual(readdirSync(work).sort(), ['tiny.cfg', 'tiny.weights']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('prune plan on a device OpenVINO does not have here: one line naming the devices there are, nothing written', { skip }, async (t) => {
  const { loadOpenvino } = await import('../../core/src/openvino/api');
  const devices = new (loadOpenvino().ov.Core)().getAvailableDevices();
  const absent = ['NPU', 'GPU'].find((d) => !devices.some((x) => x.startsWith(d)));
  if (!absent) {
    t.skip('this machine has both a GPU and an NPU');
    return;
  }
  const r = await cli(['prune', 'plan', cfg, weights, '--target-ms', '10', '--device', absent, ...QUICK, '-o', join(dir, 'no-device')]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, new RegExp(`cannot compile the model for ${absent}.*devices here: ${devices[0]}`));
  assert.equal(r.err.trim().split('\n').length, 1);
  assert.ok(!existsSync(join(dir, 'no-device')));
});

test('prune plan refuses a bad command line before any work', async () => {
  const none = await cli(['prune', 'plan', cfg, weights, '-o', join(dir, 'x1')]);
  assert.equal(none.code, 2);
  assert.match(none.err, /exactly one of --target-ms/);
  const both = await cli(['prune', 'plan', cfg, weights, '--target-ms', '5', '--target-fps', '5', '-o', join(dir, 'x2')]);
  assert.equal(both.code, 2);
  const dev = await cli([
    'prune',
    'plan',
    cfg,
    weights,
    '--target-ms',
    '5',
    '--runtime',
    'onnxruntime',
    '--device',
    'GPU',
    '-o',
    join(dir, 'x3'),
  ]);
  assert.equal(dev.code, 2);
  assert.match(dev.err, /OpenVINO settings/);
  const over = await cli(['prune', 'plan', cfg, weights, '--target-ms', '5', '-o', dir]);
  assert.notEqual(over.code, 0, 'the output folder holds the inputs');
  for (const x of ['x1', 'x2', 'x3']) assert.ok(!existsSync(join(dir, x)), 'nothing written');
});
