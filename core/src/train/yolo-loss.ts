// The [yolo] loss as darknet's forward_yolo_layer defines it: per anchor, cell and image a `delta`
// (the negative gradient darknet back-propagates into the head's input, unchanged by the head's
// logistic because the objectness/class/x/y terms are cross-entropies on it) and the head's cost
// ‖delta‖². Plain JS over darknet's output layout [image][anchor][entry][y][x] (entry: x, y, w, h,
// objectness, classes), the head's activated output as input.
//
// Semantics: a [yolo] section that uses only keys the 2018 darknet (pjreddie) knows gets the 2018
// semantics; one that uses any AlexeyAB-only key (iou_loss, iou_normalizer, cls_normalizer,
// obj_normalizer, iou_thresh, scale_x_y, new_coords, label_smooth_eps, counters_per_class, max_delta)
// gets AlexeyAB's. The differences (docs/training.md): the ignore rule (AlexeyAB counts a truth only
// when some class probability of the prediction exceeds 0.25), MSE box deltas assigned (2018) or
// accumulated (AlexeyAB), and AlexeyAB's averaging of box deltas over the classes with a positive
// delta at an anchor.

import type { Layer } from '../cfg/network';
import { boxIou, boxMeasureGrad, type Box, type IouKind } from './box-iou';
import {
  anchorBox,
  AssignStats,
  averageBoxDeltas,
  bestAnchor,
  classMatch,
  classMultipliers,
  clip,
  forEachPrediction,
  headLayout,
  headMask,
  imageTruths,
  labelSmoother,
  lossKeys,
  shapeBox,
  type HeadGeometry,
  type Truth,
  type YoloLossStats,
} from './head-loss-common';

export { LossConfigError, type HeadGeometry, type LossParts, type Truth, type YoloLossStats } from './head-loss-common';

export interface YoloLossConfig {
  layer: number;
  classes: number;
  /** Anchor indices of this head. */
  mask: number[];
  /** All anchors (w, h pairs in network pixels). */
  anchors: number[];
  ignoreThresh: number;
  truthThresh: number;
  /** Extra anchors whose IoU with the truth exceeds this also learn it (AlexeyAB; 1 = off). */
  iouThresh: number;
  iouLoss: 'mse' | IouKind;
  iouNormalizer: number;
  clsNormalizer: number;
  objNormalizer: number;
  scaleXY: number;
  newCoords: boolean;
  labelSmoothEps: number;
  maxDelta: number;
  /** Truths read per image (darknet's `max`). */
  maxBoxes: number;
  /** counters_per_class → class multipliers max(count)/count (AlexeyAB), or undefined. */
  classMultipliers: number[] | undefined;
  /** AlexeyAB semantics (some AlexeyAB-only key is present). */
  alexey: boolean;
}

const ALEXEY_KEYS = [
  'iou_loss',
  'iou_normalizer',
  'cls_normalizer',
  'obj_normalizer',
  'iou_thresh',
  'scale_x_y',
  'new_coords',
  'label_smooth_eps',
  'counters_per_class',
  'max_delta',
];

/** The loss settings of a [yolo] layer, with darknet's defaults. */
export function yoloLossConfig(l: Layer): YoloLossConfig {
  const { opt, num, oneOf } = lossKeys(l);
  const alexey = ALEXEY_KEYS.some((k) => opt(k) !== undefined);
  const a = l.attrs;
  const iouLoss = oneOf<YoloLossConfig['iouLoss']>('iou_loss', 'mse', ['mse', 'iou', 'giou', 'diou', 'ciou']);
  const anchors = a.anchors ?? [];
  return {
    layer: l.index,
    classes: a.classes!,
    mask: headMask(l, anchors),
    anchors,
    ignoreThresh: num('ignore_thresh', 0.5),
    truthThresh: num('truth_thresh', 1),
    iouThresh: num('iou_thresh', 1),
    iouLoss,
    // AlexeyAB's default 0.75 applies to its MSE too; a 2018 section has no normalizer (1).
    iouNormalizer: num('iou_normalizer', alexey ? 0.75 : 1),
    clsNormalizer: num('cls_normalizer', 1),
    objNormalizer: num('obj_normalizer', 1),
    scaleXY: a.scaleXY ?? 1,
    newCoords: a.newCoords ?? false,
    labelSmoothEps: num('label_smooth_eps', 0),
    maxDelta: num('max_delta', Infinity),
    maxBoxes: num('max', alexey ? 200 : 90),
    classMultipliers: classMultipliers(l),
    alexey,
  };
}

