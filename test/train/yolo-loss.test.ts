// darknet's [yolo] loss (core/src/train/yolo-loss.ts) against hand-derived cases, and its deltas and
// the IoU-family derivatives against finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxMeasure, boxMeasureGrad, type Box, type IouKind } from '../../core/src/train/box-iou';
import { yoloLoss, yoloLossConfig, type Truth } from '../../core/src/train/yolo-loss';
import { XorShift32 } from '../../core/src/weights/synth';
import { entryAt, H, maxGradientError, measurePartial, rawValues, S, W, yoloFamilyHead } from './loss-fixture';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A 2×2-grid head on a 64×64 net: one anchor slot of two, two classes. */
const head = (extra = '', mask = '1', num = 2) => yoloLossConfig(yoloFamilyHead('yolo', 7, extra, mask, num));
const at = entryAt(7);

/** Raw values z (darknet layout) and the head's activated output (σ on x, y, obj, classes; scale_x_y on x, y). */
function outputs(seed: number, slots = 1, scale = 1) {
  const z = rawValues(slots * 7 * S, seed);
  const act = (z: Float32Array) => {
    const o = new Float32Array(z.length);
    for (let k = 0; k < z.length; k++) {
      const e = Math.floor(k / S) % 7;
      o[k] = e === 2 || e === 3 ? z[k] : sigmoid(z[k]);
      if (e < 2) o[k] = Math.fround(o[k] * scale - 0.5 * (scale - 1));
    }
    return o;
  };
  return { z, act };
}

const truth: Truth = { cls: 1, x: 0.75, y: 0.25, w: 0.5, h: 0.375 }; // cell (i=1, j=0); anchor 1 (40×24) fits best

test('2018 semantics, hand-derived: every cell pulls objectness to 0, the best anchor learns the box and the class', () => {
  const cfg = head();
  assert.equal(cfg.alexey, false);
  const { z, act } = outputs(1);
  const o = act(z);
  const r = yoloLoss(cfg, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  const scale = 2 - truth.w * truth.h;
  const expected = new Float32Array(o.length);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) expected[at(0, 4, j, i)] = -o[at(0, 4, j, i)];
  expected[at(0, 0, 0, 1)] = scale * (truth.x * W - 1 - o[at(0, 0, 0, 1)]);
  expected[at(0, 1, 0, 1)] = scale * (truth.y * H - 0 - o[at(0, 1, 0, 1)]);
  expected[at(0, 2, 0, 1)] = scale * (Math.log((truth.w * 64) / 40) - o[at(0, 2, 0, 1)]);
  expected[at(0, 3, 0, 1)] = scale * (Math.log((truth.h * 64) / 24) - o[at(0, 3, 0, 1)]);
  expected[at(0, 4, 0, 1)] = 1 - o[at(0, 4, 0, 1)];
  expected[at(0, 5, 0, 1)] = 0 - o[at(0, 5, 0, 1)];
  expected[at(0, 6, 0, 1)] = 1 - o[at(0, 6, 0, 1)];
  for (let k = 0; k < o.length; k++) assert.ok(Math.abs(r.delta[k] - expected[k]) < 1e-6, `entry ${k}: ${r.delta[k]} vs ${expected[k]}`);
  const cost = expected.reduce((s, d) => s + d * d, 0);
  assert.ok(Math.abs(r.cost - cost) < 1e-5 * cost);
  assert.equal(r.count, 1);
  // The components: box entries 0–3 of anchor slot 0's cell (1, 0), objectness of every cell, classes.
  let box = 0,
    obj = 0;
  for (let e = 0; e < 4; e++) box += expected[at(0, e, 0, 1)] ** 2;
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) obj += expected[at(0, 4, j, i)] ** 2;
  const cls = expected[at(0, 5, 0, 1)] ** 2 + expected[at(0, 6, 0, 1)] ** 2;
  for (const [got, want] of [
    [r.parts.box, box],
    [r.parts.obj, obj],
    [r.parts.cls, cls],
  ])
    assert.ok(Math.abs(got - want) < 1e-5 * cost, `${got} vs ${want}`);
  assert.ok(Math.abs(r.parts.box + r.parts.obj + r.parts.cls - r.cost) < 1e-5 * cost);
});

