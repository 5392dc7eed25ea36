// Forward functions of the parameter-free darknet layers (docs/network.md §Layer semantics) on NHWC tensors.
// Every op used here has a tfjs gradient, so the same code serves inference and training.

import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../cfg/network';
import { activate } from './activations';

type T4 = tf.Tensor4D;

/**
 * Darknet's symmetric zero padding `p` as a tfjs pad mode: 'same' where TensorFlow's SAME padding is
 * identical (it puts any odd pixel at the end, darknet at neither), otherwise an explicit tf.pad
 * and 'valid' (native TensorFlow accepts only 'same' and 'valid').
 */
export function padForConv(x: T4, kEff: number, sy: number, sx: number, p: number): { x: T4; mode: 'same' | 'valid' } {
  if (p === 0) return { x, mode: 'valid' };
  const [, h, w] = x.shape;
  const sameOk = (n: number, s: number) => {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + kEff - n, 0);
    return out === Math.floor((n + 2 * p - kEff) / s) + 1 && Math.floor(total / 2) === p;
  };
  if (sameOk(h, sy) && sameOk(w, sx)) return { x, mode: 'same' };
  return { x: tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), mode: 'valid' };
}

/** Darknet's antialiasing blur after a stride-1 conv/maxpool: depthwise 3×3 [1 2 1]ᵀ[1 2 1]/16, pad 1 (or 2×2 box, pad 0). */
export function antialias(x: T4, kind: number, sx: number, sy: number): T4 {
  const c = x.shape[3];
  const k = kind === 2 ? 2 : 3;
  const taps = kind === 2 ? [1, 1, 1, 1].map((v) => v / 4) : [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);
  const w = new Float32Array(k * k * c);
  for (let t = 0; t < k * k; t++) w.fill(taps[t], t * c, (t + 1) * c);
  const padded = padForConv(x, k, sy, sx, kind === 2 ? 0 : 1);
  return tf.depthwiseConv2d(padded.x, tf.tensor4d(w, [k, k, c, 1]), [sy, sx], padded.mode);
}

/** Darknet pool padding: ⌊padding/2⌋ before, the rest after. */
const poolPads = (p: number): [[number, number], [number, number], [number, number], [number, number]] => {
  const b = Math.floor(p / 2);
  return [[0, 0], [b, p - b], [b, p - b], [0, 0]];
};

export function maxpool(x: T4, l: Layer): T4 {
  const a = l.attrs;
  if (a.maxpoolDepth) {
    // out[g] = max over channels g, g + oc, g + 2·oc, … < c.
    const [n, h, w, c] = x.shape;
    const oc = a.outChannels!;
    const m = Math.ceil(c / oc);
    const padded = m * oc === c ? x : tf.pad(x, [[0, 0], [0, 0], [0, 0], [0, m * oc - c]], -Infinity);
    return tf.max(padded.reshape([n, h, w, m, oc]), 3) as T4;
  }
  const aa = a.antialiasing ?? 0;
  const padded = a.padding ? tf.pad(x, poolPads(a.padding), -Infinity) : x;
  let y = tf.maxPool(padded, [a.size!, a.size!], aa ? [1, 1] : [a.strideY!, a.strideX!], 'valid');
  if (aa) y = antialias(y, aa, a.strideX!, a.strideY!);
  return y;
}

/** Windowed average over the in-bounds positions only (padding excluded from the divisor). */
export function localAvgpool(x: T4, l: Layer): T4 {
  const a = l.attrs;
  const pads = poolPads(a.padding!);
  const size: [number, number] = [a.size!, a.size!], strides: [number, number] = [a.strideY!, a.strideX!];
  const sum = tf.avgPool(tf.pad(x, pads), size, strides, 'valid');
  const count = tf.avgPool(tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]), pads) as T4, size, strides, 'valid');
  return tf.div(sum, count);
}

export const globalAvgpool = (x: T4): T4 => tf.mean(x, [1, 2], true) as T4;

/** Channel slice [gid·C/G, (gid+1)·C/G) of each input, concatenated in order. */
export function route(inputs: T4[], l: Layer): T4 {
  const g = l.attrs.groups ?? 1, gid = l.attrs.groupId ?? 0;
  const parts = inputs.map((x) => {
    if (g === 1) return x;
    const c = x.shape[3] / g;
    return tf.slice(x, [0, 0, 0, gid * c], [-1, -1, -1, c]);
  });
  return parts.length === 1 ? parts[0] : tf.concat(parts, 3);
}

/** Per-input weights for a weighted shortcut: [n+1, 1] (per_feature) or [n+1, c] (per_channel), normalised. */
function shortcutWeights(w: tf.Tensor, inputs: number, normalization: string): tf.Tensor2D {
  const m = w.reshape([inputs, -1]) as tf.Tensor2D;
  if (normalization === 'relu' || normalization === 'avg_relu') {
    const r = tf.relu(m);
    return tf.div(r, tf.add(tf.sum(r, 0, true), 0.0001));
  }
  if (normalization === 'softmax') {
    const e = tf.exp(tf.sub(m, tf.max(m, 0, true)));
    return tf.div(e, tf.add(tf.sum(e, 0, true), 0.0001));
  }
  return m;
}

