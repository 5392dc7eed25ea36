// [reorg3d] (reorg_layer.c; docs/network.md §Layer semantics): space-to-depth, W×H×C → W/s × H/s × C·s²,
// out[(dy·s + dx)·c + ch, y, x] = in[ch, y·s + dy, x·s + dx].

import { analyseReorg, REORG_REVERSE_UNSUPPORTED } from './reorg';
import { flag, int } from './keys';
import type { LayerSpec } from './spec';

export const reorg3d = {
  name: 'reorg3d',
  aliases: [],
  role: 'resample',
  doc: 'Space-to-depth: W×H×C → W/s × H/s × C·s².',
  keys: { stride: int('1', 'Block size.', { min: 1 }), reverse: flag("Depth-to-space (unsupported: darknet's CPU code is wrong).") },
  analysis: { run: analyseReorg },
  forward: {
    check(l) {
      const input = l.input!;
      if (l.attrs.reverse) return REORG_REVERSE_UNSUPPORTED;
      if (input[0] % l.attrs.stride! || input[1] % l.attrs.stride!)
        return `input ${input[0]}×${input[1]} is not divisible by stride ${l.attrs.stride}`;
      return undefined;
    },
    run({ tf, layer: l, x }) {
      const [n, h, w, c] = x.shape;
      const s = l.attrs.stride!;
      const oh = h / s,
        ow = w / s;
      return tf.transpose(x.reshape([n * oh, s, ow, s, c]), [0, 2, 1, 3, 4]).reshape([n, oh, ow, s * s * c]);
    },
  },
  onnx({ g, layer: l, x, fail }) {
    const [w, h] = l.input!,
      s = l.attrs.stride!;
    if (l.attrs.reverse) fail("reverse=1 is not supported (darknet's CPU reverse reorg is not the inverse)");
    if (w % s || h % s) fail(`input ${w}×${h} is not divisible by stride ${s}`);
    return g.op('SpaceToDepth', [x], { blocksize: s });
  },
  prune: {
    channels: 'custom',
    origins({ layer, c, prev, fresh }) {
      if (layer.attrs.reverse || !prev) return fresh();
      const cin = prev.l.length;
      const o = { l: new Int32Array(c), ch: new Int32Array(c) };
      for (let k = 0; k < c; k++) {
        o.l[k] = prev.l[k % cin];
        o.ch[k] = prev.ch[k % cin];
      }
      return o;
    },
    constrain: ({ layer, at, pinInputs }) => {
      if (layer.attrs.reverse) pinInputs(`feeds ${at} with reverse=1`);
    },
    constants({ layer, c, prev, any, lost }) {
      if (!any(prev)) return undefined;
      if (layer.attrs.reverse) {
        lost('reverse reorg');
        return undefined;
      }
      return Float64Array.from({ length: c }, (_, k) => prev[k % prev.length]);
    },
  },
} satisfies LayerSpec<'reorg3d'>;
