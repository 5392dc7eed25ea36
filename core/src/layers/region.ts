// [region] (region_layer.c; docs/network.md §Heads): the YOLOv2 head. Its output buffer is
// [y][x][a][e] (HWC) after darknet's CPU flatten.

import { atof } from '../cfg/cvalues';
import { findOption } from '../cfg/parse';
import { identityForward, identityOnnx, OPAQUE } from './common';
import { f32 } from './geometry';
import { flag, float, int } from './keys';
import { checkHead } from './yolo-family';
import type { LayerSpec } from './spec';

const per = (l: { attrs: { classes?: number; coords?: number } }) => l.attrs.classes! + l.attrs.coords! + 1;

export const region = {
  name: 'region',
  aliases: [],
  role: 'head',
  doc: 'YOLOv2 detection head. The conv before it needs filters = num·(classes+coords+1).',
  keys: {
    coords: int('4', 'Box coordinates per anchor.'),
    classes: int('20', 'Number of classes.', { min: 1 }),
    num: int('1', 'Number of anchors.', { min: 1 }),
    softmax: flag('Softmax over classes.'),
    anchors: { type: 'floatList', doc: 'Anchors in grid cells, 2·num values.' },
    bias_match: flag('Training.'),
    rescore: flag('Training.'),
    jitter: float('0.2', 'Training.'),
    thresh: float('0.5', 'Training.'),
    object_scale: float('1', 'Training.'),
    noobject_scale: float('1', 'Training.'),
    class_scale: float('1', 'Training.'),
    coord_scale: float('1', 'Training.'),
    tree: { type: 'path', doc: 'Hierarchy file.' },
    map: { type: 'path', doc: 'Class map.' },
    absolute: flag('Training.'),
    random: flag('Training.'),
    log: flag('Training.'),
    sqrt: flag('Training.'),
    focal_loss: flag('Training.'),
    max: int('30', 'Max boxes.'),
  },
  analysis: {
    run({ layer, o, a, input, prev }) {
      a.classes = o.int('classes');
      a.num = o.int('num');
      a.coords = o.int('coords');
      a.softmax = o.int('softmax') !== 0;
      const anchorsOpt = findOption(layer.section, 'anchors');
      a.anchors = anchorsOpt ? anchorsOpt.value!.split(',').map((x) => f32(atof(x))) : [];
      if (!input) return;
      layer.output = [input[0], input[1], a.num * (a.classes + a.coords + 1)];
      layer.rf = prev.rf;
    },
    check: (ctx) => {
      const a = ctx.layer.attrs,
        num = a.num ?? 1;
      checkHead(ctx, {
        perAnchor: (a.classes ?? 0) + (a.coords ?? 4) + 1,
        anchorsUsed: num,
        formula: `num·(classes + coords + 1) = ${num}·(${a.classes} + ${a.coords} + 1)`,
        masked: false,
      });
    },
  },
  head: {
    outputs: 'boxes',
    decoder: 'region',
    layout: 'hwc',
    loss: 'region',
    entriesPerAnchor: per,
    anchorSlots: (l) => Array.from({ length: l.attrs.num! }, (_, i) => i),
    // σ on the objectness, softmax over the classes when softmax=1; x, y, w, h stay raw.
    activate(tf, x, l) {
      const [n, h, w] = x.shape;
      const a = l.attrs,
        e = per(l),
        num = a.num!;
      const cells = x.reshape([n, h, w, num, e]);
      const coords = tf.slice(cells, [0, 0, 0, 0, 0], [-1, -1, -1, -1, a.coords!]);
      const obj = tf.sigmoid(tf.slice(cells, [0, 0, 0, 0, a.coords!], [-1, -1, -1, -1, 1]));
      let cls = tf.slice(cells, [0, 0, 0, 0, a.coords! + 1], [-1, -1, -1, -1, a.classes!]);
      if (a.softmax) cls = tf.softmax(cls);
      return tf.concat([coords, obj, cls], 4).reshape([n, h, w, num * e]);
    },
  },
  forward: identityForward,
  onnx: identityOnnx,
  prune: OPAQUE,
  diffKey: (l) => [l.attrs.classes, l.attrs.mask?.join(','), l.attrs.num],
} satisfies LayerSpec<'region'>;
