// From decoded candidates to the detections `darknet-pruner detect` reports: NMS, then every
// (box, class) above the score threshold. Shared by the CLI and the detection webview, which
// re-applies it to the candidates the CLI sent (decoded above a low floor) whenever the score
// slider or the NMS kind changes; so this module stays free of Node, the DOM and the layer
// registry (it imports only ./box's types and ./nms).
//
// Decoding at a floor below the threshold and selecting later gives the same detections as
// decoding at the threshold: a candidate's prob[k] ≤ threshold sorts after every prob[k] above
// it, and NMS only suppresses boxes that sort later, so it changes nothing above the threshold.

import type { Box, Detection } from './box';
import { nms, type NmsKind } from './nms';

/** A candidate as the CLI sends it: the box relative to the image, and its nonzero class probs. */
export interface Candidate {
  x: number;
  y: number;
  w: number;
  h: number;
  objectness: number;
  layer: number;
  /** [class, prob] for each class whose prob is above the decode floor. */
  probs: [number, number][];
}

export type NmsChoice = NmsKind | 'none';
export const NMS_CHOICES: readonly NmsChoice[] = ['default', 'greedynms', 'diounms', 'none'];

export interface Selection {
  /** Score (objectness · class prob) a detection must exceed. */
  thresh: number;
  /** NMS kind and IoU threshold (darknet: --nms 0 also turns it off); beta is diounms' exponent. */
  nms: { kind: NmsChoice; thresh: number; beta: number };
}

export interface LabelledBox {
  classId: number;
  prob: number;
  /** Pixels in the original image. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Relative centre/size (0..1). */
  bbox: Box;
}

/** One row of `detect`'s output (--json `detections`, and what the webview lists). */
export interface DetectionRow {
  class: number;
  name: string;
  prob: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

export function toCandidates(dets: Detection[]): Candidate[] {
  return dets.map((d) => {
    const probs: [number, number][] = [];
    d.prob.forEach((p, k) => {
      if (p > 0) probs.push([k, p]);
    });
    return { x: d.bbox.x, y: d.bbox.y, w: d.bbox.w, h: d.bbox.h, objectness: d.objectness, layer: d.layer, probs };
  });
}

/** Fresh detections (NMS writes into their prob arrays) from candidates of a `classes`-class head. */
export function fromCandidates(candidates: readonly Candidate[], classes: number): Detection[] {
  return candidates.map((c) => {
    const prob = new Float32Array(classes);
    for (const [k, p] of c.probs) if (k >= 0 && k < classes) prob[k] = p;
    return { bbox: { x: c.x, y: c.y, w: c.w, h: c.h }, objectness: c.objectness, prob, layer: c.layer };
  });
}

/** One entry per (box, class) with prob > thresh, most probable first (darknet prints every such class). */
export function labelDetections(dets: Detection[], thresh: number, imageW: number, imageH: number): LabelledBox[] {
  const out: LabelledBox[] = [];
  for (const d of dets) {
    d.prob.forEach((p, k) => {
      if (!(p > thresh)) return;
      const b = d.bbox;
      out.push({
        classId: k,
        prob: p,
        bbox: { ...b },
        left: (b.x - b.w / 2) * imageW,
        top: (b.y - b.h / 2) * imageH,
        width: b.w * imageW,
        height: b.h * imageH,
      });
    });
  }
  return out.sort((a, b) => b.prob - a.prob);
}

/** NMS (in place on `dets`' prob arrays) and the labelled detections above the threshold. */
export function selectDetections(dets: Detection[], s: Selection, imageW: number, imageH: number): LabelledBox[] {
  if (s.nms.kind !== 'none' && s.nms.thresh > 0) nms(dets, s.nms.thresh, s.nms.kind, s.nms.beta);
  return labelDetections(dets, s.thresh, imageW, imageH);
}

/** The rows `detect` prints: probability to 6 decimals, pixels rounded. */
export function detectionRows(found: readonly LabelledBox[], nameOf: (classId: number) => string): DetectionRow[] {
  return found.map((d) => ({
    class: d.classId,
    name: nameOf(d.classId),
    prob: Number(d.prob.toFixed(6)),
    left: Math.round(d.left),
    top: Math.round(d.top),
    width: Math.round(d.width),
    height: Math.round(d.height),
  }));
}
