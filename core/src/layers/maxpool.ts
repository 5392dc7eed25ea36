// [maxpool] (maxpool_layer.c; docs/network.md §Layer semantics): positions outside the input are skipped
// (padding acts as −∞); maxpool_depth pools across channels instead.

import { flag, int } from './keys';
import { passOrigins } from './common';
import { analysePool, POOL_KEYS, poolDiffKey, poolLabel, poolPadsNHWC, poolRecount } from './pool';
import type { LayerSpec } from './spec';

export const maxpool = {
  name: 'maxpool',
  aliases: ['max'],
  role: 'pool',
  doc: 'Max pooling. Positions outside the input are skipped (padding acts as −∞).',
  keys: {
    ...POOL_KEYS,
    padding: int(undefined, 'Total padding (default size−1); the window starts at −padding/2.', { min: 0 }),
    maxpool_depth: flag('Pool across channels instead of space.'),
    out_channels: int('1', 'Output channels with maxpool_depth=1.', { min: 1 }),
    antialiasing: int('0', 'Blur after pooling at stride 1.', { min: 0, max: 2 }),
    maxpool_zero_nonmax: flag('Training only.'),
    stream: int('-1', 'GPU stream.'),
    wait_stream: int('-1', 'GPU stream to wait for.'),
  },
  analysis: { run: (ctx) => analysePool(ctx, true) },
  forward: {
    run({ tf, ops, layer: l, x }) {
      const a = l.attrs;
      if (a.maxpoolDepth) {
        // out[g] = max over channels g, g + oc, g + 2·oc, … < c.
        const [n, h, w, c] = x.shape;
        const oc = a.outChannels!;
        const m = Math.ceil(c / oc);
        const padded =
          m * oc === c
            ? x
            : tf.pad(
                x,
                [
                  [0, 0],
                  [0, 0],
                  [0, 0],
                  [0, m * oc - c],
                ],
                -Infinity,
              );
        return tf.max(padded.reshape([n, h, w, m, oc]), 3);
      }
      const aa = a.antialiasing ?? 0;
      const padded = a.padding ? tf.pad(x, poolPadsNHWC(a.padding), -Infinity) : x;
      let y = tf.maxPool(padded, [a.size!, a.size!], aa ? [1, 1] : [a.strideY!, a.strideX!], 'valid');
      if (aa) y = ops.antialias(y, aa, a.strideX!, a.strideY!);
      return y;
    },
  },
  onnx({ g, layer: l, x, opset, blur, poolPads, fail }) {
    const a = l.attrs,
      [w, h, c] = l.input!;
    if (a.maxpoolDepth) {
      // out[g] = max over channels g, g + oc, g + 2·oc, …
      const oc = a.outChannels!,
        m = Math.ceil(c / oc);
      let t = x;
      if (m * oc !== c) t = g.op('Pad', [x, g.ints([0, 0, 0, 0, 0, m * oc - c, 0, 0]), g.scalar(-Infinity)], { mode: 'constant' });
      const r = g.op('Reshape', [t, g.ints([0, m, oc, h, w])]);
      return opset >= 18 ? g.op('ReduceMax', [r, g.ints([1])], { keepdims: 0 }) : g.op('ReduceMax', [r], { axes: [1], keepdims: 0 });
    }
    const aa = a.antialiasing ?? 0;
    const pads = poolPads(a.padding!);
    if (pads[0] >= a.size! || pads[2] >= a.size!)
      fail(`padding=${a.padding} is not smaller than size=${a.size} on each side; ONNX MaxPool rejects it`);
    const y = g.op(
      'MaxPool',
      [x],
      { kernel_shape: [a.size!, a.size!], strides: aa ? [1, 1] : [a.strideY!, a.strideX!], pads },
      `l${l.index}_maxpool`,
    );
    return aa ? blur(y, c) : y;
  },
  prune: {
    channels: 'custom',
    origins: (ctx) => (ctx.layer.attrs.maxpoolDepth ? ctx.fresh() : passOrigins(ctx)),
    constrain: ({ layer, at, pinInputs }) => {
      if (layer.attrs.maxpoolDepth) pinInputs(`feeds ${at} with maxpool_depth`);
    },
    constants({ layer, prev, any, lost }) {
      if (!any(prev)) return undefined;
      if (layer.attrs.maxpoolDepth) {
        lost('maxpool_depth mixes channels');
        return undefined;
      }
      return prev.slice();
    },
    recount: (l, cin) => poolRecount(l, cin),
  },
  diffLabel: 'max',
  graph: { label: poolLabel },
  diffKey: poolDiffKey,
} satisfies LayerSpec<'maxpool'>;
