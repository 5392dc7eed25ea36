// [avgpool] (avgpool_layer.c; docs/network.md §Layer semantics): global average, W×H×C → 1×1×C.

import { PASS } from './common';
import type { LayerSpec } from './spec';

export const avgpool = {
  name: 'avgpool',
  aliases: ['avg'],
  role: 'pool',
  doc: 'Global average pooling: W×H×C → 1×1×C.',
  keys: {},
  analysis: {
    run({ layer, input, prev }) {
      if (!input) return;
      layer.output = [1, 1, input[2]];
      layer.rf = prev.rf ? { size: prev.rf.size + (input[0] - 1) * prev.rf.stride, stride: prev.rf.stride * input[0] } : undefined;
    },
  },
  forward: { run: ({ tf, x }) => tf.mean(x, [1, 2], true) as typeof x },
  onnx: ({ g, x }) => g.op('GlobalAveragePool', [x]),
  prune: PASS,
} satisfies LayerSpec<'avgpool'>;
