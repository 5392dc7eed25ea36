// Darknet's in-layer activation of [yolo] and [Gaussian_yolo] on a raw head buffer `[a][e][y][x]`
// (yolo_layer.c / gaussian_yolo_layer.c CPU forward, docs/network.md §Heads), for runtimes that
// return the head inputs (the default ONNX export).

import type { HeadInfo } from './onnx';
import { decoderOfType } from '../layers';

const sigmoid = (v: number) => Math.fround(1 / (1 + Math.exp(-v)));

export function activateHeadBuffer(raw: Float32Array, h: HeadInfo): Float32Array {
  const decoder = decoderOfType(h.type);
  if (decoder !== 'yolo' && decoder !== 'gaussian_yolo') throw new Error(`layer ${h.layer}: [${h.type}] heads are not activated here`);
  const gauss = decoder === 'gaussian_yolo';
  const per = h.classes + (gauss ? 9 : 5),
    hw = h.grid[0] * h.grid[1];
  const s = Math.fround(h.scaleXY),
    b = Math.fround(-0.5 * (s - 1));
  // yolo: σ on all but w, h (none with new_coords); x, y scaled. Gaussian: w μ (4), h μ (6) raw; x μ (0), y μ (2) scaled.
  const raws = gauss ? [4, 6] : [2, 3];
  const scaled = gauss ? [0, 2] : [0, 1];
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const e = Math.floor(i / hw) % per;
    let v = raw[i];
    if (!(h.newCoords && !gauss) && !raws.includes(e)) v = sigmoid(v);
    if (scaled.includes(e) && s !== 1) v = Math.fround(Math.fround(v * s) + b);
    out[i] = v;
  }
  return out;
}
