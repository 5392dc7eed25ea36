// [local_avgpool] (maxpool_layer.c forward_local_avgpool_layer; docs/network.md §Layer semantics): windowed
// average over the in-bounds positions only (padding excluded from the divisor).

import { int } from './keys';
import { PASS } from './common';
import { analysePool, POOL_KEYS, poolDiffKey, poolLabel, poolPadsNHWC, poolRecount } from './pool';
import type { LayerSpec } from './spec';

export const local_avgpool = {
  name: 'local_avgpool',
  aliases: ['local_avg'],
  role: 'pool',
  doc: 'Windowed average pooling over the valid (in-bounds) positions.',
  keys: { ...POOL_KEYS, padding: int(undefined, 'Total padding (default size−1).', { min: 0 }) },
  analysis: { run: (ctx) => analysePool(ctx, false) },
  forward: {
    run({ tf, layer: l, x }) {
      const a = l.attrs;
      const pads = poolPadsNHWC(a.padding!);
      const size: [number, number] = [a.size!, a.size!],
        strides: [number, number] = [a.strideY!, a.strideX!];
      const sum = tf.avgPool(tf.pad(x, pads), size, strides, 'valid');
      const count = tf.avgPool(tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]), pads) as typeof x, size, strides, 'valid');
      return tf.div(sum, count);
    },
  },
  onnx({ g, layer: l, x, poolPads }) {
    const a = l.attrs;
    return g.op('AveragePool', [x], {
      kernel_shape: [a.size!, a.size!],
      strides: [a.strideY!, a.strideX!],
      pads: poolPads(a.padding!),
      count_include_pad: 0,
    });
  },
  prune: { ...PASS, recount: (l, cin) => poolRecount(l, cin) },
  diffKey: poolDiffKey,
  graph: { short: 'avgpool', label: poolLabel },
} satisfies LayerSpec<'local_avgpool'>;
