// The [region] (YOLOv2) loss as the 2018 darknet's forward_region_layer defines it: per anchor, cell
// and image a `delta` and the head's cost ‖delta‖² (darknet's l.cost). Plain JS over the head's raw
// input in darknet's layout [image][anchor][entry][y][x] (entry: x, y, w, h, objectness, classes);
// the layer's own activation (σ on x, y and objectness; softmax or σ on the classes) is applied here.
//
// delta is taken against the activated x, y and objectness (an MSE there), so the gradient fed back
// into the head's input is delta·σ'(z) on those entries — what darknet's backward_region_layer_gpu
// does (its CPU backward is commented out in the 2018 code, so a CPU darknet never trains a
// [region] head); the softmax/σ class deltas and the raw w, h deltas go back unchanged.
// Semantics and the keys honoured: docs/training.md §The loss.

import type { Layer } from '../cfg/network';
import { boxIou, type Box } from './box-iou';
import {
  anchorBox,
  AssignStats,
  bestAnchor,
  forEachPrediction,
  headLayout,
  imageTruths,
  LossConfigError,
  lossKeys,
  shapeBox,
  type HeadGeometry,
  type Truth,
  type YoloLossStats,
} from './head-loss-common';

export interface RegionLossConfig {
  layer: number;
  classes: number;
  num: number;
  /** Anchor w, h pairs in grid cells (darknet's biases; 0.5 where the cfg lists fewer). */
  anchors: number[];
  softmax: boolean;
  biasMatch: boolean;
  rescore: boolean;
  thresh: number;
  objectScale: number;
  noobjectScale: number;
  classScale: number;
  coordScale: number;
  /** Truths read per image: darknet's loops stop at 30 (and the loader at `max`). */
  maxBoxes: number;
}

/** Images seen before which every prediction is also pulled toward its anchor (darknet's constant). */
export const PRIOR_SEEN = 12800;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** The loss settings of a [region] layer, with darknet's defaults; refuses what is not implemented. */
export function regionLossConfig(l: Layer): RegionLossConfig {
  const { at, opt, num } = lossKeys(l);
  const refuse = (why: string) => {
    throw new LossConfigError(`${at}: ${why}`);
  };
  if (opt('tree') !== undefined) refuse('tree= (softmax_tree, the YOLO9000 hierarchy) has no training loss here');
  if (opt('map') !== undefined) refuse('map= (class remapping) has no training loss here');
  if (num('background', 0)) refuse('background=1 has no training loss here');
  if (num('focal_loss', 0)) refuse('focal_loss=1 is AlexeyAB-only and has no training loss here');
  const a = l.attrs;
  if ((a.coords ?? 4) !== 4)
    refuse(`coords=${a.coords}: only coords=4 has a training loss here (darknet's mask entries are not implemented)`);
  const n = a.num ?? 1;
  const anchors = Array.from({ length: 2 * n }, (_, k) => a.anchors?.[k] ?? 0.5);
  return {
    layer: l.index,
    classes: a.classes!,
    num: n,
    anchors,
    softmax: !!a.softmax,
    biasMatch: num('bias_match', 0) !== 0,
    rescore: num('rescore', 0) !== 0,
    thresh: num('thresh', 0.5),
    objectScale: num('object_scale', 1),
    noobjectScale: num('noobject_scale', 1),
    classScale: num('class_scale', 1),
    coordScale: num('coord_scale', 1),
    maxBoxes: Math.min(30, num('max', 30)),
  };
}

export interface RegionLossResult extends YoloLossStats {
  /** darknet's l.delta (against the activated output), layout of the input. */
  delta: Float32Array;
  /** −∂loss/∂input: delta with σ' on x, y and objectness (darknet's GPU backward). */
  grad: Float32Array;
}

/**
 * forward_region_layer (training part) for a batch. `input` is the head's raw input
 * [batch][anchor][entry][y][x]; `seen` the images darknet has counted when this batch runs
 * (net.seen, incremented before the forward).
 */