test('the deltas are −∂E/∂z (finite differences) of cross-entropy on the logistic entries and ½·scale·(t − z)² on w, h', () => {
  const cfg = head();
  const { z, act } = outputs(2);
  const r = yoloLoss(cfg, { w: W, h: H, netW: 64, netH: 64 }, act(z), [[truth]]);
  const scale = 2 - truth.w * truth.h;
  // Targets and weights by hand (assignment as in the hand-derived case).
  const target = new Map<number, { t: number; w: number; logistic: boolean }>();
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) target.set(at(0, 4, j, i), { t: 0, w: 1, logistic: true });
  target.set(at(0, 0, 0, 1), { t: truth.x * W - 1, w: scale, logistic: true });
  target.set(at(0, 1, 0, 1), { t: truth.y * H, w: scale, logistic: true });
  target.set(at(0, 2, 0, 1), { t: Math.log((truth.w * 64) / 40), w: scale, logistic: false });
  target.set(at(0, 3, 0, 1), { t: Math.log((truth.h * 64) / 24), w: scale, logistic: false });
  target.set(at(0, 4, 0, 1), { t: 1, w: 1, logistic: true });
  target.set(at(0, 5, 0, 1), { t: 0, w: 1, logistic: true });
  target.set(at(0, 6, 0, 1), { t: 1, w: 1, logistic: true });
  const E = (zz: Float64Array) => {
    let e = 0;
    for (const [k, { t, w, logistic }] of target) {
      e += logistic ? w * (Math.log1p(Math.exp(zz[k])) - t * zz[k]) : 0.5 * w * (t - zz[k]) ** 2;
    }
    return e;
  };
  const worst = maxGradientError(E, Float64Array.from(z), 1e-5, r.delta);
  assert.ok(worst < 1e-5, `max |delta + ∂E/∂z| = ${worst}`);
  console.log(`# max |delta + ∂E/∂z (finite difference)| = ${worst.toExponential(1)}`);
});

test('IoU, GIoU, DIoU, CIoU: forward-mode partials match central differences', () => {
  const rng = new XorShift32(9);
  const u = () => (rng.next() >>> 8) / 16777216;
  const worst: Record<IouKind, number> = { iou: 0, giou: 0, diou: 0, ciou: 0 };
  for (let n = 0; n < 200; n++) {
    const t: Box = { x: 0.3 + 0.4 * u(), y: 0.3 + 0.4 * u(), w: 0.1 + 0.3 * u(), h: 0.1 + 0.3 * u() };
    const p: Box = { x: t.x + 0.2 * (u() - 0.5), y: t.y + 0.2 * (u() - 0.5), w: 0.1 + 0.3 * u(), h: 0.1 + 0.3 * u() };
    for (const kind of ['iou', 'giou', 'diou', 'ciou'] as IouKind[]) {
      const { grad } = boxMeasureGrad(p, t, kind);
      (['x', 'y', 'w', 'h'] as const).forEach((key, k) => {
        worst[kind] = Math.max(worst[kind], Math.abs(measurePartial(p, t, kind, key) - grad[k]));
      });
    }
  }
  for (const [kind, err] of Object.entries(worst)) assert.ok(err < 1e-6, `${kind}: max error ${err}`);
  console.log(
    `# max |∂ − finite difference|: ${Object.entries(worst)
      .map(([k, v]) => `${k} ${v.toExponential(1)}`)
      .join(', ')}`,
  );
});

