// AlexeyAB darknet's [Gaussian_yolo] loss (core/src/train/gaussian-yolo-loss.ts) against
// hand-derived cases and finite differences (Debian's darknet has no Gaussian_yolo layer), and a
// training step through the trainer's head-loss dispatch.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { boxIou, boxMeasure, type Box } from '../../core/src/train/box-iou';
import { gaussianYoloLoss, gaussianYoloLossConfig } from '../../core/src/train/gaussian-yolo-loss';
import type { Truth } from '../../core/src/train/yolo-loss';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { buildNetwork } from '../../core/src/nn/model';
import { Trainer } from '../../core/src/train/trainer';
import { trainSettings } from '../../core/src/train/lr-policy';
import { useBackend } from '../nn/helpers';
import { symmetricImage, SIZE } from './darknet-fixture';
import { assertRefused, entryAt, H, maxGradientError, measurePartial, rawValues, S, W, yoloFamilyHead } from './loss-fixture';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A 2×2-grid head on a 64×64 net: anchor slot 1 of two, two classes (11 entries per anchor). */
const PER = 11;
const head = (extra = '', mask = '1', num = 2) => gaussianYoloLossConfig(yoloFamilyHead('Gaussian_yolo', PER, extra, mask, num));
const at = entryAt(PER);
/** Raw z and the head's activated output: σ on every entry but the w, h means (4, 6). */
function outputs(seed: number, slots = 1) {
  const z = rawValues(slots * PER * S, seed);
  const o = new Float32Array(z.length);
  for (let k = 0; k < z.length; k++) {
    const e = Math.floor(k / S) % PER;
    o[k] = e === 4 || e === 6 ? z[k] : sigmoid(z[k]);
  }
  return { z, o };
}

const truth: Truth = { cls: 1, x: 0.75, y: 0.25, w: 0.5, h: 0.375 }; // cell (i=1, j=0); anchor 1 (40×24) fits best
const geo = { w: W, h: H, netW: 64, netH: 64 };

/** darknet's Gaussian: N = exp(−(d/σ)²/2) / (√(2π)·(σ + 0.3)); its deltas are scaled by N/(N + 1e-9). */
const gauss = (t: number, mu: number, sigma: number) => {
  const d = t - mu;
  const N = Math.exp(-0.5 * (d / sigma) ** 2) / (Math.sqrt(2 * Math.PI) * (sigma + 0.3));
  return { d, N, k: N / (N + 1e-9) };
};

test('hand-derived: μ deltas ½·scale·iou_normalizer·(t − μ)/σ², σ deltas ½·scale·uc_normalizer·((t − μ)²/σ³ − 1/(σ + 0.3)); objectness and classes as [yolo]', () => {
  const cfg = head('iou_normalizer=0.5\nuc_normalizer=2');
  const { o } = outputs(1);
  const r = gaussianYoloLoss(cfg, geo, o, [[truth]]);
  const scale = 2 - truth.w * truth.h;
  const expected = new Float64Array(o.length);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) expected[at(0, 8, j, i)] = -o[at(0, 8, j, i)];
  const targets = [truth.x * W - 1, truth.y * H - 0, Math.log((truth.w * 64) / 40), Math.log((truth.h * 64) / 24)];
  targets.forEach((t, c) => {
    const mu = o[at(0, 2 * c, 0, 1)],
      sigma = o[at(0, 2 * c + 1, 0, 1)];
    const { d, k } = gauss(t, mu, sigma);
    expected[at(0, 2 * c, 0, 1)] = 0.5 * scale * k * 0.5 * (d / sigma ** 2);
    expected[at(0, 2 * c + 1, 0, 1)] = 0.5 * scale * k * 2 * (d ** 2 / sigma ** 3 - 1 / (sigma + 0.3));
  });
  expected[at(0, 8, 0, 1)] = 1 - o[at(0, 8, 0, 1)];
  expected[at(0, 9, 0, 1)] = 0 - o[at(0, 9, 0, 1)];
  expected[at(0, 10, 0, 1)] = 1 - o[at(0, 10, 0, 1)];
  for (let k = 0; k < o.length; k++) assert.ok(Math.abs(r.delta[k] - expected[k]) < 1e-5, `entry ${k}: ${r.delta[k]} vs ${expected[k]}`);
  const cost = expected.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(r.cost - cost) < 1e-5 * cost);
  assert.ok(Math.abs(r.parts.box + r.parts.obj + r.parts.cls - r.cost) < 1e-5 * cost);
  assert.equal(r.count, 1);
  const pred: Box = {
    x: (1 + o[at(0, 0, 0, 1)]) / W,
    y: o[at(0, 2, 0, 1)] / H,
    w: (Math.exp(o[at(0, 4, 0, 1)]) * 40) / 64,
    h: (Math.exp(o[at(0, 6, 0, 1)]) * 24) / 64,
  };
  assert.ok(Math.abs(r.avgIou - boxIou(pred, truth)) < 1e-6);
});

