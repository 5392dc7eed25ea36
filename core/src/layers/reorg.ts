// [reorg] (reorg_old_layer.c; docs/network.md §Layer semantics): legacy YOLOv2 reorg, a fixed permutation of
// the CHW buffer indexed with the input's dims, output W/s × H/s × C·s².

import type { AnalyseContext, LayerSpec } from './spec';
import { flag, int } from './keys';
import { OPAQUE } from './common';

export const REORG_REVERSE_UNSUPPORTED = "reverse=1 is not supported (darknet's CPU reverse reorg is not the inverse and divides by zero)";

/** Shape of [reorg] and [reorg3d]. */
export function analyseReorg({ layer, o, a, input, prev, fail }: AnalyseContext): void {
  a.stride = o.int('stride');
  a.reverse = o.int('reverse') !== 0;
  if (!input) return;
  const s = a.stride;
  if (s < 1) {
    fail('stride must be ≥ 1');
    return;
  }
  layer.output = a.reverse
    ? [input[0] * s, input[1] * s, Math.trunc(input[2] / (s * s))]
    : [Math.trunc(input[0] / s), Math.trunc(input[1] / s), input[2] * s * s];
  layer.rf = prev.rf ? { size: prev.rf.size, stride: a.reverse ? prev.rf.stride / s : prev.rf.stride * s } : undefined;
}

/** Source index (CHW flat) of every output element of darknet's legacy reorg (docs/network.md §Layer semantics). */
function legacyReorgIndex(w: number, h: number, c: number, s: number): Int32Array {
  const c2 = Math.trunc(c / (s * s));
  const idx = new Int32Array(w * h * c);
  for (let k = 0; k < c; k++) {
    const ch2 = k % c2,
      off = Math.trunc(k / c2);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        idx[i + w * (j + h * k)] = i * s + (off % s) + w * s * (j * s + Math.trunc(off / s) + h * s * ch2);
      }
    }
  }
  return idx;
}

export const reorg = {
  name: 'reorg',
  aliases: [],
  role: 'resample',
  doc: 'Legacy YOLOv2 reorg ("reorg_old"): a fixed permutation, output W/s × H/s × C·s².',
  keys: { stride: int('1', 'Block size.', { min: 1 }), reverse: flag('Reverse.'), flatten: flag('Flatten.'), extra: int('0', 'Extra.') },
  analysis: { run: analyseReorg },
  forward: {
    check(l) {
      const input = l.input!,
        s = l.attrs.stride!;
      if (l.attrs.reverse) return REORG_REVERSE_UNSUPPORTED;
      if (input[0] % s || input[1] % s) return `input ${input[0]}×${input[1]} is not divisible by stride ${s}`;
      if (input[2] % (s * s)) return `${input[2]} channels are not divisible by stride² = ${s ** 2}`;
      return undefined;
    },
    run({ tf, layer: l, x }) {
      const [n, h, w, c] = x.shape;
      const [ow, oh, oc] = l.output!;
      const flat = tf.transpose(x, [0, 3, 1, 2]).reshape([n, -1]);
      const y = tf.gather(flat, tf.tensor1d(legacyReorgIndex(w, h, c, l.attrs.stride!), 'int32'), 1);
      return tf.transpose(y.reshape([n, oc, oh, ow]) as typeof x, [0, 2, 3, 1]);
    },
  },
  onnx({ g, layer: l, x, fail }) {
    const [w, h, c] = l.input!,
      s = l.attrs.stride!;
    if (l.attrs.reverse) fail("reverse=1 is not supported (darknet's CPU reverse reorg is not the inverse)");
    if (w % s || h % s) fail(`input ${w}×${h} is not divisible by stride ${s}`);
    // The CHW buffer read as [c/s², h·s, w·s], space-to-depth, read back as the output.
    if (c % (s * s)) fail(`${c} channels are not divisible by stride² = ${s * s}`);
    const v = g.op('Reshape', [x, g.ints([0, c / (s * s), h * s, w * s])]);
    const y = g.op('SpaceToDepth', [v], { blocksize: s });
    const [ow, oh, oc] = l.output!;
    return g.op('Reshape', [y, g.ints([0, oc, oh, ow])]);
  },
  prune: OPAQUE,
} satisfies LayerSpec<'reorg'>;
