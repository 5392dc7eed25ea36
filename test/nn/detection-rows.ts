// `detect`'s output rows compared in pixels, for the tests on real photos.
import type { DetectionRow } from '../../core/src/nn/select-detections';

export type { DetectionRow };

export function rowIou(a: DetectionRow, b: DetectionRow): number {
  const ix = Math.max(0, Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left));
  const iy = Math.max(0, Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top));
  return (ix * iy) / (a.width * a.height + b.width * b.height - ix * iy);
}