/** out = w₀·in + Σ wᵢ·fromᵢ (a from layer adds to the first min(Cᵢ, c) channels), then the activation. */
export function shortcut(input: T4, froms: T4[], l: Layer, weights: tf.Tensor | undefined): T4 {
  const c = input.shape[3];
  const wn = weights ? shortcutWeights(weights, froms.length + 1, l.attrs.weightsNormalization ?? 'none') : undefined;
  const wOf = (i: number) => tf.reshape(tf.slice(wn!, [i, 0], [1, -1]), [-1]);
  let out: tf.Tensor = wn ? tf.mul(input, wOf(0)) : input;
  froms.forEach((f, i) => {
    let term: tf.Tensor4D = f;
    const cf = f.shape[3];
    if (cf > c) term = tf.slice(f, [0, 0, 0, 0], [-1, -1, -1, c]);
    else if (cf < c) term = tf.pad(f, [[0, 0], [0, 0], [0, 0], [0, c - cf]]);
    out = tf.add(out, wn ? tf.mul(term, wOf(i + 1)) : term);
  });
  return activate(out, l.attrs.activation ?? 'linear') as T4;
}

/** Nearest-neighbour ×stride times `scale`, or (negative stride) the sum of each s×s block times `scale`. */
export function upsample(x: T4, l: Layer): T4 {
  const [n, h, w, c] = x.shape;
  const stride = l.attrs.stride!, scale = l.attrs.scale ?? 1;
  let y: T4;
  if (stride > 0) {
    const s = stride;
    // Two rank ≤ 4 tiles: tfjs has no Tile gradient above rank 4, and training goes through here.
    const cols = tf.tile(x.reshape([n * h, w, 1, c]), [1, 1, s, 1]);
    const rows = tf.tile(cols.reshape([n * h, 1, w * s * c]), [1, s, 1]);
    y = rows.reshape([n, h * s, w * s, c]);
  } else {
    const s = -stride;
    y = tf.sum(x.reshape([n * (h / s), s, w / s, s, c]), [1, 3]).reshape([n, h / s, w / s, c]) as T4;
  }
  return scale === 1 ? y : tf.mul(y, scale);
}

/** reorg3d: space-to-depth, out[(dy·s + dx)·c + ch, y, x] = in[ch, y·s + dy, x·s + dx]. */
export function reorg3d(x: T4, l: Layer): T4 {
  const [n, h, w, c] = x.shape;
  const s = l.attrs.stride!;
  const oh = h / s, ow = w / s;
  return tf.transpose(x.reshape([n * oh, s, ow, s, c]), [0, 2, 1, 3, 4]).reshape([n, oh, ow, s * s * c]);
}

/** Source index (CHW flat) of every output element of darknet's legacy reorg
 * (docs/network.md §Layer semantics). */
export function legacyReorgIndex(w: number, h: number, c: number, s: number): Int32Array {
  const c2 = Math.trunc(c / (s * s));
  const idx = new Int32Array(w * h * c);
  for (let k = 0; k < c; k++) {
    const ch2 = k % c2, off = Math.trunc(k / c2);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        idx[i + w * (j + h * k)] = i * s + (off % s) + w * s * (j * s + Math.trunc(off / s) + h * s * ch2);
      }
    }
  }
  return idx;
}

/** Legacy YOLOv2 [reorg]: a fixed permutation of the CHW buffer, indexed with the input's dims. */
export function legacyReorg(x: T4, l: Layer): T4 {
  const [n, h, w, c] = x.shape;
  const [ow, oh, oc] = l.output!;
  const flat = tf.transpose(x, [0, 3, 1, 2]).reshape([n, -1]);
  const y = tf.gather(flat, tf.tensor1d(legacyReorgIndex(w, h, c, l.attrs.stride!), 'int32'), 1);
  return tf.transpose(y.reshape([n, oc, oh, ow]) as T4, [0, 2, 3, 1]);
}

/** [sam]: act(in · from); [scale_channels]: act(in[c] · from[c, y, x]) or, with scale_wh, act(in[y, x] · from). */
export function multiplyFrom(input: T4, from: T4, l: Layer): T4 {
  return activate(tf.mul(input, from), l.attrs.activation ?? 'linear') as T4;
}

/** Flatten NHWC to darknet's CHW order: [n, c·h·w]. */
export const flattenCHW = (x: T4): tf.Tensor2D => tf.transpose(x, [0, 3, 1, 2]).reshape([x.shape[0], -1]);

/** [softmax]: softmax over `groups` contiguous chunks of the CHW buffer; kept as [n, 1, 1, outputs]. */
export function softmaxLayer(x: T4, l: Layer): T4 {
  const flat = flattenCHW(x);
  const g = l.attrs.softmaxGroups ?? 1, t = l.attrs.temperature ?? 1;
  const n = x.shape[0], total = flat.shape[1];
  const logits = flat.reshape([n, g, total / g]);
  return tf.softmax(t === 1 ? logits : tf.div(logits, t)).reshape([n, 1, 1, total]);
}
