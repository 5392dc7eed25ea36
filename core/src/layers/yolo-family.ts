// What the YOLO detection heads share ([yolo], [Gaussian_yolo], [region]; docs/network.md
// §Heads): keys, the "filters before the head" check, and the σ/scale_x_y activation.

import type * as TF from '@tensorflow/tfjs-core';
import { atof, atoi, listUntilHash, splitItems } from '../cfg/cvalues';
import type { Layer } from '../cfg/network';
import { findOption, range as mkRange } from '../cfg/parse';
import { f32 } from './geometry';
import { flag, float, int } from './keys';
import type { AnalyseContext, CheckContext, KeySpec } from './spec';

export const YOLO_COMMON: Record<string, KeySpec> = {
  classes: int('20', 'Number of object classes.', { min: 1 }),
  num: int('1', 'Total number of anchors listed in `anchors`.', { min: 1 }),
  mask: { type: 'intList', doc: 'Indices of the anchors this head uses (default: all of 0..num-1). Each must be < num.' },
  anchors: { type: 'floatList', doc: 'Anchor sizes `w0,h0, w1,h1, …` in network-input pixels; 2·num values.' },
  max: int('200', 'Training: maximum number of ground-truth boxes per image.'),
  jitter: float('0.2', 'Training: random crop/resize jitter.'),
  resize: float('1', 'Training: random resize factor.'),
  ignore_thresh: float('0.5', 'Training: IoU above which a prediction is not penalised as background.'),
  truth_thresh: float('1', 'Training: IoU above which a prediction is also trained as the truth.'),
  iou_thresh: float('1', 'Training: IoU threshold for assigning extra anchors to a truth.'),
  random: float('0', 'Training: random input resizing every 10 batches.'),
  iou_loss: {
    type: 'enum',
    default: 'mse',
    doc: 'Box regression loss. Any other string selects plain IoU.',
    values: ['mse', 'giou', 'diou', 'ciou', 'iou'],
  },
  iou_normalizer: float('0.75', 'Training: weight of the IoU loss.'),
  obj_normalizer: float('1', 'Training: weight of the objectness loss.'),
  cls_normalizer: float('1', 'Training: weight of the class loss.'),
  delta_normalizer: float('1', 'Training: weight of the delta.'),
  iou_thresh_kind: { type: 'enum', default: 'iou', doc: 'IoU kind for iou_thresh.', values: ['iou', 'giou', 'diou', 'ciou'] },
  beta_nms: float('0.6', 'Exponent of the DIoU term in diounms.'),
  nms_kind: {
    type: 'enum',
    default: 'default',
    doc: 'NMS kind used for the whole network (the last head decides).',
    values: ['default', 'greedynms', 'diounms'],
  },
  scale_x_y: float('1', 'Grid sensitivity: x ← x·s − (s−1)/2 for the box centre.'),
  focal_loss: flag('Training: focal loss for classes.'),
  label_smooth_eps: float('0', 'Training: label smoothing.'),
  map: { type: 'path', doc: 'File that remaps class ids.' },
};

/** [yolo] / [Gaussian_yolo]: attrs, and C' = |mask|·(classes + extra). */
export function analyseYolo({ layer, o, a, input, prev }: AnalyseContext, extra: number, newCoords: boolean): void {
  a.classes = o.int('classes');
  a.num = o.int('num');
  const maskOpt = findOption(layer.section, 'mask');
  a.mask = maskOpt ? listUntilHash(maskOpt.value!).map(atoi) : Array.from({ length: Math.max(0, a.num) }, (_, i) => i);
  const anchorsOpt = findOption(layer.section, 'anchors');
  a.anchors = anchorsOpt ? listUntilHash(anchorsOpt.value!).map((x) => f32(atof(x))) : [];
  a.scaleXY = o.float('scale_x_y');
  a.newCoords = newCoords && o.int('new_coords') !== 0;
  a.nmsKind = o.str('nms_kind');
  a.betaNms = o.float('beta_nms');
  if (!input) return;
  layer.output = [input[0], input[1], a.mask.length * (a.classes + extra)];
  layer.rf = prev.rf;
}

