// [softmax] (softmax_layer.c; docs/cfg-format.md §Shapes): softmax over `groups` contiguous chunks of
// the CHW buffer. A classifier's output head.

import { flatOutputs, OPAQUE } from './common';
import { flag, float, int } from './keys';
import type { LayerSpec } from './spec';

export const softmax = {
  name: 'softmax',
  aliases: ['soft'],
  role: 'head',
  doc: 'Softmax over groups of the input.',
  keys: {
    groups: int('1', 'Number of softmax groups.', { min: 1 }),
    temperature: float('1', 'Temperature.'),
    tree: { type: 'path', doc: 'Hierarchy file.' },
    spatial: flag('Spatial softmax.'),
    noloss: flag('No loss.'),
  },
  analysis: {
    setsOutputs: true,
    run(ctx) {
      ctx.a.softmaxGroups = ctx.o.int('groups');
      ctx.a.temperature = ctx.o.float('temperature');
      flatOutputs(ctx);
    },
  },
  head: { outputs: 'scores', layout: 'chw' },
  forward: {
    run({ tf, ops, layer: l, x }) {
      // kept as [n, 1, 1, outputs]
      const flat = ops.flattenCHW(x);
      const g = l.attrs.softmaxGroups ?? 1,
        t = l.attrs.temperature ?? 1;
      const n = x.shape[0],
        total = flat.shape[1];
      const logits = flat.reshape([n, g, total / g]);
      return tf.softmax(t === 1 ? logits : tf.div(logits, t)).reshape([n, 1, 1, total]);
    },
  },
  onnx({ g, layer: l, x, fail }) {
    const groups = l.attrs.softmaxGroups ?? 1,
      t = l.attrs.temperature ?? 1;
    const total = l.input![0] * l.input![1] * l.input![2];
    if (total % groups) fail(`${total} inputs are not divisible into groups=${groups}`);
    let y = g.op('Reshape', [x, g.ints([0, groups, total / groups])]);
    if (t !== 1) y = g.op('Div', [y, g.scalar(t)]);
    y = g.op('Softmax', [y], { axis: -1 });
    return g.op('Reshape', [y, g.ints([0, total, 1, 1])]);
  },
  prune: OPAQUE,
} satisfies LayerSpec<'softmax'>;
