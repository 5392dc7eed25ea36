// Detection heads: darknet's in-layer activation of [yolo], [Gaussian_yolo] and [region]
// (docs/network.md §Heads; yolo_layer.c / gaussian_yolo_layer.c / region_layer.c CPU forward),
// and the conversion of a head's NHWC output to darknet's output buffer layout.

import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../cfg/network';

export const HEAD_TYPES = new Set(['yolo', 'Gaussian_yolo', 'region']);
export const isHead = (l: Layer): boolean => HEAD_TYPES.has(l.type);

/** Entries per anchor. */
export function entriesPerAnchor(l: Layer): number {
  const a = l.attrs;
  if (l.type === 'yolo') return a.classes! + 5;
  if (l.type === 'Gaussian_yolo') return a.classes! + 9;
  return a.classes! + a.coords! + 1;
}

/** Number of anchor slots in the head's output. */
export const anchorSlots = (l: Layer): number => (l.type === 'region' ? l.attrs.num! : l.attrs.mask!.length);

interface EntryPlan { sigmoid: boolean; scaled: boolean }

function entryPlan(l: Layer, e: number): EntryPlan {
  if (l.type === 'yolo') {
    if (l.attrs.newCoords) return { sigmoid: false, scaled: e < 2 };
    return { sigmoid: e !== 2 && e !== 3, scaled: e < 2 };
  }
  // Gaussian_yolo: x μ,σ (0,1), y μ,σ (2,3) get σ, μ's scaled; w,h μ (4,6) raw; w,h σ (5,7), obj, classes σ.
  return { sigmoid: e !== 4 && e !== 6, scaled: e === 0 || e === 2 };
}

/** yolo / Gaussian_yolo: σ where darknet applies it, then x·s + float32(−0.5·(s−1)) on the scaled entries. */
function yoloActivate(x: tf.Tensor4D, l: Layer): tf.Tensor4D {
  const per = entriesPerAnchor(l), slots = anchorSlots(l), c = per * slots;
  const sig = new Array<boolean>(c), mul = new Float32Array(c).fill(1), add = new Float32Array(c);
  const s = Math.fround(l.attrs.scaleXY ?? 1);
  const b = Math.fround(-0.5 * (s - 1));
  for (let ch = 0; ch < c; ch++) {
    const p = entryPlan(l, ch % per);
    sig[ch] = p.sigmoid;
    if (p.scaled) { mul[ch] = s; add[ch] = b; }
  }
  let y: tf.Tensor4D = x;
  if (sig.every(Boolean)) y = tf.sigmoid(x);
  else if (sig.some(Boolean)) y = tf.where(tf.tensor1d(sig, 'bool'), tf.sigmoid(x), x);
  if (s !== 1) y = tf.add(tf.mul(y, tf.tensor1d(mul)), tf.tensor1d(add));
  return y;
}

/** region: σ on the objectness, softmax over the classes when softmax=1; x, y, w, h stay raw. */
function regionActivate(x: tf.Tensor4D, l: Layer): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const a = l.attrs, per = entriesPerAnchor(l), num = a.num!;
  const cells = x.reshape([n, h, w, num, per]);
  const coords = tf.slice(cells, [0, 0, 0, 0, 0], [-1, -1, -1, -1, a.coords!]);
  const obj = tf.sigmoid(tf.slice(cells, [0, 0, 0, 0, a.coords!], [-1, -1, -1, -1, 1]));
  let cls = tf.slice(cells, [0, 0, 0, 0, a.coords! + 1], [-1, -1, -1, -1, a.classes!]);
  if (a.softmax) cls = tf.softmax(cls);
  return tf.concat([coords, obj, cls], 4).reshape([n, h, w, num * per]);
}

/** The head's in-layer activation (what darknet stores in l.output), NHWC. */
export function activateHead(x: tf.Tensor4D, l: Layer): tf.Tensor4D {
  return l.type === 'region' ? regionActivate(x, l) : yoloActivate(x, l);
}

/**
 * Darknet's output buffer for image `b` of a head output (NHWC data of shape [n, h, w, c]):
 * yolo / Gaussian_yolo `[a][e][y][x]` (= CHW); region (CPU, after flatten) `[y][x][a][e]` (= HWC).
 */
export function darknetLayout(l: Layer, data: Float32Array, shape: number[], b = 0): Float32Array {
  const [, h, w, c] = shape;
  const per = h * w * c;
  const img = data.subarray(b * per, (b + 1) * per);
  if (l.type === 'region') return img.slice();
  const out = new Float32Array(per);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * c;
      for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = img[src + ch];
    }
  }
  return out;
}
