// Four streams through one inference: the network at twice its cfg's width and height (the same
// weights: convolutions do not depend on the input size), four frames — each resized or letterboxed
// to the cfg's W×H — spliced into the 2W×2H input as a 2×2 mosaic (stream k at column k mod 2, row
// ⌊k/2⌋), and every detection handed back to the stream whose quadrant holds its centre.
//
// Seams (docs/openvino.md): near a quadrant border the receptive fields see the neighbouring frame,
// so scores there may differ from a run on the frame alone; a box whose centre lies in one quadrant
// but which reaches over the seam is clipped to that quadrant; an object cut by the frame border
// was cut anyway. Zero padding at the mosaic's outer border is what each frame gets on its own;
// at the inner borders the neighbour's pixels take its place.

import { correctBoxes, type Detection } from './decode';

export const MOSAIC_STREAMS = 4;

/** The 2W×2H CHW mosaic of four W×H CHW frames. */
export function spliceMosaic(frames: Float32Array[], w: number, h: number, c: number): Float32Array {
  if (frames.length !== MOSAIC_STREAMS) throw new Error(`a mosaic takes ${MOSAIC_STREAMS} frames, got ${frames.length}`);
  const W = 2 * w,
    H = 2 * h;
  const out = new Float32Array(c * W * H);
  frames.forEach((f, k) => {
    if (f.length !== c * w * h) throw new Error(`frame ${k}: ${f.length} values, expected ${c}×${h}×${w}`);
    const x0 = (k % 2) * w,
      y0 = Math.floor(k / 2) * h;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) out.set(f.subarray((ch * h + y) * w, (ch * h + y + 1) * w), (ch * H + y0 + y) * W + x0);
    }
  });
  return out;
}

/**
 * Detections decoded on the mosaic (boxes relative to it: decode with net = image = 2W×2H, no
 * letterbox) → per stream, boxes relative to each stream's image: quadrant of the centre, clipped at
 * the seams, then each frame's own letterbox undone (`frames[k]`: its image size).
 */
export function splitMosaic(
  dets: Detection[],
  w: number,
  h: number,
  frames: { w: number; h: number }[],
  letterbox: boolean,
): Detection[][] {
  const streams: Detection[][] = Array.from({ length: MOSAIC_STREAMS }, () => []);
  for (const d of dets) {
    const qx = d.bbox.x < 0.5 ? 0 : 1,
      qy = d.bbox.y < 0.5 ? 0 : 1;
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    // mosaic-relative → quadrant-relative (×2), edges clipped to the quadrant
    const x1 = clamp(2 * (d.bbox.x - d.bbox.w / 2) - qx),
      x2 = clamp(2 * (d.bbox.x + d.bbox.w / 2) - qx);
    const y1 = clamp(2 * (d.bbox.y - d.bbox.h / 2) - qy),
      y2 = clamp(2 * (d.bbox.y + d.bbox.h / 2) - qy);
    streams[qy * 2 + qx].push({ ...d, bbox: { x: (x1 + x2) / 2, y: (y1 + y2) / 2, w: x2 - x1, h: y2 - y1 } });
  }
  streams.forEach((s, k) => correctBoxes(s, { netW: w, netH: h, imageW: frames[k].w, imageH: frames[k].h, letterbox }));
  return streams;
}
