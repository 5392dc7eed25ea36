// Shared helpers for the nn tests: backend selection and a tiny CHW reference toolkit.
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type Purpose } from '../../core/src/nn/backend';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { XorShift32 } from '../../core/src/weights/synth';

export async function useBackend(purpose: Purpose): Promise<string> {
  const c = await selectBackend({ purpose });
  return c.name;
}

export function analyse(text: string): Network {
  const net = analyseText(text);
  const err = net.diagnostics.find((d) => d.severity === 'error');
  if (err) throw new Error(`test cfg: ${err.message}`);
  return net;
}

/** Deterministic values in [lo, hi). */
export function ramp(n: number, seed = 7, lo = -2, hi = 2): Float32Array {
  const r = new XorShift32(seed);
  const out = new Float32Array(n);
  r.fill(out, lo, hi);
  return out;
}

/** NHWC tensor → CHW Float32Array of image 0. */
export function toCHW(t: tf.Tensor): Float32Array {
  const [, h, w, c] = t.shape;
  const d = t.dataSync();
  const out = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = d[(y * w + x) * c + ch];
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
