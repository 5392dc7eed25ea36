// TF.js building blocks several layer forwards share (handed to them as ForwardOps): darknet's
// conv padding, the antialiasing blur, and CHW flattening. Every op used here has a tfjs
// gradient, so the same code serves inference and training.

import * as tf from '@tensorflow/tfjs-core';

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
  return {
    x: tf.pad(x, [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ]),
    mode: 'valid',
  };
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

/** Flatten NHWC to darknet's CHW order: [n, c·h·w]. */
export const flattenCHW = (x: T4): tf.Tensor2D => tf.transpose(x, [0, 3, 1, 2]).reshape([x.shape[0], -1]);
