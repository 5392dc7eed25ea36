// Helpers for the backend / gradient-kernel tests: deterministic data and a relative comparison.
import * as tf from '@tensorflow/tfjs-core';

/** Deterministic values in [-1, 1) (LCG), independent of any backend's RNG. */
export function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  return a;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` on `backend` and returns plain copies of the results (all intermediates disposed). */
export async function on(backend: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(fn);
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

/**
 * Largest error relative to the reference, per element: |a − b| / (|b| + mean|b|). The mean term
 * keeps near-zero elements (sums that cancel) from dominating, as a norm-relative bound would.
 */
export function relError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let mean = 0;
  for (let i = 0; i < b.length; i++) mean += Math.abs(b[i]);
  mean = mean / Math.max(1, b.length) || 1e-30;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + mean));
  }
  return worst;
}