test('the deltas are −∂E/∂v (finite differences): E = ½·scale·w·NLL of the Gaussians over the box outputs, cross-entropy of the logistic over objectness and class inputs', () => {
  const cfg = head('iou_normalizer=1');
  const { z, o } = outputs(2);
  const r = gaussianYoloLoss(cfg, geo, o, [[truth]]);
  const scale = 2 - truth.w * truth.h;
  const targets = [truth.x * W - 1, truth.y * H, Math.log((truth.w * 64) / 40), Math.log((truth.h * 64) / 24)];
  // w: darknet's N/(N + ε) factor, held at the point (it is not differentiated).
  const weights = targets.map((t, c) => gauss(t, o[at(0, 2 * c, 0, 1)], o[at(0, 2 * c + 1, 0, 1)]).k);
  // v: the box entries as the head outputs them (darknet's delta is taken there and passed on
  // unchanged); objectness and classes as their logistic's input.
  const v = Float64Array.from(o);
  for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) for (let e = 8; e < PER; e++) v[at(0, e, j, i)] = z[at(0, e, j, i)];
  const ce = (zz: number, t: number) => Math.log1p(Math.exp(zz)) - t * zz;
  const E = (vv: Float64Array) => {
    let e = 0;
    targets.forEach((t, c) => {
      const mu = vv[at(0, 2 * c, 0, 1)],
        sigma = vv[at(0, 2 * c + 1, 0, 1)];
      const nll = 0.5 * ((t - mu) / sigma) ** 2 + Math.log(Math.sqrt(2 * Math.PI) * (sigma + 0.3));
      e += 0.5 * scale * weights[c] * nll;
    });
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) e += ce(vv[at(0, 8, j, i)], i === 1 && j === 0 ? 1 : 0);
    e += ce(vv[at(0, 9, 0, 1)], 0) + ce(vv[at(0, 10, 0, 1)], 1);
    return e;
  };
  const worst = maxGradientError(E, v, 1e-6, r.delta);
  assert.ok(worst < 1e-5, `max |delta + ∂E/∂v| = ${worst}`);
  console.log(`# max |delta + ∂E/∂v (finite difference)| = ${worst.toExponential(1)}`);
});

test('iou_loss=giou: μ deltas are iou_normalizer·∂GIoU/∂(x, y) and ∂GIoU/∂(w, h)·e^t; σ deltas stay Gaussian', () => {
  const plain = head('iou_normalizer=0.07');
  const cfg = head('iou_loss=giou\niou_normalizer=0.07');
  const { o } = outputs(4);
  const a = gaussianYoloLoss(plain, geo, o, [[truth]]);
  const r = gaussianYoloLoss(cfg, geo, o, [[truth]]);
  const idx = (e: number) => at(0, e, 0, 1);
  const pred: Box = { x: (1 + o[idx(0)]) / W, y: o[idx(2)] / H, w: (Math.exp(o[idx(4)]) * 40) / 64, h: (Math.exp(o[idx(6)]) * 24) / 64 };
  const fd = (key: keyof Box) => measurePartial(pred, truth, 'giou', key);
  assert.ok(Math.abs(r.delta[idx(0)] - 0.07 * fd('x')) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(2)] - 0.07 * fd('y')) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(4)] - 0.07 * fd('w') * Math.exp(o[idx(4)])) < 1e-6);
  assert.ok(Math.abs(r.delta[idx(6)] - 0.07 * fd('h') * Math.exp(o[idx(6)])) < 1e-6);
  for (const e of [1, 3, 5, 7]) assert.equal(r.delta[idx(e)], a.delta[idx(e)]);
  assert.ok(Math.abs(r.avgIou - boxMeasure(pred, truth, 'giou')) < 1e-6, 'darknet reports the GIoU');
});

