// The 2×2 mosaic: frames land in their quadrants (stream k at column k mod 2, row ⌊k/2⌋), and
// detections go back to the stream of their centre's quadrant, relative to that frame, clipped at
// the seams, with each frame's letterbox undone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spliceMosaic, splitMosaic } from '../../core/src/nn/mosaic';
import type { Detection } from '../../core/src/nn/decode';

test('spliceMosaic puts frame k at column k mod 2, row ⌊k/2⌋, per channel', () => {
  const w = 3,
    h = 2,
    c = 2;
  const frames = [0, 1, 2, 3].map((k) => Float32Array.from({ length: c * w * h }, (_, i) => 100 * k + i));
  const m = spliceMosaic(frames, w, h, c);
  const at = (ch: number, y: number, x: number) => m[(ch * 2 * h + y) * 2 * w + x];
  for (let k = 0; k < 4; k++) {
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          assert.equal(at(ch, Math.floor(k / 2) * h + y, (k % 2) * w + x), frames[k][(ch * h + y) * w + x]);
        }
  }
  assert.throws(() => spliceMosaic(frames.slice(0, 3), w, h, c), /takes 4 frames/);
});

const det = (x: number, y: number, w: number, h: number): Detection => ({
  bbox: { x, y, w, h },
  objectness: 0.9,
  prob: Float32Array.of(0.9),
  layer: 1,
});

test('splitMosaic: quadrant of the centre, frame-relative boxes, clipped at the seam, letterbox undone', () => {
  const frames = [
    { w: 100, h: 100 },
    { w: 100, h: 100 },
    { w: 100, h: 100 },
    { w: 200, h: 100 },
  ];
  const s = splitMosaic(
    [det(0.25, 0.25, 0.1, 0.1), det(0.75, 0.25, 0.2, 0.1), det(0.45, 0.75, 0.2, 0.1), det(0.75, 0.75, 0.1, 0.1)],
    64,
    64,
    frames,
    false,
  );
  assert.deepEqual(
    s.map((x) => x.length),
    [1, 1, 1, 1],
  );
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(s[0][0].bbox.x, 0.5);
  close(s[0][0].bbox.w, 0.2);
  close(s[1][0].bbox.x, 0.5);
  close(s[1][0].bbox.w, 0.4);
  // stream 2: centre at 0.9 of its frame, width 0.4 → right edge 1.1 clipped to 1: [0.7, 1]
  close(s[2][0].bbox.x, 0.85);
  close(s[2][0].bbox.w, 0.3);
  close(s[2][0].bbox.y, 0.5);
  // stream 3 letterboxed: a 200×100 frame fills 64×32 of its 64×64 quadrant; y is stretched back
  const lb = splitMosaic([det(0.75, 0.75, 0.1, 0.1)], 64, 64, frames, true)[3][0].bbox;
  close(lb.x, 0.5);
  close(lb.y, 0.5);
  close(lb.h, 0.4);
});
