// Decoding of darknet head outputs into boxes (docs/network.md §Decoding, §Letterbox): yolo_layer.c
// get_yolo_detections / get_yolo_box / correct_yolo_boxes, the Gaussian_yolo and region variants.
// Input is a head's output buffer in darknet's layout (heads.ts darknetLayout).

import type { Layer } from '../cfg/network';
import { UserError } from '../errors';
import { headOf } from '../layers';
import type { Box, Detection } from './box';

export type { Box, Detection } from './box';

export interface DecodeOptions {
  netW: number;
  netH: number;
  /** Original image size (for the letterbox correction). */
  imageW: number;
  imageH: number;
  letterbox: boolean;
  thresh: number;
}

export class DecodeError extends UserError {}

function checkAnchors(l: Layer): void {
  const a = l.attrs;
  const anchors = a.anchors ?? [];
  const slots = headOf(l)!.anchorSlots!(l);
  for (const m of slots) {
    if (m < 0 || 2 * m + 1 >= anchors.length) {
      throw new DecodeError(
        `layer ${l.index} [${l.section.name}] (line ${l.section.line + 1}): anchor ${m} needs anchors[${2 * m + 1}], but anchors holds ${anchors.length} values`,
      );
    }
  }
}

/** yolo / Gaussian_yolo: `[a][e][y][x]` buffer. */
function decodeYolo(l: Layer, out: Float32Array, o: DecodeOptions): Detection[] {
  const a = l.attrs;
  const lw = l.output![0],
    lh = l.output![1],
    hw = lw * lh;
  const gauss = headOf(l)!.decoder === 'gaussian_yolo';
  const per = a.classes! + (gauss ? 9 : 5);
  const objE = gauss ? 8 : 4,
    clsE = gauss ? 9 : 5;
  const [xE, yE, wE, hE] = gauss ? [0, 2, 4, 6] : [0, 1, 2, 3];
  const dets: Detection[] = [];
  for (let i = 0; i < hw; i++) {
    const row = Math.floor(i / lw),
      col = i % lw;
    for (let n = 0; n < a.mask!.length; n++) {
      const at = (e: number) => out[(n * per + e) * hw + i];
      const objectness = at(objE);
      if (!(objectness > o.thresh)) continue;
      const m = a.mask![n];
      const aw = a.anchors![2 * m],
        ah = a.anchors![2 * m + 1];
      const bbox: Box = {
        x: (col + at(xE)) / lw,
        y: (row + at(yE)) / lh,
        w: a.newCoords && !gauss ? (at(wE) * at(wE) * 4 * aw) / o.netW : (Math.exp(at(wE)) * aw) / o.netW,
        h: a.newCoords && !gauss ? (at(hE) * at(hE) * 4 * ah) / o.netH : (Math.exp(at(hE)) * ah) / o.netH,
      };
      const uc = gauss ? (at(1) + at(3) + at(5) + at(7)) / 4 : 0;
      const prob = new Float32Array(a.classes!);
      for (let k = 0; k < a.classes!; k++) {
        const p = objectness * at(clsE + k) * (gauss ? 1 - uc : 1);
        prob[k] = p > o.thresh ? p : 0;
      }
      dets.push({ bbox, objectness, prob, layer: l.index });
    }
  }
  return dets;
}

/** region (YOLOv2): `[y][x][a][e]` buffer (CPU layout); anchors in grid cells, σ on x/y at decode time. */
function decodeRegion(l: Layer, out: Float32Array, o: DecodeOptions): Detection[] {
  const a = l.attrs;
  const lw = l.output![0],
    lh = l.output![1];
  const per = a.classes! + a.coords! + 1;
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const dets: Detection[] = [];
  for (let i = 0; i < lw * lh; i++) {
    const row = Math.floor(i / lw),
      col = i % lw;
    for (let n = 0; n < a.num!; n++) {
      const base = (i * a.num! + n) * per;
      const objectness = out[base + a.coords!];
      const prob = new Float32Array(a.classes!);
      let any = false;
      for (let k = 0; k < a.classes!; k++) {
        const p = objectness * out[base + a.coords! + 1 + k];
        prob[k] = p > o.thresh ? p : 0;
        any ||= p > o.thresh;
      }
      if (!any) continue;
      const bbox: Box = {
        x: (col + sigmoid(out[base])) / lw,
        y: (row + sigmoid(out[base + 1])) / lh,
        w: (Math.exp(out[base + 2]) * a.anchors![2 * n]) / lw,
        h: (Math.exp(out[base + 3]) * a.anchors![2 * n + 1]) / lh,
      };
      dets.push({ bbox, objectness, prob, layer: l.index });
    }
  }
  return dets;
}

/** correct_yolo_boxes (docs/network.md §Letterbox): undo the letterbox (relative coordinates in,
 * relative to the image out). */
export function correctBoxes(dets: Detection[], o: Pick<DecodeOptions, 'netW' | 'netH' | 'imageW' | 'imageH' | 'letterbox'>): void {
  let newW = o.netW,
    newH = o.netH;
  if (o.letterbox) {
    if (Math.fround(o.netW / o.imageW) < Math.fround(o.netH / o.imageH)) {
      newW = o.netW;
      newH = Math.trunc((o.imageH * o.netW) / o.imageW);
    } else {
      newH = o.netH;
      newW = Math.trunc((o.imageW * o.netH) / o.imageH);
    }
  }
  for (const d of dets) {
    const b = d.bbox;
    b.x = (b.x - (o.netW - newW) / 2 / o.netW) / (newW / o.netW);
    b.y = (b.y - (o.netH - newH) / 2 / o.netH) / (newH / o.netH);
    b.w *= o.netW / newW;
    b.h *= o.netH / newH;
  }
}

/** Candidates of one head (objectness > thresh), boxes corrected to the image. */
export function decodeHead(l: Layer, out: Float32Array, o: DecodeOptions): Detection[] {
  if (!l.output) throw new DecodeError(`layer ${l.index}: shape unknown`);
  checkAnchors(l);
  const dets = headOf(l)?.decoder === 'region' ? decodeRegion(l, out, o) : decodeYolo(l, out, o);
  correctBoxes(dets, o);
  return dets;
}

// Labelling lives with the selection the detection webview shares with the CLI.
export { labelDetections, type LabelledBox as LabelledDetection } from './select-detections';
