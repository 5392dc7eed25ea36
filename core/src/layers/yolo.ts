// [yolo] (yolo_layer.c; docs/network.md §Heads): the YOLOv3/v4 detection head.

import { identityForward, identityOnnx, OPAQUE } from './common';
import { flag, float, int } from './keys';
import { analyseYolo, checkHead, headLabel, yoloActivate, YOLO_COMMON } from './yolo-family';
import type { LayerSpec } from './spec';

const per = (l: { attrs: { classes?: number } }) => l.attrs.classes! + 5;

export const yolo = {
  name: 'yolo',
  aliases: [],
  role: 'head',
  doc: 'YOLOv3/v4 detection head. The conv before it needs filters = |mask|·(classes+5).',
  keys: {
    ...YOLO_COMMON,
    new_coords: flag('Scaled-YOLOv4 decoding: no sigmoid in the head, wh = 4·t²·anchor.'),
    objectness_smooth: flag('Training: objectness smoothing.'),
    max_delta: float(undefined, 'Training: clip deltas.'),
    counters_per_class: { type: 'intList', doc: 'Training: per-class counts for balancing.' },
    show_details: int('1', 'Print training details.'),
    track_history_size: int('5', 'Tracking history.'),
    sim_thresh: float('0.8', 'Tracking similarity threshold.'),
    dets_for_track: int('1', 'Tracking.'),
    dets_for_show: int('1', 'Tracking.'),
    track_ciou_norm: float('0.01', 'Tracking.'),
    embedding_layer: { type: 'ref', doc: 'Conv layer carrying per-anchor embeddings.' },
  },
  refs: [{ key: 'embedding_layer', ignore: (raw) => raw === 999999 }],
  analysis: {
    run: (ctx) => analyseYolo(ctx, 5, true),
    check: (ctx) => {
      const a = ctx.layer.attrs,
        n = a.mask!.length;
      checkHead(ctx, {
        perAnchor: (a.classes ?? 0) + 5,
        anchorsUsed: n,
        formula: `|mask|·(classes + 5) = ${n}·(${a.classes} + 5)`,
        masked: true,
      });
    },
  },
  head: {
    outputs: 'boxes',
    decoder: 'yolo',
    layout: 'chw',
    loss: 'yolo',
    entriesPerAnchor: per,
    anchorSlots: (l) => l.attrs.mask!,
    // new_coords: no σ in the head (the conv before it has a logistic activation).
    activate: (tf, x, l) =>
      yoloActivate(tf, x, l, per(l), (e) =>
        l.attrs.newCoords ? { sigmoid: false, scaled: e < 2 } : { sigmoid: e !== 2 && e !== 3, scaled: e < 2 },
      ),
  },
  forward: identityForward,
  onnx: identityOnnx,
  prune: OPAQUE,
  diffKey: (l) => [l.attrs.classes, l.attrs.mask?.join(','), l.attrs.num],
  graph: { label: headLabel },
} satisfies LayerSpec<'yolo'>;
