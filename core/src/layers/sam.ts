// [sam] (sam_layer.c; docs/network.md §Layer semantics): spatial attention, out = act(in · from), element-wise.

import { OPAQUE } from './common';
import { analyseMultiply, MULTIPLY_KEYS, multiplyCheck } from './multiply';
import type { LayerSpec } from './spec';

const m = multiplyCheck((input, from) => input.every((v, i) => v === from[i]));

export const sam = {
  name: 'sam',
  aliases: [],
  role: 'merge',
  doc: 'Spatial attention: out = act(in · from), element-wise.',
  keys: MULTIPLY_KEYS,
  refs: [{ key: 'from' }],
  analysis: { run: (ctx) => analyseMultiply(ctx, false), setsOutputs: true, check: m.check },
  forward: m.forward,
  onnx: m.onnx,
  prune: OPAQUE,
  graph: { edge: 'sam' },
} satisfies LayerSpec<'sam'>;
