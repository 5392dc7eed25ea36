// [cost] (cost_layer.c; docs/cfg-format.md §Shapes): training cost, identity at inference.

import { flatOutputs, identityForward, identityOnnx, OPAQUE } from './common';
import { float } from './keys';
import type { LayerSpec } from './spec';

export const cost = {
  name: 'cost',
  aliases: [],
  role: 'training',
  doc: 'Training cost (identity at inference).',
  keys: {
    type: { type: 'enum', default: 'sse', doc: 'Cost type.', values: ['sse', 'masked', 'smooth', 'L1', 'seg', 'wgan'] },
    scale: float('1', 'Scale.'),
    ratio: float('0', 'Ratio.'),
    noobject_scale: float('1', 'No-object scale.'),
    thresh: float('0', 'Threshold.'),
  },
  analysis: { run: flatOutputs, setsOutputs: true },
  forward: identityForward,
  onnx: identityOnnx,
  prune: OPAQUE,
} satisfies LayerSpec<'cost'>;
