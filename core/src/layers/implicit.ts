// [implicit] (implicit_layer.c; docs/network.md §Layer semantics): a learned constant tensor (YOLOR),
// output 1 × atoms × filters whatever the input.

import { OPAQUE } from './common';
import { float, int } from './keys';
import type { LayerSpec } from './spec';

export const implicit = {
  name: 'implicit',
  aliases: [],
  role: 'constant',
  doc: 'Learned constant tensor (YOLOR): output 1 × atoms × filters.',
  keys: {
    filters: int('128', 'Channels.', { min: 1 }),
    atoms: int('1', 'Height.', { min: 1 }),
    mean: float('0', 'Init mean.'),
    std: float('0.2', 'Init std.'),
  },
  analysis: {
    readsPrevious: false,
    run({ layer, o, a }) {
      a.filters = o.int('filters');
      a.atoms = o.int('atoms');
      layer.output = [1, a.atoms, a.filters];
      layer.weightFloats = layer.params = a.filters * a.atoms;
    },
  },
  blocks: (l) => [{ name: 'weights', length: l.weightFloats }],
  forward: {
    run({ tf, layer: l, x, params }) {
      const f = l.attrs.filters!,
        at = l.attrs.atoms!;
      const t = tf.transpose(params!.implicit!.reshape([f, at])).reshape([1, at, 1, f]) as typeof x;
      return tf.tile(t, [x.shape[0], 1, 1, 1]);
    },
    params({ layer: l, variable, block, initialised }) {
      initialised();
      const n = l.attrs.filters! * l.attrs.atoms!;
      return {
        implicit: variable(
          'weights',
          block('weights', n, () => new Float32Array(n)),
          [n],
        ),
      };
    },
    toBlocks: (p, _l, data) => (p.implicit ? { weights: data(p.implicit).slice() } : undefined),
  },
  onnx: { excluded: 'not exported yet (a constant initializer tiled over the batch)' },
  prune: OPAQUE,
} satisfies LayerSpec<'implicit'>;