test('yolo_point=left_top: the box is anchored at its top-left corner (cell, prediction and target)', () => {
  const cfg = head('yolo_point=left_top\niou_normalizer=1');
  const { o } = outputs(5);
  const r = gaussianYoloLoss(cfg, geo, o, [[truth]]);
  // Top-left corner (0.5, 0.0625) → cell i = 1, j = 0; tx = 0.5·2 − 1 = 0, ty = 0.0625·2.
  const mu = o[at(0, 0, 0, 1)],
    sigma = o[at(0, 1, 0, 1)];
  const { d, k } = gauss(0, mu, sigma);
  assert.ok(Math.abs(r.delta[at(0, 0, 0, 1)] - 0.5 * (2 - truth.w * truth.h) * k * (d / sigma ** 2)) < 1e-6);
  const muY = o[at(0, 2, 0, 1)],
    sigmaY = o[at(0, 3, 0, 1)];
  const gy = gauss(0.125, muY, sigmaY);
  assert.ok(Math.abs(r.delta[at(0, 2, 0, 1)] - 0.5 * (2 - truth.w * truth.h) * gy.k * (gy.d / sigmaY ** 2)) < 1e-6);
  const pw = (Math.exp(o[at(0, 4, 0, 1)]) * 40) / 64,
    ph = (Math.exp(o[at(0, 6, 0, 1)]) * 24) / 64;
  const pred: Box = { x: (1 + mu) / W + pw / 2, y: muY / H + ph / 2, w: pw, h: ph };
  assert.ok(Math.abs(r.avgIou - boxIou(pred, truth)) < 1e-6);
});

test('obj_normalizer, label_smooth_eps, counters_per_class, objectness_smooth, max_delta', () => {
  const { o } = outputs(6);
  const r = gaussianYoloLoss(head('obj_normalizer=2\nlabel_smooth_eps=0.1\ncounters_per_class=30,10'), geo, o, [[truth]]);
  const mult = 3;
  assert.ok(Math.abs(r.delta[at(0, 8, 0, 1)] - mult * 2 * (1 - o[at(0, 8, 0, 1)])) < 1e-6);
  assert.ok(Math.abs(r.delta[at(0, 8, 1, 0)] - 2 * (0 - o[at(0, 8, 1, 0)])) < 1e-6);
  assert.ok(Math.abs(r.delta[at(0, 10, 0, 1)] - (0.95 - o[at(0, 10, 0, 1)]) * mult) < 1e-6);
  assert.ok(Math.abs(r.delta[at(0, 9, 0, 1)] - (0.05 - o[at(0, 9, 0, 1)])) < 1e-6);

  // objectness_smooth with ignore_thresh=0: a prediction overlapping a truth (some class > 0.25)
  // gets objectness target IoU² instead of 0, and learns the class.
  const smooth = { ...head('objectness_smooth=1'), ignoreThresh: 0 };
  // Cell (0, 0) predicts a large box of class 1, overlapping the truth.
  o[at(0, 4, 0, 0)] = 1.5;
  o[at(0, 6, 0, 0)] = 1.5;
  o[at(0, 10, 0, 0)] = 0.9;
  const q = gaussianYoloLoss(smooth, geo, o, [[truth]]);
  let smoothed = 0;
  for (let j = 0; j < H; j++)
    for (let i = 0; i < W; i++) {
      if (i === 1 && j === 0) continue;
      const pred: Box = {
        x: (i + o[at(0, 0, j, i)]) / W,
        y: (j + o[at(0, 2, j, i)]) / H,
        w: (Math.exp(o[at(0, 4, j, i)]) * 40) / 64,
        h: (Math.exp(o[at(0, 6, j, i)]) * 24) / 64,
      };
      const iou = boxIou(pred, truth);
      const match = o[at(0, 9, j, i)] > 0.25 || o[at(0, 10, j, i)] > 0.25;
      const want = iou > 0 && match ? iou * iou - o[at(0, 8, j, i)] : -o[at(0, 8, j, i)];
      if (iou > 0 && match) smoothed++;
      assert.ok(Math.abs(q.delta[at(0, 8, j, i)] - want) < 1e-6, `cell ${i},${j}`);
    }
  assert.ok(smoothed > 0, 'no prediction overlapped the truth: the case tests nothing');

  const clipped = gaussianYoloLoss(head('max_delta=0.01'), geo, o, [[truth]]);
  for (let e = 0; e < 8; e++) assert.ok(Math.abs(clipped.delta[at(0, e, 0, 1)]) <= 0.01 + 1e-9);
});

