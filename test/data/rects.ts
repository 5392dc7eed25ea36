// Test pictures: solid coloured rectangles (class k = colour k) on grey, and the check that an
// augmented sample's boxes match where the rectangles were drawn in its pixels.

import assert from 'node:assert/strict';
import type { AugmentParams } from '../../core/src/data/augment';
import type { Label } from '../../core/src/eval/dataset';
import type { Rgba } from '../../core/src/nn/image';

export type Rect = { x: number; y: number; w: number; h: number; rgb: [number, number, number] };

export function picture(width: number, height: number, rects: Rect[]): { im: Rgba; labels: Label[] } {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([128, 128, 128, 255], 4 * i);
  rects.forEach((r) => {
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) data.set([...r.rgb, 255], 4 * (y * width + x));
  });
  const labels = rects.map((r, cls) => ({
    cls,
    cx: (r.x + r.w / 2) / width,
    cy: (r.y + r.h / 2) / height,
    w: r.w / width,
    h: r.h / height,
  }));
  return { im: { width, height, data }, labels };
}

export const COLOURS: [number, number, number][] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 0, 255],
];

/** Pixel extent [x1, y1, x2, y2) of the colour `k` in a CHW float image (strongly that colour: the blurred edge excluded). */
export function extent(data: Float32Array, W: number, H: number, k: number): number[] | undefined {
  const plane = W * H;
  let x1 = Infinity,
    y1 = Infinity,
    x2 = -Infinity,
    y2 = -Infinity;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const rgb = [data[i], data[plane + i], data[2 * plane + i]];
      const want = COLOURS[k].map((c) => c > 0);
      const on = rgb.every((v, c) => (want[c] ? v > 0.75 : v < 0.25));
      if (on) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  return x1 === Infinity ? undefined : [x1, y1, x2, y2];
}

export function assertConsistent(data: Float32Array, boxes: Label[], p: AugmentParams, classes: number, what: string): void {
  for (let k = 0; k < classes; k++) {
    const px = extent(data, p.width, p.height, k);
    const mine = boxes.filter((b) => b.cls === k);
    if (!px) {
      assert.ok(
        mine.every((b) => b.w * p.width < 2.5 || b.h * p.height < 2.5),
        `${what}: class ${k} has a box but no pixels`,
      );
      continue;
    }
    // a box clipped under one network pixel is dropped (darknet's lowest_w), its sliver of pixels may remain
    if (mine.length === 0 && (px[2] - px[0] <= 1 || px[3] - px[1] <= 1)) continue;
    assert.equal(mine.length, 1, `${what}: class ${k}: pixels at ${px} but ${mine.length} boxes`);
    const b = mine[0];
    const box = [(b.cx - b.w / 2) * p.width, (b.cy - b.h / 2) * p.height, (b.cx + b.w / 2) * p.width, (b.cy + b.h / 2) * p.height];
    box.forEach((v, j) =>
      assert.ok(Math.abs(v - px[j]) <= 1.5, `${what}: class ${k}: box ${box.map((x) => x.toFixed(1))} vs pixels ${px}`),
    );
  }
}