test('AlexeyAB keys: iou_normalizer, obj_normalizer, label_smooth_eps, scale_x_y, counters_per_class', () => {
  const cfg = head('iou_normalizer=0.5\nobj_normalizer=2\nlabel_smooth_eps=0.1\nscale_x_y=1.2\ncounters_per_class=30,10');
  assert.equal(cfg.alexey, true);
  const { z, act } = outputs(3, 1, 1.2);
  const o = act(z);
  const r = yoloLoss(cfg, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  const scale = 2 - truth.w * truth.h,
    mult = 30 / 10; // class 1 has 10 of max 30 boxes
  // Box: MSE on the scaled output, times iou_normalizer and the class multiplier.
  assert.ok(Math.abs(r.delta[at(0, 0, 0, 1)] - scale * (truth.x * W - 1 - o[at(0, 0, 0, 1)]) * 0.5 * mult) < 1e-6);
  // Objectness: obj_normalizer on both targets.
  assert.ok(Math.abs(r.delta[at(0, 4, 0, 1)] - 2 * (1 - o[at(0, 4, 0, 1)])) < 1e-6);
  assert.ok(Math.abs(r.delta[at(0, 4, 1, 0)] - 2 * (0 - o[at(0, 4, 1, 0)])) < 1e-6);
  // Classes: smoothed targets 1·(1−ε)+ε/2 and ε/2; the true class times multiplier·cls_normalizer (1).
  assert.ok(Math.abs(r.delta[at(0, 6, 0, 1)] - (0.95 - o[at(0, 6, 0, 1)]) * mult) < 1e-6);
  assert.ok(Math.abs(r.delta[at(0, 5, 0, 1)] - (0.05 - o[at(0, 5, 0, 1)])) < 1e-6);
});

test('giou loss: box deltas are iou_normalizer·∂GIoU/∂(x, y) and ∂GIoU/∂(w, h)·e^t (AlexeyAB)', () => {
  const cfg = head('iou_loss=giou\niou_normalizer=0.07');
  const { z, act } = outputs(4);
  const o = act(z);
  const r = yoloLoss(cfg, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  const idx = (e: number) => at(0, e, 0, 1);
  const pred: Box = { x: (1 + o[idx(0)]) / W, y: o[idx(1)] / H, w: (Math.exp(o[idx(2)]) * 40) / 64, h: (Math.exp(o[idx(3)]) * 24) / 64 };
  const fd = (key: keyof Box) => measurePartial(pred, truth, 'giou', key);
  // Only one class has a positive delta here, so AlexeyAB's averaging divides by 1.
  assert.ok(Math.abs(r.delta[idx(0)] - 0.07 * fd('x')) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(1)] - 0.07 * fd('y')) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(2)] - 0.07 * fd('w') * Math.exp(o[idx(2)])) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(3)] - 0.07 * fd('h') * Math.exp(o[idx(3)])) < 1e-6);
});

test('iou_thresh: other anchors of the head whose shape IoU with the truth exceeds it learn the truth too', () => {
  const without = head('iou_thresh=1', '0,1,2', 3),
    withExtra = head('iou_thresh=0.2', '0,1,2', 3);
  const { z, act } = outputs(5, 3);
  const o = act(z);
  const a = yoloLoss(without, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  const b = yoloLoss(withExtra, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  assert.equal(a.count, 1);
  assert.ok(b.count > 1, `extra anchors assigned: ${b.count - 1}`);
});

test('ignore_thresh: a prediction overlapping a truth more than the threshold gets no objectness delta (2018)', () => {
  const cfg = { ...head(), ignoreThresh: 0 };
  const { z, act } = outputs(7);
  const o = act(z);
  const r = yoloLoss(cfg, { w: W, h: H, netW: 64, netH: 64 }, o, [[truth]]);
  let ignored = 0;
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < W; i++) {
      const k = at(0, 4, j, i);
      if (i === 1 && j === 0) {
        assert.ok(Math.abs(r.delta[k] - (1 - o[k])) < 1e-6);
        continue;
      }
      const pred: Box = {
        x: (i + o[at(0, 0, j, i)]) / W,
        y: (j + o[at(0, 1, j, i)]) / H,
        w: (Math.exp(o[at(0, 2, j, i)]) * 40) / 64,
        h: (Math.exp(o[at(0, 3, j, i)]) * 24) / 64,
      };
      const overlaps = boxMeasure(pred, truth, 'iou') > 0;
      if (overlaps) ignored++;
      assert.ok(Math.abs(r.delta[k] - (overlaps ? 0 : -o[k])) < 1e-6, `cell ${i},${j}`);
    }
  }
  assert.ok(ignored > 0, 'no prediction overlapped the truth: the case tests nothing');
});
