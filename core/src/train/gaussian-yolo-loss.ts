// The [Gaussian_yolo] loss as AlexeyAB darknet's forward_gaussian_yolo_layer defines it: the box is
// four Gaussians (mean and uncertainty of x, y, w, h) trained by their negative log-likelihood;
// objectness and classes as AlexeyAB's [yolo]. Plain JS over the head's activated output in
// darknet's layout [image][anchor][entry][y][x] (entry: x μ, x σ, y μ, y σ, w μ, w σ, h μ, h σ,
// objectness, classes). darknet back-propagates `delta` unchanged into the head's input
// (backward_gaussian_yolo_layer), and so do we. Keys honoured: docs/training.md §The loss.

import type { Layer } from '../cfg/network';
import { findOption } from '../cfg/parse';
import { boxIou, boxMeasure, boxMeasureGrad, type Box, type IouKind } from './box-iou';
import { LossConfigError, type HeadGeometry, type LossParts, type Truth, type YoloLossResult } from './yolo-loss';

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
  const at = `layer ${l.index} [${l.section.name}] (line ${l.section.line + 1})`;
  const opt = (k: string) => findOption(l.section, k)?.value?.trim();
  const num = (k: string, def: number) => {
    const v = opt(k);
    return v === undefined ? def : Number.parseFloat(v);
  };
  const oneOf = <T extends string>(k: string, def: T, values: readonly string[]): T => {
    const v = opt(k) ?? def;
    if (!values.includes(v)) throw new LossConfigError(`${at}: ${k}=${v} is not one of ${values.join(', ')}`);
    return v as T;
  };
  if (opt('map') !== undefined) throw new LossConfigError(`${at}: map= (class remapping) has no training loss here`);
  const a = l.attrs;
  const counters = opt('counters_per_class')
    ?.split(',')
    .map((s) => Number.parseFloat(s));
  let classMultipliers: number[] | undefined;
  if (counters) {
    if (counters.length !== a.classes || counters.some((c) => !(c > 0)))
      throw new LossConfigError(`${at}: counters_per_class needs ${a.classes} positive counts, got "${opt('counters_per_class')}"`);
    const m = Math.max(...counters);
    classMultipliers = counters.map((c) => m / c);
  }
  const anchors = a.anchors ?? [];
  return {
    layer: l.index,
    classes: a.classes!,
    mask: a.mask ?? Array.from({ length: a.num ?? anchors.length / 2 }, (_, i) => i),
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
    classMultipliers,
  };
}

const clip = (v: number, m: number) => (v > m ? m : v < -m ? -m : v);
const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/** The negative log-likelihood darknet differentiates for one coordinate: mean μ, uncertainty σ, target t. */
export function gaussianTerm(t: number, mu: number, sigma: number, scale: number): { dMu: number; dSigma: number } {
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
    stride = w * h,
    outputs = n * per * stride,
    batch = truths.length;
  if (output.length !== outputs * batch)
    throw new Error(`layer ${cfg.layer}: output holds ${output.length} floats, expected ${batch}×${outputs}`);
  const x = output;
  const delta = new Float32Array(output.length);
  const bias = cfg.anchors;
  const entry = (b: number, a: number, loc: number, e: number) => b * outputs + a * per * stride + e * stride + loc;
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
  const smooth = (y: number) => (cfg.labelSmoothEps ? y * (1 - cfg.labelSmoothEps) + 0.5 * cfg.labelSmoothEps : y);
  /** delta_gaussian_yolo_class: a class entry already set (class 0's) means only the true class moves. */
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
  const classMatch = (classIndex: number) => {
    for (let c = 0; c < C; c++) if (x[classIndex + stride * c] > 0.25) return true;
    return false;
  };

  let count = 0,
    iouSum = 0,
    r50 = 0,
    r75 = 0;
  for (let b = 0; b < batch; b++) {
    const ts: Truth[] = [];
    for (const t of truths[b]) {
      if (ts.length >= cfg.maxBoxes || !t.x) break;
      if (t.cls >= C || t.cls < 0) continue;
      ts.push(t);
    }
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        for (let a = 0; a < n; a++) {
          const loc = j * w + i;
          const boxIndex = entry(b, a, loc, 0),
            objIndex = entry(b, a, loc, 8),
            classIndex = entry(b, a, loc, 9);
          const pred = getBox(boxIndex, cfg.mask[a], i, j);
          const match = classMatch(classIndex);
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
        }
      }
    }
    for (const t of ts) {
      const cell = (c: number, size: number) => Math.trunc(Math.min(size - 1, Math.max(0, c * size)));
      const i = cell(t.x - shift * t.w, w),
        j = cell(t.y - shift * t.h, h);
      const shifted: Box = { x: 0, y: 0, w: t.w, h: t.h };
      const anchorShape = (k: number): Box => ({ x: 0, y: 0, w: bias[2 * k] / netW, h: bias[2 * k + 1] / netH });
      let bestIou = 0,
        bestN = 0;
      const total = bias.length / 2;
      for (let k = 0; k < total; k++) {
        const iou = boxIou(anchorShape(k), shifted);
        if (iou > bestIou) {
          bestIou = iou;
          bestN = k;
        }
      }
      const assign = (anchor: number) => {
        const maskN = cfg.mask.indexOf(anchor);
        const loc = j * w + i;
        const iou = deltaBox(t, anchor, entry(b, maskN, loc, 0), i, j, 2 - t.w * t.h, cfg.iouNormalizer * mult(t.cls));
        const objIndex = entry(b, maskN, loc, 8);
        delta[objIndex] = mult(t.cls) * cfg.objNormalizer * (1 - x[objIndex]);
        deltaClass(entry(b, maskN, loc, 9), t.cls);
        count++;
        iouSum += iou;
        if (iou > 0.5) r50++;
        if (iou > 0.75) r75++;
      };
      if (cfg.mask.includes(bestN)) assign(bestN);
      if (cfg.iouThresh < 1) {
        for (let k = 0; k < total; k++)
          if (k !== bestN && cfg.mask.includes(k) && boxMeasure(anchorShape(k), shifted, cfg.iouThreshKind) > cfg.iouThresh) assign(k);
      }
    }
    // averages_gaussian_yolo_deltas: the 8 box deltas divided by the number of classes with a positive delta.
    for (let loc = 0; loc < stride; loc++) {
      for (let a = 0; a < n; a++) {
        const boxIndex = entry(b, a, loc, 0),
          classIndex = entry(b, a, loc, 9);
        let k = 0;
        for (let c = 0; c < C; c++) if (delta[classIndex + stride * c] > 0) k++;
        if (k > 0) for (let e = 0; e < 8; e++) delta[boxIndex + e * stride] /= k;
      }
    }
  }
  let cost = 0;
  const parts: LossParts = { box: 0, obj: 0, cls: 0 };
  for (let k = 0; k < delta.length; k++) {
    const e = Math.floor((k % (per * stride)) / stride),
      d2 = delta[k] * delta[k];
    cost += d2;
    if (e < 8) parts.box += d2;
    else if (e === 8) parts.obj += d2;
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
