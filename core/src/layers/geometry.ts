// Darknet's size, BFLOPs and receptive-field arithmetic shared by several layer types
// (docs/cfg-format.md §Shapes, §Parameters).

import type { ReceptiveField, Shape } from '../cfg/network';

export const f32 = Math.fround;
export const convOut = (w: number, pad: number, k: number, s: number): number => Math.trunc((w + 2 * pad - k) / s) + 1;
export const poolOut = (w: number, padding: number, k: number, s: number): number => Math.trunc((w + padding - k) / s) + 1;
/** C `int` multiply chain (darknet computes some BFLOPs in 32-bit int). */
export const imul = (...xs: number[]): number => xs.reduce((a, b) => Math.imul(a, b), 1);

/** Output of darknet's antialiasing blur after a stride-1 conv/maxpool. */
export function antialiasBlur(out: Shape, aa: number, sx: number, sy: number): Shape {
  const k = aa === 2 ? 2 : 3;
  const p = aa === 2 ? 0 : 1;
  return [convOut(out[0], p, k, sx), convOut(out[1], p, k, sy), out[2]];
}

export function rfThrough(rf: ReceptiveField | undefined, k: number, stride: number): ReceptiveField | undefined {
  return rf ? { size: rf.size + (k - 1) * rf.stride, stride: rf.stride * stride } : undefined;
}
