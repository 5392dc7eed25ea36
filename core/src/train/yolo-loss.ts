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

import { UserError } from '../errors';
import type { Layer } from '../cfg/network';
import { findOption } from '../cfg/parse';
import { boxIou, boxMeasureGrad, type Box, type IouKind } from './box-iou';
import { headOf } from '../layers';

export class LossConfigError extends UserError {}

/** One ground-truth box: class and centre x, y, width, height relative to the image. */
export interface Truth {
  cls: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

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
  if (headOf(l)?.loss !== 'yolo')
    throw new LossConfigError(
      `layer ${l.index} [${l.section.name}] (line ${l.section.line + 1}): only [yolo] heads have a training loss here`,
    );
  const opt = (k: string) => findOption(l.section, k)?.value;
  const num = (k: string, def: number) => {
    const v = opt(k);
    return v === undefined ? def : Number.parseFloat(v);
  };
  const alexey = ALEXEY_KEYS.some((k) => opt(k) !== undefined);
  const a = l.attrs;
  const kindRaw = (opt('iou_loss') ?? 'mse').trim();
  if (!['mse', 'iou', 'giou', 'diou', 'ciou'].includes(kindRaw)) {
    throw new LossConfigError(
      `layer ${l.index} [yolo] (line ${l.section.line + 1}): iou_loss=${kindRaw} is not one of mse, iou, giou, diou, ciou`,
    );
  }
  const iouLoss = kindRaw as YoloLossConfig['iouLoss'];
  const counters = opt('counters_per_class')
    ?.split(',')
    .map((s) => Number.parseFloat(s));
  let classMultipliers: number[] | undefined;
  if (counters) {
    if (counters.length !== a.classes || counters.some((c) => !(c > 0))) {
      throw new LossConfigError(
        `layer ${l.index} [yolo] (line ${l.section.line + 1}): counters_per_class needs ${a.classes} positive counts, got "${opt('counters_per_class')}"`,
      );
    }
    const m = Math.max(...counters);
    classMultipliers = counters.map((c) => m / c);
  }
  const anchors = a.anchors ?? [];
  const mask = a.mask ?? Array.from({ length: a.num ?? anchors.length / 2 }, (_, i) => i);
  return {
    layer: l.index,
    classes: a.classes!,
    mask,
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
    classMultipliers,
    alexey,
  };
}

export interface HeadGeometry {
  /** Grid width and height of the head. */
  w: number;
  h: number;
  /** Network input width and height (anchors are in its pixels). */
  netW: number;
  netH: number;
}

export interface YoloLossStats {
  /** ‖delta‖² of the head over the batch (darknet's l.cost). */
  cost: number;
  /** Truths assigned to an anchor of this head. */
  count: number;
  /** Mean IoU of the assigned predictions (0 without any). */
  avgIou: number;
  recall50: number;
  recall75: number;
  /** `cost` split by entry: box (x, y, w, h), objectness, classes (the dashboard's loss components). */
  parts: LossParts;
}

export interface LossParts {
  box: number;
  obj: number;
  cls: number;
}

export interface YoloLossResult extends YoloLossStats {
  /** darknet's l.delta, same layout as the output. */
  delta: Float32Array;
}

