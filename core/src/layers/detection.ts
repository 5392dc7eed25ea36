// [detection] (detection_layer.c; docs/cfg-format.md §Shapes): the YOLOv1 head.

import { flatOutputs, OPAQUE } from './common';
import { flag, float, int } from './keys';
import type { LayerSpec } from './spec';

export const detection = {
  name: 'detection',
  aliases: [],
  role: 'head',
  doc: 'YOLOv1 detection head.',
  keys: {
    coords: int('1', 'Coordinates.'),
    classes: int('1', 'Classes.'),
    rescore: flag('Training.'),
    num: int('1', 'Boxes per cell.'),
    side: int('7', 'Grid side.'),
    softmax: flag('Softmax.'),
    sqrt: flag('Training.'),
    jitter: float('0.2', 'Training.'),
    object_scale: float('1', 'Training.'),
    noobject_scale: float('1', 'Training.'),
    class_scale: float('1', 'Training.'),
    coord_scale: float('1', 'Training.'),
    forced: flag('Training.'),
    random: flag('Training.'),
    reorg: flag('Training.'),
  },
  analysis: { run: flatOutputs, setsOutputs: true },
  head: { outputs: 'boxes', layout: 'chw' },
  forward: { excluded: 'YOLOv1 heads are not decoded by darknet-pruner' },
  onnx: { excluded: 'YOLOv1 heads are not decoded by darknet-pruner' },
  prune: OPAQUE,
} satisfies LayerSpec<'detection'>;
