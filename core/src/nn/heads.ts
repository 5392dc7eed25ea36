// Detection heads in TF.js: darknet's in-layer activation of each decoded head (its record's
// `head.activate`, core/src/layers) and the conversion of a layer's NHWC output to darknet's
// output buffer layout (docs/network.md §Heads).

import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../cfg/network';
import { headOf, isDecodedHead } from '../layers';

/** A head darknet-pruner decodes ([yolo], [Gaussian_yolo], [region]). */
export const isHead = isDecodedHead;

/** Entries per anchor. */
export const entriesPerAnchor = (l: Layer): number => headOf(l)!.entriesPerAnchor!(l);

/** Number of anchor slots in the head's output. */
export const anchorSlots = (l: Layer): number => headOf(l)!.anchorSlots!(l).length;

/** The head's in-layer activation (what darknet stores in l.output), NHWC. */
export function activateHead(x: tf.Tensor4D, l: Layer): tf.Tensor4D {
  return headOf(l)!.activate!(tf, x, l);
}

/**
 * Darknet's output buffer for image `b` of a layer output (NHWC data of shape [n, h, w, c]): CHW
 * (yolo / Gaussian_yolo `[a][e][y][x]`, every non-head layer), or HWC for region (CPU, after
 * flatten, `[y][x][a][e]`).
 */
export function darknetLayout(l: Layer, data: Float32Array, shape: number[], b = 0): Float32Array {
  const [, h, w, c] = shape;
  const per = h * w * c;
  const img = data.subarray(b * per, (b + 1) * per);
  if (headOf(l)?.layout === 'hwc') return img.slice();
  const out = new Float32Array(per);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y * w + x) * c;
      for (let ch = 0; ch < c; ch++) out[(ch * h + y) * w + x] = img[src + ch];
    }
  }
  return out;
}
