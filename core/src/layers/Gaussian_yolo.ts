// [Gaussian_yolo] (gaussian_yolo_layer.c; docs/network.md §Heads): Gaussian YOLOv3 head, entries
// per anchor x μ,σ, y μ,σ, w μ,σ, h μ,σ, objectness, classes.

import { identityForward, identityOnnx, OPAQUE } from './common';
import { float } from './keys';
import { analyseYolo, checkHead, headLabel, yoloActivate, YOLO_COMMON } from './yolo-family';
import type { LayerSpec } from './spec';

const per = (l: { attrs: { classes?: number } }) => l.attrs.classes! + 9;

export const Gaussian_yolo = {
  name: 'Gaussian_yolo',
  aliases: [],
  role: 'head',
  doc: 'Gaussian YOLOv3 head (box uncertainty). The conv before it needs filters = |mask|·(classes+9).',
  keys: {
    ...YOLO_COMMON,
    uc_normalizer: float('1', 'Training: weight of the uncertainty loss.'),
    yolo_point: { type: 'enum', default: 'center', doc: 'Box reference point.', values: ['center', 'left_top', 'right_bottom'] },
    nms_kind: { type: 'enum', default: 'default', doc: 'NMS kind.', values: ['default', 'greedynms', 'diounms', 'cornersnms'] },
  },
  analysis: {
    run: (ctx) => analyseYolo(ctx, 9, false),
    check: (ctx) => {
      const a = ctx.layer.attrs,
        n = a.mask!.length;
      checkHead(ctx, {
        perAnchor: (a.classes ?? 0) + 9,
        anchorsUsed: n,
        formula: `|mask|·(classes + 9) = ${n}·(${a.classes} + 9)`,
        masked: true,
      });
    },
  },
  head: {
    outputs: 'boxes',
    decoder: 'gaussian_yolo',
    layout: 'chw',
    loss: 'gaussian_yolo',
    entriesPerAnchor: per,
    anchorSlots: (l) => l.attrs.mask!,
    // x μ,σ (0,1), y μ,σ (2,3) get σ, μ's scaled; w,h μ (4,6) raw; w,h σ (5,7), obj, classes σ.
    activate: (tf, x, l) => yoloActivate(tf, x, l, per(l), (e) => ({ sigmoid: e !== 4 && e !== 6, scaled: e === 0 || e === 2 })),
  },
  forward: identityForward,
  onnx: identityOnnx,
  prune: OPAQUE,
  diffKey: (l) => [l.attrs.classes, l.attrs.mask?.join(','), l.attrs.num],
  graph: { short: 'g-yolo', label: headLabel },
} satisfies LayerSpec<'Gaussian_yolo'>;
