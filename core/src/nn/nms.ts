// Non-maximum suppression as darknet's box.c does it (docs/network.md §NMS): do_nms_sort for
// nms_kind=default, diounms_sort for greedynms (exponent 0.6) and diounms (exponent beta_nms).
// Suppression zeroes prob[k]; a box whose prob[k] is already 0 suppresses nothing for class k.

import type { Box, Detection } from './box';

export type NmsKind = 'default' | 'greedynms' | 'diounms';

export function nmsKindOf(name: string | undefined): NmsKind {
  return name === 'greedynms' || name === 'diounms' ? name : 'default';
}

const overlap = (x1: number, w1: number, x2: number, w2: number) => Math.min(x1 + w1 / 2, x2 + w2 / 2) - Math.max(x1 - w1 / 2, x2 - w2 / 2);

export function boxIou(a: Box, b: Box): number {
  const w = overlap(a.x, a.w, b.x, b.w),
    h = overlap(a.y, a.h, b.y, b.h);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

/** IoU − (d²/c²)^beta: d = centre distance, c = diagonal of the enclosing box. */
export function boxDiou(a: Box, b: Box, beta: number): number {
  const left = Math.min(a.x - a.w / 2, b.x - b.w / 2),
    right = Math.max(a.x + a.w / 2, b.x + b.w / 2);
  const top = Math.min(a.y - a.h / 2, b.y - b.h / 2),
    bot = Math.max(a.y + a.h / 2, b.y + b.h / 2);
  const c = (right - left) ** 2 + (bot - top) ** 2;
  const iou = boxIou(a, b);
  if (c === 0) return iou;
  const d = (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
  return iou - Math.pow(d / c, beta);
}

/** In place on the detections' prob arrays; returns the detections with objectness > 0. */
export function nms(dets: Detection[], thresh: number, kind: NmsKind = 'default', betaNms = 0.6): Detection[] {
  const live = dets.filter((d) => d.objectness !== 0);
  const classes = live[0]?.prob.length ?? 0;
  const score =
    kind === 'default'
      ? boxIou
      : kind === 'greedynms'
        ? (a: Box, b: Box) => boxDiou(a, b, 0.6)
        : (a: Box, b: Box) => boxDiou(a, b, betaNms);
  for (let k = 0; k < classes; k++) {
    // A box whose prob[k] is 0 suppresses nothing and stays 0: only the others are sorted and compared
    // (the same result as darknet's loop over every box, in a fraction of the time).
    const order = live.filter((d) => d.prob[k] > 0).sort((a, b) => b.prob[k] - a.prob[k]);
    for (let i = 0; i < order.length; i++) {
      if (order[i].prob[k] === 0) continue;
      for (let j = i + 1; j < order.length; j++) {
        if (order[j].prob[k] !== 0 && score(order[i].bbox, order[j].bbox) > thresh) order[j].prob[k] = 0;
      }
    }
  }
  return live;
}