export function regionLoss(
  cfg: RegionLossConfig,
  geo: Pick<HeadGeometry, 'w' | 'h'>,
  input: Float32Array,
  truths: readonly (readonly Truth[])[],
  seen: number,
): RegionLossResult {
  const { w, h } = geo;
  const n = cfg.num,
    C = cfg.classes,
    per = 5 + C,
    batch = truths.length;
  const { stride, outputs, entry } = headLayout(cfg.layer, n, per, w, h, batch, input.length, 'input');
  // The layer's activation.
  const x = new Float32Array(input.length);
  for (let b = 0; b < batch; b++) {
    for (let a = 0; a < n; a++) {
      const base = b * outputs + a * per * stride;
      for (let k = 0; k < 2 * stride; k++) x[base + k] = sigmoid(input[base + k]);
      for (let k = 2 * stride; k < 4 * stride; k++) x[base + k] = input[base + k];
      for (let k = 4 * stride; k < 5 * stride; k++) x[base + k] = sigmoid(input[base + k]);
      const cls = base + 5 * stride;
      for (let loc = 0; loc < stride; loc++) {
        if (!cfg.softmax) {
          for (let c = 0; c < C; c++) x[cls + c * stride + loc] = sigmoid(input[cls + c * stride + loc]);
          continue;
        }
        let m = -Infinity;
        for (let c = 0; c < C; c++) m = Math.max(m, input[cls + c * stride + loc]);
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(input[cls + c * stride + loc] - m);
        for (let c = 0; c < C; c++) x[cls + c * stride + loc] = Math.exp(input[cls + c * stride + loc] - m) / s;
      }
    }
  }
  const delta = new Float32Array(input.length);
  const bias = cfg.anchors;
  const getBox = (index: number, anchor: number, i: number, j: number): Box => ({
    x: (i + x[index]) / w,
    y: (j + x[index + stride]) / h,
    w: (Math.exp(x[index + 2 * stride]) * bias[2 * anchor]) / w,
    h: (Math.exp(x[index + 3 * stride]) * bias[2 * anchor + 1]) / h,
  });
  /** delta_region_box: returns the IoU of the prediction with the truth. */
  const deltaBox = (t: Box, anchor: number, index: number, i: number, j: number, scale: number): number => {
    const iou = boxIou(getBox(index, anchor, i, j), t);
    const target = [t.x * w - i, t.y * h - j, Math.log((t.w * w) / bias[2 * anchor]), Math.log((t.h * h) / bias[2 * anchor + 1])];
    for (let k = 0; k < 4; k++) delta[index + k * stride] = scale * (target[k] - x[index + k * stride]);
    return iou;
  };
  /** delta_region_class without a tree; `tag` (softmax off): a second truth at an anchor only raises its class. */
  const deltaClass = (index: number, cls: number, scale: number): number => {
    if (delta[index] && !cfg.softmax) {
      delta[index + stride * cls] = scale * (1 - x[index + stride * cls]);
      return 0;
    }
    for (let c = 0; c < C; c++) delta[index + stride * c] = scale * ((c === cls ? 1 : 0) - x[index + stride * c]);
    return x[index + stride * cls];
  };

  const stats = new AssignStats();
  for (let b = 0; b < batch; b++) {
    // No class filter (the 2018 darknet reads any class id).
    const ts = imageTruths(truths[b], cfg.maxBoxes);
    forEachPrediction(w, h, n, (i, j, a, loc) => {
      const boxIndex = entry(b, a, loc, 0),
        objIndex = entry(b, a, loc, 4);
      const pred = getBox(boxIndex, a, i, j);
      let bestIou = 0;
      for (const t of ts) {
        const iou = boxIou(pred, t);
        if (iou > bestIou) bestIou = iou; // as darknet: a NaN IoU (an overflowed box) never wins
      }
      delta[objIndex] = bestIou > cfg.thresh ? 0 : cfg.noobjectScale * (0 - x[objIndex]);
      if (seen < PRIOR_SEEN) {
        const prior: Box = { x: (i + 0.5) / w, y: (j + 0.5) / h, w: bias[2 * a] / w, h: bias[2 * a + 1] / h };
        deltaBox(prior, a, boxIndex, i, j, 0.01);
      }
    });
    for (const t of ts) {
      // darknet's (int) cast; a truth on the right or bottom edge stays in the last cell.
      const i = Math.min(w - 1, Math.trunc(t.x * w)),
        j = Math.min(h - 1, Math.trunc(t.y * h));
      const loc = j * w + i;
      // bias_match: the anchor shapes (in grid cells); otherwise the shapes the anchors predict at the cell.
      const bestN = bestAnchor(t, n, (a) => {
        if (cfg.biasMatch) return anchorBox(bias, a, w, h);
        const p = getBox(entry(b, a, loc, 0), a, i, j);
        return shapeBox(p.w, p.h);
      });
      const boxIndex = entry(b, bestN, loc, 0),
        objIndex = entry(b, bestN, loc, 4);
      const iou = deltaBox(t, bestN, boxIndex, i, j, cfg.coordScale * (2 - t.w * t.h));
      delta[objIndex] = cfg.objectScale * ((cfg.rescore ? iou : 1) - x[objIndex]);
      deltaClass(entry(b, bestN, loc, 5), t.cls, cfg.classScale);
      stats.add(iou);
    }
  }
  const grad = Float32Array.from(delta);
  for (let k = 0; k < delta.length; k++) {
    const e = Math.floor((k % (per * stride)) / stride);
    if (e === 0 || e === 1 || e === 4) grad[k] = delta[k] * x[k] * (1 - x[k]);
  }
  return { delta, grad, ...stats.summary(delta, per, stride, 4) };
}
