// [contrastive] (contrastive_layer.c; docs/cfg-format.md §Shapes): contrastive-loss head, no-op at inference.

import { flatOutputs, OPAQUE } from './common';
import { float, int } from './keys';
import type { LayerSpec } from './spec';

export const contrastive = {
  name: 'contrastive',
  aliases: [],
  role: 'training',
  doc: 'Contrastive-loss head (no-op at inference).',
  keys: {
    classes: int('1000', 'Classes.'),
    yolo_layer: { type: 'ref', doc: 'Yolo layer (0 = none).' },
    temperature: float('1', 'Temperature.'),
    cls_normalizer: float('1', 'Normaliser.'),
    max_delta: float(undefined, 'Max delta.'),
    contrastive_neg_max: int('3', 'Negatives.'),
  },
  refs: [{ key: 'yolo_layer', ignore: (raw) => raw === 0 }],
  analysis: {
    setsOutputs: true,
    run(ctx) {
      ctx.a.temperature = ctx.o.float('temperature');
      flatOutputs(ctx);
    },
  },
  forward: { excluded: 'a training loss, not built' },
  onnx: { excluded: 'a training loss' },
  prune: OPAQUE,
} satisfies LayerSpec<'contrastive'>;
