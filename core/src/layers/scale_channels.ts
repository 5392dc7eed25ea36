// [scale_channels] (scale_channels_layer.c; docs/network.md §Layer semantics): channel attention, scales each
// channel of `from` by the input (1×1×C), or each pixel with scale_wh (input W×H×1).

import { OPAQUE } from './common';
import { flag } from './keys';
import { analyseMultiply, MULTIPLY_KEYS, multiplyCheck } from './multiply';
import type { LayerSpec } from './spec';

const m = multiplyCheck((input, from, scaleWH) =>
  scaleWH ? input[0] === from[0] && input[1] === from[1] && input[2] === 1 : input[0] === 1 && input[1] === 1 && input[2] === from[2],
);

export const scale_channels = {
  name: 'scale_channels',
  aliases: [],
  role: 'merge',
  doc: 'Channel attention: scales each channel of `from` by the input (1×1×C).',
  keys: {
    ...MULTIPLY_KEYS,
    from: { ...MULTIPLY_KEYS.from, doc: 'Layer whose channels are scaled.' },
    scale_wh: flag('Scale per pixel (input W×H×1) instead of per channel.'),
  },
  refs: [{ key: 'from' }],
  analysis: { run: (ctx) => analyseMultiply(ctx, true), setsOutputs: true, check: m.check },
  forward: m.forward,
  onnx: m.onnx,
  prune: OPAQUE,
  graph: { short: 'scale_ch', edge: 'scale_channels' },
} satisfies LayerSpec<'scale_channels'>;
