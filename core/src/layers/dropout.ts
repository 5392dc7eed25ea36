// [dropout] (dropout_layer.c; docs/network.md §Layer semantics): Dropout / DropBlock, identity at inference.

import { PASS } from './common';
import { flag, float, int } from './keys';
import type { LayerSpec } from './spec';

export const dropout = {
  name: 'dropout',
  aliases: [],
  role: 'identity',
  doc: 'Dropout / DropBlock; identity at inference.',
  keys: {
    probability: float('0.2', 'Drop probability.', { min: 0, max: 1 }),
    dropblock: flag('Use DropBlock.'),
    dropblock_size_rel: float('0', 'DropBlock size relative to the feature map.'),
    dropblock_size_abs: int('0', 'DropBlock size in pixels.'),
  },
  analysis: {
    setsOutputs: true,
    run({ layer, o, a, input, prev }) {
      a.probability = o.float('probability');
      if (!input) return;
      layer.output = [...input];
      layer.outputs = prev.outputs;
      layer.rf = prev.rf;
    },
  },
  forward: {
    run: ({ tf, layer: l, x, training }) =>
      training && (l.attrs.probability ?? 0) > 0 ? (tf.dropout(x, l.attrs.probability!) as typeof x) : x.clone(),
  },
  onnx: ({ x }) => x,
  prune: PASS,
} satisfies LayerSpec<'dropout'>;
