// darknet's [region] loss (core/src/train/region-loss.ts) against hand-derived cases, its gradient
// against finite differences, its first-iteration loss against Debian's 2018 darknet (which has
// region_layer and trains YOLOv2 cfgs on the CPU), and `train` on a yolov2-tiny-like cfg.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxIou, type Box } from '../../core/src/train/box-iou';
import { PRIOR_SEEN, regionLoss, regionLossConfig } from '../../core/src/train/region-loss';
import { headLossSetup } from '../../core/src/train/head-loss';
import type { Truth } from '../../core/src/train/yolo-loss';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { buildNetwork } from '../../core/src/nn/model';
import { readWeightsFile } from '../../core/src/weights/read';
import { Trainer } from '../../core/src/train/trainer';
import { trainSettings } from '../../core/src/train/lr-policy';
import { useBackend } from '../nn/helpers';
import { runCli } from '../cli/run';
import { tempDir } from '../tmp';
import { darknetLosses, skipWithoutDarknet as skip, synthDataArgs, tinyRegionCfg, writeDarknetFixture } from './darknet-fixture';
import { assertRefused, entryAt, H, maxGradientError, oneHeadNet, rawValues, S, W } from './loss-fixture';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A 2×2-grid [region] on a 64×64 net: 2 anchors (grid cells), 2 classes. */
const head = (extra = '', softmax = 1) =>
  regionLossConfig(
    oneHeadNet(14, `[region]\nanchors=0.5,0.5, 1.0,0.75\nclasses=2\ncoords=4\nnum=2\nsoftmax=${softmax}\n${extra}`).layers[1],
  );
const at = entryAt(7);
const raw = (seed: number) => rawValues(2 * 7 * S, seed);
/** The activated value of entry k (σ on x, y, objectness; softmax over the classes of a cell). */
function activated(z: Float32Array) {
  const o = new Float64Array(z.length);
  for (let a = 0; a < 2; a++)
    for (let j = 0; j < H; j++)
      for (let i = 0; i < W; i++) {
        for (const e of [0, 1, 4]) o[at(a, e, j, i)] = sigmoid(z[at(a, e, j, i)]);
        for (const e of [2, 3]) o[at(a, e, j, i)] = z[at(a, e, j, i)];
        const e5 = Math.exp(z[at(a, 5, j, i)]),
          e6 = Math.exp(z[at(a, 6, j, i)]);
        o[at(a, 5, j, i)] = e5 / (e5 + e6);
        o[at(a, 6, j, i)] = e6 / (e5 + e6);
      }
  return o;
}
const predBox = (o: Float64Array, a: number, j: number, i: number, anchors = [0.5, 0.5, 1.0, 0.75]): Box => ({
  x: (i + o[at(a, 0, j, i)]) / W,
  y: (j + o[at(a, 1, j, i)]) / H,
  w: (Math.exp(o[at(a, 2, j, i)]) * anchors[2 * a]) / W,
  h: (Math.exp(o[at(a, 3, j, i)]) * anchors[2 * a + 1]) / H,
});

// Cell (i=1, j=0); its shape is anchor 1's exactly (1.0/2 × 0.75/2 of the image).
const truth: Truth = { cls: 1, x: 0.75, y: 0.25, w: 0.5, h: 0.375 };
const SCALES = 'thresh=1\nobject_scale=5\nnoobject_scale=0.5\nclass_scale=3\ncoord_scale=2\nbias_match=1\n';

