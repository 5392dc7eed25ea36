// What darknet's forward_yolo_layer, forward_gaussian_yolo_layer and forward_region_layer do alike:
// reading a layer's loss keys, the [image][anchor][entry][y][x] layout, reading an image's truths,
// the cell × anchor sweep, the best-anchor search, the assignment statistics and ‖delta‖² split by
// entry. Where the three differ (the class filter, the IoU search per prediction, the deltas) the
// losses keep their own code next to their darknet source.

import { UserError } from '../errors';
import type { Layer } from '../cfg/network';
import { findOption } from '../cfg/parse';
import { boxIou, type Box } from './box-iou';

export class LossConfigError extends UserError {}

/** One ground-truth box: class and centre x, y, width, height relative to the image. */
export interface Truth {
  cls: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface HeadGeometry {
  /** Grid width and height of the head. */
  w: number;
  h: number;
  /** Network input width and height (anchors are in its pixels). */
  netW: number;
  netH: number;
}

export interface LossParts {
  box: number;
  obj: number;
  cls: number;
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

/** A head section's keys: the raw value, a number with darknet's default, and the location for errors. */
export function lossKeys(l: Layer) {
  const at = `layer ${l.index} [${l.section.name}] (line ${l.section.line + 1})`;
  const opt = (k: string) => findOption(l.section, k)?.value;
  const num = (k: string, def: number) => {
    const v = opt(k);
    return v === undefined ? def : Number.parseFloat(v);
  };
  /** A key that takes one of `values` (`def` when absent). */
  const oneOf = <T extends string>(k: string, def: T, values: readonly string[]): T => {
    const v = opt(k) ?? def;
    if (!values.includes(v)) throw new LossConfigError(`${at}: ${k}=${v} is not one of ${values.join(', ')}`);
    return v as T;
  };
  return { at, opt, num, oneOf };
}

/** counters_per_class → class multipliers max(count)/count (AlexeyAB), or undefined without the key. */
export function classMultipliers(l: Layer): number[] | undefined {
  const { at, opt } = lossKeys(l);
  const raw = opt('counters_per_class');
  if (raw === undefined) return undefined;
  const counters = raw.split(',').map((s) => Number.parseFloat(s));
  if (counters.length !== l.attrs.classes || counters.some((c) => !(c > 0)))
    throw new LossConfigError(`${at}: counters_per_class needs ${l.attrs.classes} positive counts, got "${raw}"`);
  const m = Math.max(...counters);
  return counters.map((c) => m / c);
}

/** The anchor indices of a [yolo]-family head: mask=, else all num (or all listed) anchors. */
export const headMask = (l: Layer, anchors: number[]): number[] =>
  l.attrs.mask ?? Array.from({ length: l.attrs.num ?? anchors.length / 2 }, (_, i) => i);

/** darknet's layout of a head's output for a batch: n anchors × `per` entries × w·h cells per image. */
export function headLayout(layer: number, n: number, per: number, w: number, h: number, batch: number, length: number, what: string) {
  const stride = w * h,
    outputs = n * per * stride;
  if (length !== outputs * batch) throw new Error(`layer ${layer}: ${what} holds ${length} floats, expected ${batch}×${outputs}`);
  /** darknet's entry_index: image b, anchor slot a, cell loc, entry e. */
  const entry = (b: number, a: number, loc: number, e: number) => b * outputs + a * per * stride + e * stride + loc;
  return { stride, outputs, entry };
}

/**
 * The truths darknet reads for one image: in order, until the first with x = 0 and at most `max`.
 * `classes` (AlexeyAB) skips a truth whose class id is outside 0…classes−1 without ending the list.
 */
export function imageTruths(truths: readonly Truth[], max: number, classes?: number): Truth[] {
  const ts: Truth[] = [];
  for (const t of truths) {
    if (ts.length >= max || !t.x) break;
    if (classes !== undefined && (t.cls >= classes || t.cls < 0)) continue;
    ts.push(t);
  }
  return ts;
}

/** The forward loops' order: rows j, columns i, anchor slots a; loc = j·w + i. */
export function forEachPrediction(w: number, h: number, n: number, f: (i: number, j: number, a: number, loc: number) => void): void {
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) for (let a = 0; a < n; a++) f(i, j, a, j * w + i);
}

/** AlexeyAB's class_id_match: some class probability of the prediction exceeds 0.25. */
export function classMatch(x: Float32Array, classIndex: number, classes: number, stride: number): boolean {
  for (let c = 0; c < classes; c++) if (x[classIndex + stride * c] > 0.25) return true;
  return false;
}

/** A box of the given shape at the origin (darknet's `shift` truth and anchor boxes). */
export const shapeBox = (w: number, h: number): Box => ({ x: 0, y: 0, w, h });

/** Anchor k's shape, its bias pair divided by (sx, sy). */
export const anchorBox = (bias: readonly number[], k: number, sx: number, sy: number): Box =>
  shapeBox(bias[2 * k] / sx, bias[2 * k + 1] / sy);

/** The first of `count` anchors whose shape (`shape(k)`) overlaps the truth's shape most (IoU above 0; else 0). */
export function bestAnchor(t: Truth, count: number, shape: (k: number) => Box): number {
  const shifted = shapeBox(t.w, t.h);
  let bestIou = 0,
    bestN = 0;
  for (let k = 0; k < count; k++) {
    const iou = boxIou(shape(k), shifted);
    if (iou > bestIou) {
      bestIou = iou;
      bestN = k;
    }
  }
  return bestN;
}

/** The assigned truths' count, IoU sum and recall at 0.5 and 0.75 (darknet's avg_iou, recall, recall75). */
export class AssignStats {
  count = 0;
  private iouSum = 0;
  private r50 = 0;
  private r75 = 0;

