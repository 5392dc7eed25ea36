// [crop] (crop_layer.c; docs/cfg-format.md §Shapes): out[c][i][j] = in[c][i + dh][j + dw]·scale + trans,
// W' = crop_width, H' = crop_height, C' = c. At inference darknet takes the centred window
// dh = ⌊(h − H')/2⌋, dw = ⌊(w − W')/2⌋ without flip, and maps [0, 1] to [−1, 1] (scale 2, trans −1)
// unless noadjust=1 (scale 1, trans 0). Training crops at random offsets and flips; darknet-pruner's
// training forward keeps the centred window. A window larger than the input reads outside it in
// darknet, so it is reported and not built.

import type { Layer } from '../cfg/network';
import { Options } from '../cfg/options';
import { passOrigins } from './common';
import { flag, float, int } from './keys';
import type { LayerSpec } from './spec';

/** Darknet's inference window and affine map. */
function window(l: Layer): { dh: number; dw: number; scale: number; trans: number } {
  const [w, h] = l.input!,
    [ow, oh] = l.output!;
  const noadjust = new Options(l.section).int('noadjust', 0) !== 0;
  return { dh: Math.trunc((h - oh) / 2), dw: Math.trunc((w - ow) / 2), scale: noadjust ? 1 : 2, trans: noadjust ? 0 : -1 };
}

const tooLarge = (l: Layer): string | undefined => {
  const [w, h] = l.input!,
    [ow, oh] = l.output!;
  return ow > w || oh > h ? `crop ${ow}×${oh} is larger than the input ${w}×${h} (darknet reads outside the input)` : undefined;
};

export const crop = {
  name: 'crop',
  aliases: [],
  role: 'resample',
  doc: 'Centre crop to crop_width × crop_height, mapping [0, 1] to [−1, 1] unless noadjust=1 (random crop and flip in training).',
  keys: {
    crop_height: int('1', 'Crop height.'),
    crop_width: int('1', 'Crop width.'),
    flip: flag('Flip.'),
    angle: float('0', 'Angle.'),
    saturation: float('1', 'Saturation.'),
    exposure: float('1', 'Exposure.'),
    noadjust: flag('No adjust.'),
    shift: float('0', 'Shift.'),
  },
  analysis: {
    run({ layer, o, a, input }) {
      a.cropWidth = o.int('crop_width');
      a.cropHeight = o.int('crop_height');
      if (!input) return;
      layer.output = [a.cropWidth, a.cropHeight, input[2]];
    },
    check({ layer, push }) {
      if (!layer.input || !layer.output) return;
      const why = tooLarge(layer);
      if (why)
        push({
          range: layer.section.headerRange,
          severity: 'error',
          code: 'shape-mismatch',
          layer: layer.index,
          message: `Layer ${layer.index} (crop): ${why}`,
        });
    },
  },
  forward: {
    check: (l) => tooLarge(l),
    run({ tf, layer: l, x }) {
      const { dh, dw, scale, trans } = window(l);
      const y = tf.slice(x, [0, dh, dw, 0], [-1, l.output![1], l.output![0], -1]);
      return scale === 1 && trans === 0 ? y : tf.add(tf.mul(y, scale), trans);
    },
  },
  onnx({ g, layer: l, x }) {
    const { dh, dw, scale, trans } = window(l);
    const y = g.op('Slice', [x, g.ints([dh, dw]), g.ints([dh + l.output![1], dw + l.output![0]]), g.ints([2, 3])], {}, `l${l.index}_crop`);
    return scale === 1 && trans === 0 ? y : g.op('Add', [g.op('Mul', [y, g.scalar(scale)]), g.scalar(trans)]);
  },
  prune: {
    // Channel k out is channel k in (cropped and mapped by the same affine).
    channels: 'custom',
    origins: passOrigins,
    constants({ layer, mode, prev, keep, any }) {
      if (!any(prev)) return undefined;
      const { scale, trans } = window(layer);
      return mode === 'offset' ? prev.map((v) => v * scale) : prev.map((v, k) => (keep![layer.index][k] ? 0 : v * scale + trans));
    },
  },
  diffKey: (l) => [l.attrs.cropWidth, l.attrs.cropHeight],
} satisfies LayerSpec<'crop'>;
