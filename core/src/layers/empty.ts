// [empty] / [silence] (docs/network.md §Layer semantics): identity, same shape.

import { identityForward, identityOnnx, PASS, sameShape } from './common';
import type { LayerSpec } from './spec';

export const empty = {
  name: 'empty',
  aliases: ['silence'],
  role: 'identity',
  doc: 'Identity layer.',
  keys: {},
  analysis: { run: sameShape },
  forward: identityForward,
  onnx: identityOnnx,
  prune: PASS,
} satisfies LayerSpec<'empty'>;
