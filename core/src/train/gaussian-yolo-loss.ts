// The [Gaussian_yolo] loss as AlexeyAB darknet's forward_gaussian_yolo_layer defines it: the box is
// four Gaussians (mean and uncertainty of x, y, w, h) trained by their negative log-likelihood;
// objectness and classes as AlexeyAB's [yolo]. Plain JS over the head's activated output in
// darknet's layout [image][anchor][entry][y][x] (entry: x μ, x σ, y μ, y σ, w μ, w σ, h μ, h σ,
// objectness, classes). darknet back-propagates `delta` unchanged into the head's input
// (backward_gaussian_yolo_layer), and so do we. Keys honoured: docs/training.md §The loss.

import type { Layer } from '../cfg/network';
import { boxIou, boxMeasure, boxMeasureGrad, type Box, type IouKind } from './box-iou';
import type { YoloLossResult } from './yolo-loss';
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
  LossConfigError,
  lossKeys,
  shapeBox,
  type HeadGeometry,
  type Truth,
} from './head-loss-common';

export type YoloPoint = 'center' | 'left_top' | 'right_bottom';

export interface GaussianYoloLossConfig {
  layer: number;
  classes: number;
  mask: number[];
  /** All anchors (w, h pairs in network pixels). */
  anchors: number[];
  ignoreThresh: number;
  truthThresh: number;
  iouThresh: number;
  iouThreshKind: IouKind;
  iouLoss: 'mse' | IouKind;
  iouNormalizer: number;
  ucNormalizer: number;
  objNormalizer: number;
  clsNormalizer: number;
  labelSmoothEps: number;
  maxDelta: number;
  objectnessSmooth: boolean;
  yoloPoint: YoloPoint;
  maxBoxes: number;
  classMultipliers: number[] | undefined;
}

/** darknet's constants in delta_gaussian_yolo_box. */
const SIGMA_CONST = 0.3,
  EPSI = 1e-9;

const IOU_KINDS = ['iou', 'giou', 'diou', 'ciou'];

