// [upsample] (upsample_layer.c; docs/network.md §Layer semantics): nearest-neighbour ×stride times `scale`,
// or with a negative stride the sum of each s×s block times `scale`.

import { passOrigins } from './common';
import { float, int } from './keys';
import type { LayerSpec } from './spec';

export const upsample = {
  name: 'upsample',
  aliases: [],
  role: 'resample',
  doc: 'Nearest-neighbour upsampling by `stride` (negative stride: sum-downsampling).',
  keys: { stride: int('2', 'Upsampling factor; negative = downsample.'), scale: float('1', 'Output multiplier.') },
  analysis: {
    run({ layer, o, a, input, prev, fail }) {
      a.stride = o.int('stride');
      a.scale = o.float('scale');
      if (!input) return;
      if (a.stride === 0) {
        fail('stride must not be 0');
        return;
      }
      a.reverse = a.stride < 0;
      const s = Math.abs(a.stride);
      layer.output = a.reverse ? [Math.trunc(input[0] / s), Math.trunc(input[1] / s), input[2]] : [input[0] * s, input[1] * s, input[2]];
      layer.rf = prev.rf ? { size: prev.rf.size, stride: a.reverse ? prev.rf.stride * s : prev.rf.stride / s } : undefined;
    },
  },
  forward: {
    check(l) {
      const a = l.attrs,
        input = l.input!;
      if (a.stride! < 0 && (input[0] % -a.stride! || input[1] % -a.stride!))
        return `downsampling ${input[0]}×${input[1]} by ${-a.stride!} is not exact (darknet scrambles rows here)`;
      return undefined;
    },
    run({ tf, layer: l, x }) {
      const [n, h, w, c] = x.shape;
      const stride = l.attrs.stride!,
        scale = l.attrs.scale ?? 1;
      let y: typeof x;
      if (stride > 0) {
        const s = stride;
        // Two rank ≤ 4 tiles: tfjs has no Tile gradient above rank 4, and training goes through here.
        const cols = tf.tile(x.reshape([n * h, w, 1, c]), [1, 1, s, 1]);
        const rows = tf.tile(cols.reshape([n * h, 1, w * s * c]), [1, s, 1]);
        y = rows.reshape([n, h * s, w * s, c]);
      } else {
        const s = -stride;
        y = tf.sum(x.reshape([n * (h / s), s, w / s, s, c]), [1, 3]).reshape([n, h / s, w / s, c]);
      }
      return scale === 1 ? y : tf.mul(y, scale);
    },
  },
  onnx({ g, layer: l, x, fail }) {
    const { stride, scale = 1 } = l.attrs;
    const [w, h] = l.input!;
    let y: string;
    if (stride! > 0) {
      y = g.op(
        'Resize',
        [x, '', g.floatTensor('scales', new Float32Array([1, 1, stride!, stride!]), [4])],
        {
          mode: 'nearest',
          coordinate_transformation_mode: 'asymmetric',
          nearest_mode: 'floor',
        },
        `l${l.index}_upsample`,
      );
    } else {
      const s = -stride!;
      if (w % s || h % s) fail(`downsampling ${w}×${h} by ${s} is not exact (darknet scrambles rows here)`);
      // Sum of each s×s block = average × s².
      y = g.op('Mul', [g.op('AveragePool', [x], { kernel_shape: [s, s], strides: [s, s] }), g.scalar(s * s)]);
    }
    return scale === 1 ? y : g.op('Mul', [y, g.scalar(scale)]);
  },
  prune: {
    channels: 'custom',
    origins: passOrigins,
    constrain({ net, layer, referenceExcluded }) {
      // The reference implementation's exclusion c3 (docs/pruning.md §Populations).
      const prev = net.layers[layer.index - 1];
      if (prev?.type === 'convolutional' && prev.attrs.batchNormalize && !referenceExcluded.has(prev.index))
        referenceExcluded.set(prev.index, 'c3: conv before [upsample]');
    },
    constants({ layer, prev, any }) {
      if (!any(prev)) return undefined;
      const a = layer.attrs,
        s = Math.abs(a.stride!),
        factor = a.scale! * (a.stride! < 0 ? s * s : 1);
      return prev.map((v) => v * factor);
    },
  },
  diffKey: (l) => [l.attrs.stride],
  graph: { label: (l, short) => `${short} ×${l.attrs.stride ?? 2}` },
} satisfies LayerSpec<'upsample'>;