const clip = (v: number, m: number) => (v > m ? m : v < -m ? -m : v);

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
    stride = w * h;
  const outputs = n * per * stride;
  const batch = truths.length;
  if (output.length !== outputs * batch)
    throw new Error(`layer ${cfg.layer}: output holds ${output.length} floats, expected ${batch}×${outputs}`);
  const x = output;
  const delta = new Float32Array(output.length);
  const bias = cfg.anchors;
  const entry = (b: number, a: number, loc: number, e: number) => b * outputs + a * per * stride + e * stride + loc;
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
  /** delta_yolo_class (no focal loss). */
  const deltaClass = (index: number, cls: number) => {
    const smooth = (y: number) => (cfg.labelSmoothEps ? y * (1 - cfg.labelSmoothEps) + 0.5 * cfg.labelSmoothEps : y);
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
  const classMatch = (classIndex: number) => {
    for (let c = 0; c < C; c++) if (x[classIndex + stride * c] > 0.25) return true;
    return false;
  };

  let count = 0,
    iouSum = 0,
    r50 = 0,
    r75 = 0;
  for (let b = 0; b < batch; b++) {
    // darknet reads truths until the first with x = 0 (and at most `max`).
    const ts: Truth[] = [];
    for (const t of truths[b]) {
      if (ts.length >= cfg.maxBoxes || !t.x) break;
      if (cfg.alexey && (t.cls >= C || t.cls < 0)) continue;
      ts.push(t);
    }
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        for (let a = 0; a < n; a++) {
          const loc = j * w + i;
          const boxIndex = entry(b, a, loc, 0),
            objIndex = entry(b, a, loc, 4),
            classIndex = entry(b, a, loc, 5);
          const pred = getBox(boxIndex, cfg.mask[a], i, j);
          let bestIou = 0,
            bestT = 0,
            bestMatchIou = 0;
          const match = cfg.alexey && classMatch(classIndex);
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
        }
      }
    }
    for (const t of ts) {
      const i = Math.trunc(t.x * w),
        j = Math.trunc(t.y * h);
      const shifted: Box = { x: 0, y: 0, w: t.w, h: t.h };
      const anchorIou = (k: number) => boxIou({ x: 0, y: 0, w: bias[2 * k] / netW, h: bias[2 * k + 1] / netH }, shifted);
      let bestIou = 0,
        bestN = 0;
      const total = bias.length / 2;
      for (let k = 0; k < total; k++) {
        const iou = anchorIou(k);
        if (iou > bestIou) {
          bestIou = iou;
          bestN = k;
        }
      }
      const assign = (anchor: number) => {
        const maskN = cfg.mask.indexOf(anchor);
        const loc = j * w + i;
        const boxIndex = entry(b, maskN, loc, 0);
        const iou = deltaBox(t, anchor, boxIndex, i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
        const objIndex = entry(b, maskN, loc, 4);
        delta[objIndex] = cfg.objNormalizer * (1 - x[objIndex]);
        deltaClass(entry(b, maskN, loc, 5), t.cls);
        count++;
        iouSum += iou;
        if (iou > 0.5) r50++;
        if (iou > 0.75) r75++;
      };
      if (cfg.mask.includes(bestN)) assign(bestN);
      if (cfg.iouThresh < 1) {
        for (let k = 0; k < total; k++) if (k !== bestN && cfg.mask.includes(k) && anchorIou(k) > cfg.iouThresh) assign(k);
      }
    }
    if (cfg.alexey) {
      // averages_yolo_deltas: box deltas divided by the number of classes with a positive delta.
      for (let loc = 0; loc < stride; loc++) {
        for (let a = 0; a < n; a++) {
          const boxIndex = entry(b, a, loc, 0),
            classIndex = entry(b, a, loc, 5);
          let k = 0;
          for (let c = 0; c < C; c++) if (delta[classIndex + stride * c] > 0) k++;
          if (k > 0) for (let e = 0; e < 4; e++) delta[boxIndex + e * stride] /= k;
        }
      }
    }
  }
  let cost = 0;
  for (let k = 0; k < delta.length; k++) cost += delta[k] * delta[k];
  const parts: LossParts = { box: 0, obj: 0, cls: 0 };
  for (let k = 0; k < delta.length; k++) {
    const e = Math.floor((k % (per * stride)) / stride),
      d2 = delta[k] * delta[k];
    if (e < 4) parts.box += d2;
    else if (e === 4) parts.obj += d2;
    else parts.cls += d2;
  }
  return {
    delta,
    cost,
    count,
    avgIou: count ? iouSum / count : 0,
    recall50: count ? r50 / count : 0,
    recall75: count ? r75 / count : 0,
    parts,
  };
}