test('iou_thresh: other anchors of the head whose shape IoU with the truth exceeds it learn the truth too', () => {
  const { o } = outputs(7, 3);
  const a = gaussianYoloLoss(head('iou_thresh=1', '0,1,2', 3), geo, o, [[truth]]);
  const b = gaussianYoloLoss(head('iou_thresh=0.2', '0,1,2', 3), geo, o, [[truth]]);
  assert.equal(a.count, 1);
  assert.ok(b.count > 1, `extra anchors assigned: ${b.count - 1}`);
});

test('refused with a located error: map=, an unknown iou_loss or yolo_point', () => {
  for (const [extra, what] of [
    ['map=data/coco.map', /layer 1 \[Gaussian_yolo\] \(line 12\): map=/],
    ['iou_loss=foo', /layer 1 \[Gaussian_yolo\] \(line 12\): iou_loss=foo is not one of/],
    ['yolo_point=middle', /layer 1 \[Gaussian_yolo\] \(line 12\): yolo_point=middle is not one of/],
  ] as const)
    assertRefused(() => head(extra), what);
});

before(async () => {
  await useBackend('train');
});

test('the trainer trains a [Gaussian_yolo] network: head-loss dispatch, darknet cost as the loss, the loss falls on one image', () => {
  const cfg = `[net]\nbatch=1\nsubdivisions=1\nwidth=${SIZE}\nheight=${SIZE}\nchannels=3\nmomentum=0.9\ndecay=0.0005\nlearning_rate=0.001\nburn_in=0\nmax_batches=10\npolicy=constant\n
[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=2\npad=1\nactivation=leaky\n
[maxpool]\nsize=2\nstride=2\n
[convolutional]\nbatch_normalize=1\nfilters=16\nsize=3\nstride=2\npad=1\nactivation=leaky\n
[maxpool]\nsize=2\nstride=2\n
[convolutional]\nfilters=33\nsize=1\nstride=1\npad=1\nactivation=linear\n
[Gaussian_yolo]\nmask=0,1,2\nanchors=10,14, 23,27, 37,58\nclasses=2\nnum=3\nignore_thresh=.7\ntruth_thresh=1\n`;
  const net = analyseText(cfg);
  const model = buildNetwork(net, synthesizeWeights(net), { darknetBackward: true });
  const trainer = new Trainer(model, net, { settings: trainSettings(net) });
  const { rgba, truths } = symmetricImage();
  const image = new Float32Array(3 * SIZE * SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) image[c * SIZE * SIZE + i] = rgba[i * 4 + c] / 255;
  const losses: number[] = [];
  try {
    for (let k = 0; k < 8; k++) {
      const r = trainer.step({ images: image, boxes: [truths] });
      assert.ok(Math.abs(r.loss - r.heads[0].cost) < 1e-9 * r.loss, 'one head, one image: the loss is its ‖delta‖²');
      losses.push(r.loss);
    }
  } finally {
    trainer.dispose();
    model.dispose();
  }
  console.log(`# Gaussian_yolo losses: ${losses.map((l) => l.toFixed(3)).join(', ')}`);
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1] < losses[0], `loss ${losses[0]} → ${losses[losses.length - 1]}`);
});