export interface YoloLossResult extends YoloLossStats {
  /** darknet's l.delta, same layout as the output. */
  delta: Float32Array;
}

/**
 * darknet's forward_yolo_layer (training part) on the activated output of one head for a batch.
 * `output` is [batch][anchor][entry][y][x]; `truths[b]` the boxes of image b.
 */
export function yoloLoss(
  cfg: YoloLossConfig,
  geo: HeadGeometry,
  output: Float32Array,
  truths: readonly (readonly Truth[])[],
): YoloLossResult {
  const { w, h, netW, netH } = geo;
  const n = cfg.mask.length,
    C = cfg.classes,
    per = 5 + C,
    batch = truths.length;
  const { stride, entry } = headLayout(cfg.layer, n, per, w, h, batch, output.length, 'output');
  const x = output;
  const delta = new Float32Array(output.length);
  const bias = cfg.anchors;
  const getBox = (index: number, anchor: number, i: number, j: number): Box =>
    cfg.newCoords
      ? {
          x: (i + x[index]) / w,
          y: (j + x[index + stride]) / h,
          w: (x[index + 2 * stride] ** 2 * 4 * bias[2 * anchor]) / netW,
          h: (x[index + 3 * stride] ** 2 * 4 * bias[2 * anchor + 1]) / netH,
        }
      : {
          x: (i + x[index]) / w,
          y: (j + x[index + stride]) / h,
          w: (Math.exp(x[index + 2 * stride]) * bias[2 * anchor]) / netW,
          h: (Math.exp(x[index + 3 * stride]) * bias[2 * anchor + 1]) / netH,
        };

  const mult = (cls: number) => cfg.classMultipliers?.[cls] ?? 1;
  /** delta_yolo_box; returns the IoU of the prediction with the truth. */
  const deltaBox = (t: Truth, anchor: number, index: number, i: number, j: number, scale: number, iouNormalizer: number): number => {
    const pred = getBox(index, anchor, i, j);
    const iou = boxIou(pred, t);
    if (cfg.iouLoss === 'mse') {
      const tx = t.x * w - i,
        ty = t.y * h - j;
      let tw = Math.log((t.w * netW) / bias[2 * anchor]),
        th = Math.log((t.h * netH) / bias[2 * anchor + 1]);
      if (cfg.newCoords) {
        tw = Math.sqrt((t.w * netW) / (4 * bias[2 * anchor]));
        th = Math.sqrt((t.h * netH) / (4 * bias[2 * anchor + 1]));
      }
      const d = [tx, ty, tw, th].map((tv, k) => scale * (tv - x[index + k * stride]) * iouNormalizer);
      for (let k = 0; k < 4; k++) {
        if (cfg.alexey) delta[index + k * stride] += d[k];
        else delta[index + k * stride] = d[k];
      }
      return iou;
    }
    if (pred.w === 0) pred.w = 1;
    if (pred.h === 0) pred.h = 1;
    const { grad } = boxMeasureGrad(pred, t, cfg.iouLoss);
    // AlexeyAB: dx, dy of the box itself; dw, dh through e^t (new_coords: none); times iou_normalizer.
    const g = [grad[0], grad[1], grad[2], grad[3]];
    if (!cfg.newCoords) {
      g[2] *= Math.exp(x[index + 2 * stride]);
      g[3] *= Math.exp(x[index + 3 * stride]);
    }
    for (let k = 0; k < 4; k++) {
      let v = g[k] * iouNormalizer;
      if (!Number.isFinite(v)) v = 0;
      if (cfg.maxDelta !== Infinity) v = clip(v, cfg.maxDelta);
      delta[index + k * stride] += v;
    }
    return iou;
  };
  const smooth = labelSmoother(cfg.labelSmoothEps);
  /** delta_yolo_class (no focal loss): the true class's entry already set means only it moves; a non-finite delta is not written. */
  const deltaClass = (index: number, cls: number) => {
    if (delta[index + stride * cls]) {
      const r = smooth(1) - x[index + stride * cls];
      if (Number.isFinite(r)) delta[index + stride * cls] = r;
      if (cfg.classMultipliers) delta[index + stride * cls] *= mult(cls);
      return;
    }
    for (let c = 0; c < C; c++) {
      const r = smooth(c === cls ? 1 : 0) - x[index + stride * c];
      if (Number.isFinite(r)) delta[index + stride * c] = r;
      if (cfg.classMultipliers && c === cls) delta[index + stride * cls] *= mult(cls) * cfg.clsNormalizer;
    }
  };
  const stats = new AssignStats();
  for (let b = 0; b < batch; b++) {
    // AlexeyAB skips a truth whose class is out of range; the 2018 darknet does not.
    const ts = imageTruths(truths[b], cfg.maxBoxes, cfg.alexey ? C : undefined);
    forEachPrediction(w, h, n, (i, j, a, loc) => {
      const boxIndex = entry(b, a, loc, 0),
        objIndex = entry(b, a, loc, 4),
        classIndex = entry(b, a, loc, 5);
      const pred = getBox(boxIndex, cfg.mask[a], i, j);
      let bestIou = 0,
        bestT = 0,
        bestMatchIou = 0;
      const match = cfg.alexey && classMatch(x, classIndex, C, stride);
      ts.forEach((t, k) => {
        const iou = boxIou(pred, t);
        if (iou > bestIou) {
          bestIou = iou;
          bestT = k;
        }
        if (match && iou > bestMatchIou) bestMatchIou = iou;
      });
      delta[objIndex] = cfg.objNormalizer * (0 - x[objIndex]);
      if ((cfg.alexey ? bestMatchIou : bestIou) > cfg.ignoreThresh) delta[objIndex] = 0;
      if (bestIou > cfg.truthThresh) {
        delta[objIndex] = cfg.objNormalizer * (1 - x[objIndex]);
        const t = ts[bestT];
        deltaClass(classIndex, t.cls);
        deltaBox(t, cfg.mask[a], boxIndex, i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
      }
    });
    const total = bias.length / 2;
    const anchorShape = (k: number) => anchorBox(bias, k, netW, netH);
    for (const t of ts) {
      const i = Math.trunc(t.x * w),
        j = Math.trunc(t.y * h);
      const bestN = bestAnchor(t, total, anchorShape);
      const assign = (anchor: number) => {
        const maskN = cfg.mask.indexOf(anchor);
        const loc = j * w + i;
        const boxIndex = entry(b, maskN, loc, 0);
        const iou = deltaBox(t, anchor, boxIndex, i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
        const objIndex = entry(b, maskN, loc, 4);
        delta[objIndex] = cfg.objNormalizer * (1 - x[objIndex]);
        deltaClass(entry(b, maskN, loc, 5), t.cls);
        stats.add(iou);
      };
      if (cfg.mask.includes(bestN)) assign(bestN);
      if (cfg.iouThresh < 1) {
        for (let k = 0; k < total; k++)
          if (k !== bestN && cfg.mask.includes(k) && boxIou(anchorShape(k), shapeBox(t.w, t.h)) > cfg.iouThresh) assign(k);
      }
    }
    if (cfg.alexey) averageBoxDeltas(delta, entry, b, n, stride, C, 4);
  }
  return { delta, ...stats.summary(delta, per, stride, 4) };
}
