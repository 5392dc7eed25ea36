// [local] (local_layer.c; docs/network.md §Layer semantics): locally connected layer (unshared weights).

import { OPAQUE } from './common';
import { rfThrough } from './geometry';
import { act, flag, int } from './keys';
import type { LayerSpec } from './spec';

export const local = {
  name: 'local',
  aliases: [],
  role: 'conv',
  doc: 'Locally connected layer (unshared weights).',
  keys: {
    filters: int('1', 'Filters.', { min: 1 }),
    size: int('1', 'Kernel size.', { min: 1 }),
    stride: int('1', 'Stride.', { min: 1 }),
    pad: flag('Pad.'),
    activation: act('logistic'),
  },
  analysis: {
    run({ layer, o, a, input, prev, fail }) {
      a.filters = o.int('filters');
      a.size = o.int('size');
      a.strideX = a.strideY = o.int('stride');
      a.activation = o.str('activation');
      const pad = o.int('pad');
      if (!input) return;
      if (a.strideX < 1) {
        fail('stride must be ≥ 1');
        return;
      }
      const ow = Math.trunc((input[0] - (pad ? 1 : a.size)) / a.strideX) + 1;
      const oh = Math.trunc((input[1] - (pad ? 1 : a.size)) / a.strideX) + 1;
      layer.output = [ow, oh, a.filters];
      const locations = ow * oh;
      layer.weightFloats = locations * a.filters + a.size * a.size * input[2] * a.filters * locations;
      layer.params = layer.weightFloats;
      layer.rf = rfThrough(prev.rf, a.size, a.strideX);
    },
  },
  blocks(l) {
    const biases = l.output![0] * l.output![1] * l.output![2];
    return [
      { name: 'biases', length: biases },
      { name: 'weights', length: l.weightFloats - biases },
    ];
  },
  forward: { excluded: 'locally connected layers are not built' },
  onnx: { excluded: 'locally connected layers are not exported' },
  prune: OPAQUE,
} satisfies LayerSpec<'local'>;