export interface HeadGeometry {
  /** Entries per anchor, and the formula as the message shows it. */
  perAnchor: number;
  anchorsUsed: number;
  formula: string;
  /** Whether `mask` indexes the anchors (yolo) or is not read (region). */
  masked: boolean;
}

/** The conv before the head must produce exactly anchors·entries channels; mask and anchors must fit num. */
export function checkHead({ net, layer, push }: CheckContext, geo: HeadGeometry): void {
  const a = layer.attrs;
  const s = layer.section;
  const num = a.num ?? 1;
  const want = geo.anchorsUsed * geo.perAnchor;
  const prev = net.layers[layer.index - 1];
  if (layer.input && layer.input[2] !== want) {
    const filtersOpt = prev?.type === 'convolutional' ? findOption(prev.section, 'filters') : undefined;
    push({
      range: filtersOpt?.valueRange ?? prev?.section.headerRange ?? s.headerRange,
      severity: 'error',
      code: 'yolo-filters',
      layer: prev?.index ?? layer.index,
      message: `filters=${layer.input[2]} before [${layer.type}] (layer ${layer.index}) should be ${want} = ${geo.formula}`,
      fix: filtersOpt ? { title: `Set filters=${want}`, edits: [{ range: filtersOpt.valueRange, newText: String(want) }] } : undefined,
    });
  }
  const maskOpt = findOption(s, 'mask');
  if (maskOpt && geo.masked) {
    const raw = maskOpt.value!;
    const source = net.doc.text.slice(
      maskOpt.valueOffset,
      maskOpt.valueOffset + maskOpt.valueRange.end.character - maskOpt.valueRange.start.character,
    );
    splitItems(source).forEach((item, i) => {
      const m = atoi(item.text);
      if (i < listUntilHash(raw).length && (m >= num || m < 0)) {
        push({
          range: mkRange(maskOpt.line, maskOpt.valueRange.start.character + item.start, maskOpt.valueRange.start.character + item.end),
          severity: 'error',
          code: 'mask-range',
          layer: layer.index,
          message: `mask index ${m} must be in 0…${num - 1} (num=${num})`,
        });
      }
    });
  }
  const anchorsOpt = findOption(s, 'anchors');
  const count = a.anchors?.length ?? 0;
  if (anchorsOpt && count !== 2 * num) {
    push({
      range: anchorsOpt.valueRange,
      severity: count < 2 * num ? 'error' : 'warning',
      code: 'anchors-count',
      layer: layer.index,
      message: `anchors holds ${count} values but num=${num} needs ${2 * num} (${num} w,h pairs)${count > 2 * num ? '; darknet ignores the extra values' : ''}`,
    });
  }
}

/** Which entries of an anchor darknet passes through σ, and which get the scale_x_y affine. */
export interface EntryPlan {
  sigmoid: boolean;
  scaled: boolean;
}

/** σ where darknet applies it, then x·s + float32(−0.5·(s−1)) on the scaled entries. */
export function yoloActivate(tf: typeof TF, x: TF.Tensor4D, l: Layer, per: number, plan: (e: number) => EntryPlan): TF.Tensor4D {
  const c = per * l.attrs.mask!.length;
  const sig = new Array<boolean>(c),
    mul = new Float32Array(c).fill(1),
    add = new Float32Array(c);
  const s = Math.fround(l.attrs.scaleXY ?? 1);
  const b = Math.fround(-0.5 * (s - 1));
  for (let ch = 0; ch < c; ch++) {
    const p = plan(ch % per);
    sig[ch] = p.sigmoid;
    if (p.scaled) {
      mul[ch] = s;
      add[ch] = b;
    }
  }
  let y: TF.Tensor4D = x;
  if (sig.every(Boolean)) y = tf.sigmoid(x);
  else if (sig.some(Boolean)) y = tf.where(tf.tensor1d(sig, 'bool'), tf.sigmoid(x), x);
  if (s !== 1) y = tf.add(tf.mul(y, tf.tensor1d(mul)), tf.tensor1d(add));
  return y;
}

/** The graph node's text: the number of classes. */
export const headLabel = (l: Layer, short: string): string => `${short} ${l.attrs.classes ?? '?'} cl`;