  add(iou: number): void {
    this.count++;
    this.iouSum += iou;
    if (iou > 0.5) this.r50++;
    if (iou > 0.75) this.r75++;
  }

  /** With the cost: ‖delta‖², split into box (the first `boxEntries` entries), objectness (the next) and classes. */
  summary(delta: Float32Array, per: number, stride: number, boxEntries: number): YoloLossStats {
    let cost = 0;
    const parts: LossParts = { box: 0, obj: 0, cls: 0 };
    for (let k = 0; k < delta.length; k++) {
      const e = Math.floor((k % (per * stride)) / stride),
        d2 = delta[k] * delta[k];
      cost += d2;
      if (e < boxEntries) parts.box += d2;
      else if (e === boxEntries) parts.obj += d2;
      else parts.cls += d2;
    }
    const n = this.count;
    return {
      cost,
      count: n,
      avgIou: n ? this.iouSum / n : 0,
      recall50: n ? this.r50 / n : 0,
      recall75: n ? this.r75 / n : 0,
      parts,
    };
  }
}

/**
 * AlexeyAB's averages_yolo_deltas / averages_gaussian_yolo_deltas for image b: at every anchor the
 * `boxEntries` box deltas divided by the number of classes with a positive delta.
 */
export function averageBoxDeltas(
  delta: Float32Array,
  entry: (b: number, a: number, loc: number, e: number) => number,
  b: number,
  n: number,
  stride: number,
  classes: number,
  boxEntries: number,
): void {
  for (let loc = 0; loc < stride; loc++) {
    for (let a = 0; a < n; a++) {
      const boxIndex = entry(b, a, loc, 0),
        classIndex = entry(b, a, loc, boxEntries + 1);
      let k = 0;
      for (let c = 0; c < classes; c++) if (delta[classIndex + stride * c] > 0) k++;
      if (k > 0) for (let e = 0; e < boxEntries; e++) delta[boxIndex + e * stride] /= k;
    }
  }
}

/** darknet's clip of a delta to ±max_delta. */
export const clip = (v: number, m: number) => (v > m ? m : v < -m ? -m : v);

/** label_smooth_eps: target y → y·(1 − ε) + ε/2 (identity with ε = 0). */
export const labelSmoother = (eps: number) => (y: number) => (eps ? y * (1 - eps) + 0.5 * eps : y);
