// The reference tool's non_max_suppression (docs/evaluation.md §Reference protocols, tanluren
// utils.py): one label per box (arg-max class, conf = obj·max cls; the class factor is 1 for
// single-class nets), keep conf > conf_thres with w, h > 2 px (network-input pixels) and finite
// values, then per class (first 100 by conf) "MERGE" NMS: the top box absorbs every remaining box
// with IoU > nms_thres (itself included), its corners become their conf-weighted mean, its conf is
// unchanged.

import type { Detection } from '../nn/decode';
import { iou, type Prediction, type Xyxy } from './metrics';

export interface ReferenceNmsOptions {
  conf: number;
  nmsIou: number;
  imageW: number;
  imageH: number;
  /** Size of the image inside the network input (the letterboxed or resized size), for the 2 px rule. */
  inNetW: number;
  inNetH: number;
  /** Per-class cap before merging. */
  maxPerClass?: number;
}

const MIN_WH = 2;

/** Candidates (relative boxes corrected to the image) → predictions in image pixels, conf descending. */
export function referenceNms(dets: Detection[], o: ReferenceNmsOptions): Prediction[] {
  const cand: Prediction[] = [];
  for (const d of dets) {
    const classes = d.prob.length;
    let k = 0;
    for (let c = 1; c < classes; c++) if (d.prob[c] > d.prob[k]) k = c;
    const conf = classes === 1 ? d.objectness : d.prob[k];
    const b = d.bbox;
    if (!(conf > o.conf) || !(b.w * o.inNetW > MIN_WH) || !(b.h * o.inNetH > MIN_WH)) continue;
    const box: Xyxy = [(b.x - b.w / 2) * o.imageW, (b.y - b.h / 2) * o.imageH, (b.x + b.w / 2) * o.imageW, (b.y + b.h / 2) * o.imageH];
    if (!box.every(Number.isFinite)) continue;
    cand.push({ cls: k, conf, box });
  }
  cand.sort((a, b) => b.conf - a.conf);
  const byClass = new Map<number, Prediction[]>();
  for (const p of cand) {
    let l = byClass.get(p.cls);
    if (!l) byClass.set(p.cls, (l = []));
    l.push(p);
  }
  const out: Prediction[] = [];
  for (const list of byClass.values()) {
    let dc = list.slice(0, o.maxPerClass ?? 100);
    while (dc.length) {
      const top = dc[0];
      const inCluster = dc.map((p) => iou(top.box, p.box) > o.nmsIou || p === top);
      let sw = 0;
      const m = [0, 0, 0, 0];
      dc.forEach((p, i) => {
        if (inCluster[i]) {
          sw += p.conf;
          for (let j = 0; j < 4; j++) m[j] += p.conf * p.box[j];
        }
      });
      out.push({ cls: top.cls, conf: top.conf, box: m.map((v) => v / sw) as Xyxy });
      dc = dc.filter((_, i) => !inCluster[i]);
    }
  }
  return out.sort((a, b) => b.conf - a.conf);
}

/** Clip corner boxes to the image (the reference clips to its padded input; see docs). */
export function clipToImage(preds: Prediction[], w: number, h: number): void {
  for (const p of preds) {
    p.box = [
      Math.min(Math.max(p.box[0], 0), w),
      Math.min(Math.max(p.box[1], 0), h),
      Math.min(Math.max(p.box[2], 0), w),
      Math.min(Math.max(p.box[3], 0), h),
    ];
  }
}