/** The deltas of the hand-derived case (seen past the prior term, nothing ignored). */
function expectedDeltas(o: Float64Array) {
  const d = new Float64Array(o.length);
  for (let a = 0; a < 2; a++) for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) d[at(a, 4, j, i)] = 0.5 * (0 - o[at(a, 4, j, i)]);
  const s = 2 * (2 - truth.w * truth.h);
  d[at(1, 0, 0, 1)] = s * (truth.x * W - 1 - o[at(1, 0, 0, 1)]);
  d[at(1, 1, 0, 1)] = s * (truth.y * H - 0 - o[at(1, 1, 0, 1)]);
  d[at(1, 2, 0, 1)] = s * (Math.log((truth.w * W) / 1.0) - o[at(1, 2, 0, 1)]);
  d[at(1, 3, 0, 1)] = s * (Math.log((truth.h * H) / 0.75) - o[at(1, 3, 0, 1)]);
  d[at(1, 4, 0, 1)] = 5 * (1 - o[at(1, 4, 0, 1)]);
  d[at(1, 5, 0, 1)] = 3 * (0 - o[at(1, 5, 0, 1)]);
  d[at(1, 6, 0, 1)] = 3 * (1 - o[at(1, 6, 0, 1)]);
  return d;
}

test('hand-derived: noobject_scale on every objectness, the best-shaped anchor learns box (coord_scale·(2 − w·h)), objectness (object_scale) and softmax class (class_scale)', () => {
  const cfg = head(SCALES);
  const z = raw(1),
    o = activated(z);
  const r = regionLoss(cfg, { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const d = expectedDeltas(o);
  for (let k = 0; k < d.length; k++) assert.ok(Math.abs(r.delta[k] - d[k]) < 1e-5, `entry ${k}: ${r.delta[k]} vs ${d[k]}`);
  const cost = d.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(r.cost - cost) < 1e-5 * cost, `${r.cost} vs ${cost}`);
  assert.ok(Math.abs(r.parts.box + r.parts.obj + r.parts.cls - r.cost) < 1e-5 * cost);
  assert.equal(r.count, 1);
  assert.ok(Math.abs(r.avgIou - boxIou(predBox(o, 1, 0, 1), truth)) < 1e-6);
});

test('seen < 12800: every prediction is also pulled toward its anchor at the cell centre with scale 0.01; from 12800 on it is not', () => {
  const cfg = head(SCALES);
  const z = raw(2),
    o = activated(z);
  const early = regionLoss(cfg, { w: W, h: H }, z, [[truth]], 1);
  const late = regionLoss(cfg, { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const d = expectedDeltas(o);
  for (let a = 0; a < 2; a++)
    for (let j = 0; j < H; j++)
      for (let i = 0; i < W; i++) {
        if (a === 1 && i === 1 && j === 0) continue; // the truth's anchor: overwritten by the truth
        d[at(a, 0, j, i)] = 0.01 * (0.5 - o[at(a, 0, j, i)]);
        d[at(a, 1, j, i)] = 0.01 * (0.5 - o[at(a, 1, j, i)]);
        d[at(a, 2, j, i)] = 0.01 * (0 - o[at(a, 2, j, i)]);
        d[at(a, 3, j, i)] = 0.01 * (0 - o[at(a, 3, j, i)]);
        assert.equal(late.delta[at(a, 0, j, i)], 0);
      }
  for (let k = 0; k < d.length; k++) assert.ok(Math.abs(early.delta[k] - d[k]) < 1e-6, `entry ${k}: ${early.delta[k]} vs ${d[k]}`);
  assert.ok(early.parts.box > late.parts.box);
});

test('rescore: the objectness target is the IoU of the prediction; thresh: predictions overlapping a truth more than it get no objectness delta', () => {
  const z = raw(3),
    o = activated(z);
  const r = regionLoss(head(SCALES + 'rescore=1'), { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const iou = boxIou(predBox(o, 1, 0, 1), truth);
  assert.ok(Math.abs(r.delta[at(1, 4, 0, 1)] - 5 * (iou - o[at(1, 4, 0, 1)])) < 1e-6);

  const t = head(SCALES.replace('thresh=1', 'thresh=0'));
  const q = regionLoss(t, { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  let ignored = 0;
  for (let a = 0; a < 2; a++)
    for (let j = 0; j < H; j++)
      for (let i = 0; i < W; i++) {
        if (a === 1 && i === 1 && j === 0) continue;
        const overlaps = boxIou(predBox(o, a, j, i), truth) > 0;
        if (overlaps) ignored++;
        assert.ok(Math.abs(q.delta[at(a, 4, j, i)] - (overlaps ? 0 : -0.5 * o[at(a, 4, j, i)])) < 1e-6, `anchor ${a} cell ${i},${j}`);
      }
  assert.ok(ignored > 0, 'no prediction overlapped the truth: the case tests nothing');
});

test('bias_match=0: the anchor is chosen by the predicted box shape, not the anchor shape', () => {
  const z = raw(4);
  // Anchor 0 predicts exactly the truth's shape at the truth's cell; anchor 1 a much larger box.
  z[at(0, 2, 0, 1)] = Math.log((truth.w * W) / 0.5);
  z[at(0, 3, 0, 1)] = Math.log((truth.h * H) / 0.5);
  z[at(1, 2, 0, 1)] = 1.5;
  z[at(1, 3, 0, 1)] = 1.5;
  const byShape = regionLoss(head(SCALES.replace('bias_match=1', 'bias_match=0')), { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const byAnchor = regionLoss(head(SCALES), { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const o = activated(z);
  assert.ok(Math.abs(byShape.delta[at(0, 4, 0, 1)] - 5 * (1 - o[at(0, 4, 0, 1)])) < 1e-6);
  assert.ok(Math.abs(byAnchor.delta[at(1, 4, 0, 1)] - 5 * (1 - o[at(1, 4, 0, 1)])) < 1e-6);
});

test("softmax=0: logistic classes; a second truth at the same anchor only raises its own class (darknet's tag)", () => {
  const z = raw(5);
  const cfg = head(SCALES.replace('class_scale=3', 'class_scale=1'), 0);
  assert.equal(cfg.softmax, false);
  const other: Truth = { ...truth, cls: 0, x: 0.7, y: 0.2 };
  const r = regionLoss(cfg, { w: W, h: H }, z, [[truth, other]], PRIOR_SEEN);
  const p5 = sigmoid(z[at(1, 5, 0, 1)]),
    p6 = sigmoid(z[at(1, 6, 0, 1)]);
  assert.ok(Math.abs(r.delta[at(1, 5, 0, 1)] - (1 - p5)) < 1e-6);
  assert.ok(Math.abs(r.delta[at(1, 6, 0, 1)] - (1 - p6)) < 1e-6);
});

test('the gradient is −∂E/∂z (finite differences): E = ½·scale·(t − σ(z))² on x, y, objectness, ½·scale·(t − z)² on w, h, class_scale·cross-entropy of the softmax', () => {
  const cfg = head(SCALES);
  const z = raw(6);
  const r = regionLoss(cfg, { w: W, h: H }, z, [[truth]], PRIOR_SEEN);
  const s = 2 * (2 - truth.w * truth.h);
  const E = (zz: Float64Array) => {
    let e = 0;
    for (let a = 0; a < 2; a++) for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) e += 0.5 * 0.5 * sigmoid(zz[at(a, 4, j, i)]) ** 2;
    const k = (e: number) => at(1, e, 0, 1);
    e -= 0.5 * 0.5 * sigmoid(zz[k(4)]) ** 2;
    e += 0.5 * s * (truth.x * W - 1 - sigmoid(zz[k(0)])) ** 2;
    e += 0.5 * s * (truth.y * H - sigmoid(zz[k(1)])) ** 2;
    e += 0.5 * s * (Math.log(truth.w * W) - zz[k(2)]) ** 2;
    e += 0.5 * s * (Math.log((truth.h * H) / 0.75) - zz[k(3)]) ** 2;
    e += 0.5 * 5 * (1 - sigmoid(zz[k(4)])) ** 2;
    e += 3 * (Math.log(Math.exp(zz[k(5)]) + Math.exp(zz[k(6)])) - zz[k(6)]);
    return e;
  };
  const worst = maxGradientError(E, Float64Array.from(z), 1e-5, r.grad);
  assert.ok(worst < 1e-5, `max |grad + ∂E/∂z| = ${worst}`);
  console.log(`# max |grad + ∂E/∂z (finite difference)| = ${worst.toExponential(1)}`);
});

test('refused with a located error: tree= (softmax_tree), coords ≠ 4, map=', () => {
  for (const [extra, what] of [
    ['tree=data/9k.tree', /layer 1 \[region\] \(line 12\): tree=/],
    ['map=data/coco9k.map', /layer 1 \[region\] \(line 12\): map=/],
  ] as const)
    assertRefused(() => head(extra), what);
  const net = oneHeadNet(16, `[region]\nanchors=0.5,0.5, 1.0,0.75\nclasses=2\ncoords=5\nnum=2\n`);
  assertRefused(() => headLossSetup(net), /layer 1 \[region\] \(line 12\): coords=5/);
});

// ---- against darknet ----------------------------------------------------------------------------

before(async () => {
  await useBackend('train');
});

// darknet counts net.seen (read from the weights header) before the forward: a header of 0 keeps the
// prior term on, one of 12800 turns it off.
for (const [seen, batch] of [
  [0, 1],
  [PRIOR_SEEN, 1],
  [0, 2],
]) {
  test(
    `darknet's printed first-iteration loss on a yolov2-tiny-like cfg equals ours within 1e-3 relative (weights seen=${seen}${batch > 1 ? `, batch=${batch} subdivisions=${batch}` : ''})`,
    { skip },
    () => {
      const dir = tempDir('dp-region-');
      const f = writeDarknetFixture(dir, tinyRegionCfg({ batch, subdivisions: batch, lr: 0.01, maxBatches: seen + 1 }));
      writeFileSync(
        f.weightsPath,
        serializeWeights(f.net, synthesizeWeights(f.net), { major: 0, minor: 2, revision: 5, seen: BigInt(seen) }),
      );
      // darknet numbers iterations from seen/batch: the first line is `seen + 1: loss, …` here (batch 1).
      const theirs = darknetLosses(f)[0];
      const s = trainSettings(f.net);
      const model = buildNetwork(f.net, readWeightsFile(f.weightsPath, f.net), { darknetBackward: true });
      const trainer = new Trainer(model, f.net, { settings: s });
      trainer.seen = seen;
      let ours: number;
      try {
        const images = new Float32Array(f.image.length * batch);
        for (let i = 0; i < batch; i++) images.set(f.image, i * f.image.length);
        ours = trainer.step({ images, boxes: Array.from({ length: batch }, () => f.truths) }).loss;
      } finally {
        trainer.dispose();
        model.dispose();
      }
      const rel = Math.abs(ours - theirs) / Math.abs(theirs);
      console.log(`# seen=${seen} batch=${batch}: darknet ${theirs.toFixed(6)}, ours ${ours.toFixed(6)}, relative ${rel.toExponential(1)}`);
      assert.ok(rel < 1e-3, `darknet ${theirs}, ours ${ours} (relative ${rel})`);
    },
  );
}

test('`train` on a yolov2-tiny-like cfg with synthetic data runs its iterations with a finite loss', { timeout: 300_000 }, () => {
  const dir = tempDir('dp-region-train-');
  writeFileSync(join(dir, 'tiny.cfg'), tinyRegionCfg({ batch: 2, lr: 0.01, maxBatches: 100 }));
  const synth = runCli(synthDataArgs(join(dir, 'set'), 6, 3, 0.34), dir);
  assert.equal(synth.code, 0, synth.err);
  const r = runCli(
    ['train', join(dir, 'tiny.cfg'), '--data', join(dir, 'set', 'obj.data'), '-o', join(dir, 'run'), '--iterations', '3', '--json-events'],
    dir,
  );
  assert.equal(r.code, 0, r.err);
  const losses = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; name?: string; step?: number; value?: number })
    .filter((e) => e.type === 'metric' && e.name === 'loss');
  assert.deepEqual(
    losses.map((e) => e.step),
    [1, 2, 3],
  );
  for (const e of losses) assert.ok(Number.isFinite(e.value) && e.value! > 0, `loss ${e.value}`);
  console.log(`# region train losses: ${losses.map((e) => e.value!.toFixed(3)).join(', ')}`);
});