/** The loss settings of a [Gaussian_yolo] layer, with AlexeyAB's defaults. */
export function gaussianYoloLossConfig(l: Layer): GaussianYoloLossConfig {
  const { at, opt, num, oneOf } = lossKeys(l);
  if (opt('map') !== undefined) throw new LossConfigError(`${at}: map= (class remapping) has no training loss here`);
  const anchors = l.attrs.anchors ?? [];
  return {
    layer: l.index,
    classes: l.attrs.classes!,
    mask: headMask(l, anchors),
    anchors,
    ignoreThresh: num('ignore_thresh', 0.5),
    truthThresh: num('truth_thresh', 1),
    iouThresh: num('iou_thresh', 1),
    iouThreshKind: oneOf('iou_thresh_kind', 'iou', IOU_KINDS),
    iouLoss: oneOf('iou_loss', 'mse', ['mse', ...IOU_KINDS]),
    iouNormalizer: num('iou_normalizer', 0.75),
    ucNormalizer: num('uc_normalizer', 1),
    objNormalizer: num('obj_normalizer', 1),
    clsNormalizer: num('cls_normalizer', 1),
    labelSmoothEps: num('label_smooth_eps', 0),
    maxDelta: num('max_delta', Infinity),
    objectnessSmooth: num('objectness_smooth', 0) !== 0,
    yoloPoint: oneOf('yolo_point', 'center', ['center', 'left_top', 'right_bottom']),
    maxBoxes: num('max', 200),
    classMultipliers: classMultipliers(l),
  };
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/** The negative log-likelihood darknet differentiates for one coordinate: mean μ, uncertainty σ, target t. */
function gaussianTerm(t: number, mu: number, sigma: number, scale: number): { dMu: number; dSigma: number } {
  const d = t - mu,
    e = d / sigma,
    e2 = e * e;
  const normal = Math.exp(-0.5 * e2) / (Math.sqrt(2 * Math.PI) * (sigma + SIGMA_CONST));
  const temp = ((0.5 * normal) / (normal + EPSI)) * scale;
  return { dMu: (temp * e) / sigma, dSigma: temp * (e2 / sigma - 1 / (sigma + SIGMA_CONST)) };
}

/**
 * forward_gaussian_yolo_layer (training part) on the activated output of one head for a batch.
 * `output` is [batch][anchor][entry][y][x]; `truths[b]` the boxes of image b.
 */
export function gaussianYoloLoss(
  cfg: GaussianYoloLossConfig,
  geo: HeadGeometry,
  output: Float32Array,
  truths: readonly (readonly Truth[])[],
): YoloLossResult {
  const { w, h, netW, netH } = geo;
  const n = cfg.mask.length,
    C = cfg.classes,
    per = 9 + C,
    batch = truths.length;
  const { stride, entry } = headLayout(cfg.layer, n, per, w, h, batch, output.length, 'output');
  const x = output;
  const delta = new Float32Array(output.length);
  const bias = cfg.anchors;
  const mult = (cls: number) => cfg.classMultipliers?.[cls] ?? 1;
  const shift = cfg.yoloPoint === 'left_top' ? 0.5 : cfg.yoloPoint === 'right_bottom' ? -0.5 : 0;
  const getBox = (index: number, anchor: number, i: number, j: number): Box => {
    const bw = (Math.exp(x[index + 4 * stride]) * bias[2 * anchor]) / netW,
      bh = (Math.exp(x[index + 6 * stride]) * bias[2 * anchor + 1]) / netH;
    return { x: (i + x[index]) / w + shift * bw, y: (j + x[index + 2 * stride]) / h + shift * bh, w: bw, h: bh };
  };
  /** delta_gaussian_yolo_box (accumulating); returns the IoU (GIoU with an IoU-family loss) of the prediction. */
  const deltaBox = (t: Truth, anchor: number, index: number, i: number, j: number, scale: number, iouNormalizer: number): number => {
    const pred = getBox(index, anchor, i, j);
    let iou = boxIou(pred, t);
    const tx = (t.x - shift * t.w) * w - i,
      ty = (t.y - shift * t.h) * h - j;
    const tw = Math.log((t.w * netW) / bias[2 * anchor]),
      th = Math.log((t.h * netH) / bias[2 * anchor + 1]);
    const g = [tx, ty, tw, th].map((tv, k) => gaussianTerm(tv, x[index + 2 * k * stride], x[index + (2 * k + 1) * stride], scale));
    const dMu = g.map((v) => v.dMu);
    if (cfg.iouLoss !== 'mse') {
      if (pred.w === 0) pred.w = 1;
      if (pred.h === 0) pred.h = 1;
      // darknet reports the GIoU whichever IoU-family loss it differentiates.
      iou = boxMeasure(pred, t, 'giou');
      const d = boxMeasureGrad(pred, t, cfg.iouLoss).grad;
      dMu[0] = d[0] - shift * d[2];
      dMu[1] = d[1] - shift * d[3];
      dMu[2] = d[2] * Math.exp(x[index + 4 * stride]);
      dMu[3] = d[3] * Math.exp(x[index + 6 * stride]);
    }
    for (let k = 0; k < 4; k++) {
      let mu = finite(dMu[k] * iouNormalizer),
        sigma = finite(g[k].dSigma * cfg.ucNormalizer);
      if (cfg.maxDelta !== Infinity) {
        mu = clip(mu, cfg.maxDelta);
        sigma = clip(sigma, cfg.maxDelta);
      }
      delta[index + 2 * k * stride] += mu;
      delta[index + (2 * k + 1) * stride] += sigma;
    }
    return iou;
  };
  const smooth = labelSmoother(cfg.labelSmoothEps);
  /** delta_gaussian_yolo_class: a class entry already set (class 0's, unlike [yolo]) means only the true class moves; no finiteness test. */
  const deltaClass = (index: number, cls: number) => {
    if (delta[index]) {
      delta[index + stride * cls] = smooth(1) - x[index + stride * cls];
      if (cfg.classMultipliers) delta[index + stride * cls] *= mult(cls);
      return;
    }
    for (let c = 0; c < C; c++) {
      delta[index + stride * c] = smooth(c === cls ? 1 : 0) - x[index + stride * c];
      if (cfg.classMultipliers && c === cls) delta[index + stride * c] *= mult(cls) * cfg.clsNormalizer;
    }
  };
  const stats = new AssignStats();
  for (let b = 0; b < batch; b++) {
    const ts = imageTruths(truths[b], cfg.maxBoxes, C);
    forEachPrediction(w, h, n, (i, j, a, loc) => {
      const boxIndex = entry(b, a, loc, 0),
        objIndex = entry(b, a, loc, 8),
        classIndex = entry(b, a, loc, 9);
      const pred = getBox(boxIndex, cfg.mask[a], i, j);
      const match = classMatch(x, classIndex, C, stride);
      let bestIou = 0,
        bestT = 0,
        bestMatchIou = 0,
        bestMatchT = 0;
      ts.forEach((t, k) => {
        const iou = boxIou(pred, t);
        if (match && iou > bestMatchIou) {
          bestMatchIou = iou;
          bestMatchT = k;
        }
        if (iou > bestIou) {
          bestIou = iou;
          bestT = k;
        }
      });
      delta[objIndex] = cfg.objNormalizer * (0 - x[objIndex]);
      if (bestMatchIou > cfg.ignoreThresh) {
        if (cfg.objectnessSmooth) {
          delta[objIndex] = cfg.objNormalizer * (bestMatchIou * bestMatchIou - x[objIndex]);
          deltaClass(classIndex, ts[bestMatchT].cls);
        } else delta[objIndex] = 0;
      }
      if (bestIou > cfg.truthThresh) {
        const t = ts[bestT];
        const m = bestIou * bestIou;
        delta[objIndex] = cfg.objNormalizer * ((cfg.objectnessSmooth ? m : 1) - x[objIndex]);
        deltaClass(classIndex, t.cls);
        if (cfg.objectnessSmooth) delta[classIndex + stride * t.cls] = mult(t.cls) * (m - x[classIndex + stride * t.cls]);
        deltaBox(t, cfg.mask[a], boxIndex, i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
      }
    });
    const total = bias.length / 2;
    const anchorShape = (k: number) => anchorBox(bias, k, netW, netH);
    for (const t of ts) {
      // yolo_point shifts the truth's cell; darknet clamps it into the grid (the [yolo] loss does not).
      const cell = (c: number, size: number) => Math.trunc(Math.min(size - 1, Math.max(0, c * size)));
      const i = cell(t.x - shift * t.w, w),
        j = cell(t.y - shift * t.h, h);
      const bestN = bestAnchor(t, total, anchorShape);
      const assign = (anchor: number) => {
        const maskN = cfg.mask.indexOf(anchor);
        const loc = j * w + i;
        const iou = deltaBox(t, anchor, entry(b, maskN, loc, 0), i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
        const objIndex = entry(b, maskN, loc, 8);
        // Unlike [yolo], the class multiplier scales the objectness delta too.
        delta[objIndex] = mult(t.cls) * cfg.objNormalizer * (1 - x[objIndex]);
        deltaClass(entry(b, maskN, loc, 9), t.cls);
        stats.add(iou);
      };
      if (cfg.mask.includes(bestN)) assign(bestN);
      if (cfg.iouThresh < 1) {
        for (let k = 0; k < total; k++)
          if (k !== bestN && cfg.mask.includes(k) && boxMeasure(anchorShape(k), shapeBox(t.w, t.h), cfg.iouThreshKind) > cfg.iouThresh)
            assign(k);
      }
    }
    // averages_gaussian_yolo_deltas: the 8 box entries (μ and σ of x, y, w, h).
    averageBoxDeltas(delta, entry, b, n, stride, C, 8);
  }
  return { delta, ...stats.summary(delta, per, stride, 8) };
}
