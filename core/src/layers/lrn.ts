// [lrn] / [normalization] (normalization_layer.c; docs/network.md §Layer semantics): local response
// normalisation across channels. Shape only: darknet's CPU forward sums a window that leaves out
// channel size/2 (not the LRN of its GPU/cuDNN path), so neither is reproduced.

import { OPAQUE, sameShape } from './common';
import { float, int } from './keys';
import type { LayerSpec } from './spec';

export const lrn = {
  name: 'lrn',
  aliases: ['normalization'],
  role: 'normalise',
  doc: 'Local response normalisation.',
  keys: { size: int('5', 'Window.'), alpha: float('0.0001', 'α.'), beta: float('0.75', 'β.'), kappa: float('1', 'κ.') },
  analysis: { run: sameShape },
  forward: { excluded: "darknet's CPU and GPU forwards disagree" },
  onnx: { excluded: "darknet's CPU and GPU forwards disagree" },
  prune: OPAQUE,
} satisfies LayerSpec<'lrn'>;
