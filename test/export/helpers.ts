// Shared by the export tests: golden files, darknet's in-layer [yolo] activation written out in JS
// (independent of the exporter's decode graph and of the tfjs heads), and a max-abs-diff.
import { readFileSync } from 'node:fs';
import type { HeadInfo } from '../../core/src/export/onnx';

export function f32File(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** darknet yolo_layer.c forward on a raw [a][e][y][x] buffer: σ (unless new_coords), then x·s + float32(−0.5(s−1)) on x, y. */
export function yoloActivate(raw: Float32Array, h: HeadInfo): Float32Array {
  const per = h.classes + 5,
    hw = h.grid[0] * h.grid[1];
  const s = Math.fround(h.scaleXY),
    b = Math.fround(-0.5 * (s - 1));
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const e = Math.floor(i / hw) % per;
    let v = raw[i];
    if (!h.newCoords && e !== 2 && e !== 3) v = Math.fround(1 / (1 + Math.exp(-v)));
    if (e < 2) v = Math.fround(Math.fround(v * s) + b);
    out[i] = v;
  }
  return out;
}

export { maxAbsDiff } from '../nn/helpers';

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
