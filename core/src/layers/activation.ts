// [activation] (activation_layer.c; docs/network.md §Layer semantics): a stand-alone activation.

import { passOrigins, sameShape } from './common';
import { act } from './keys';
import type { LayerSpec } from './spec';

export const activation = {
  name: 'activation',
  aliases: [],
  role: 'identity',
  doc: 'Stand-alone activation.',
  keys: { activation: act('linear') },
  analysis: {
    run(ctx) {
      ctx.a.activation = ctx.o.str('activation');
      sameShape(ctx);
    },
  },
  forward: { run: ({ ops, layer: l, x }) => ops.activate(x, l.attrs.activation ?? 'linear') as typeof x },
  onnx: ({ x, act: activate }) => activate(x, 'linear'),
  prune: {
    channels: 'custom',
    origins: passOrigins,
    constants({ layer, mode, prev, keep, any, lost, activationFn, isLinear }) {
      if (!any(prev)) return undefined;
      const a = layer.attrs;
      if (isLinear(a.activation)) return prev.slice();
      if (mode === 'offset') {
        lost(`activation ${a.activation} is not linear`);
        return undefined;
      }
      const f = activationFn(a.activation);
      return prev.map((v, k) => (keep![layer.index][k] ? 0 : f(v)));
    },
  },
} satisfies LayerSpec<'activation'>;
