// Procedurally drawn detection data, so the whole pipeline (check → train → prune → eval) runs with
// no data of one's own: filled shapes (one class each) at varied scales and rotations, in random
// colours that stand out from a textured background (value noise, stripes or checks), overlapping
// (occluding) one another up to a limit, with mild pixel noise. Everything comes from a seeded
// random stream per image (rng.ts): the same seed gives byte-identical files.

import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import type { Label } from '../eval/dataset';
import { makeRng, type Rng } from './rng';

export const SHAPES = ['circle', 'square', 'triangle', 'cross', 'ring', 'diamond', 'star', 'hexagon'] as const;
export type ShapeName = (typeof SHAPES)[number];

export interface SynthOptions {
  classes: number;
  size: number;
  seed: number;
  format: 'png' | 'jpg';
  /** Most objects per image (default 6). */
  maxObjects?: number;
}

export interface SynthImage {
  bytes: Uint8Array;
  labels: Label[];
  width: number;
  height: number;
}

type Pt = [number, number];

interface Shape {
  cls: number;
  kind: ShapeName;
  cx: number;
  cy: number;
  /** Outer radius (pixels). */
  r: number;
  angle: number;
  poly?: Pt[];
  rgb: [number, number, number];
  box: [number, number, number, number];
}

function unitPolygon(kind: ShapeName): Pt[] | undefined {
  const regular = (n: number, phase = 0): Pt[] =>
    [...Array(n)].map((_, i) => [Math.cos(phase + (2 * Math.PI * i) / n), Math.sin(phase + (2 * Math.PI * i) / n)]);
  switch (kind) {
    case 'square':
      return [
        [-0.72, -0.72],
        [0.72, -0.72],
        [0.72, 0.72],
        [-0.72, 0.72],
      ];
    case 'triangle':
      return regular(3, -Math.PI / 2);
    case 'diamond':
      return [
        [0, -1],
        [0.6, 0],
        [0, 1],
        [-0.6, 0],
      ];
    case 'hexagon':
      return regular(6);
    case 'star':
      return [...Array(10)].map((_, i) => {
        const a = -Math.PI / 2 + (Math.PI * i) / 5,
          rr = i % 2 ? 0.42 : 1;
        return [rr * Math.cos(a), rr * Math.sin(a)] as Pt;
      });
    case 'cross': {
      const a = 0.3,
        b = 0.9;
      return [
        [-a, -b],
        [a, -b],
        [a, -a],
        [b, -a],
        [b, a],
        [a, a],
        [a, b],
        [-a, b],
        [-a, a],
        [-b, a],
        [-b, -a],
        [-a, -a],
      ];
    }
    default:
      return undefined;
  }
}

function insidePoly(poly: Pt[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i],
      [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function covers(s: Shape, x: number, y: number): boolean {
  if (s.poly) return insidePoly(s.poly, x, y);
  const d = Math.hypot(x - s.cx, y - s.cy);
  return s.kind === 'ring' ? d <= s.r && d >= s.r * 0.55 : d <= s.r;
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6) % 6,
    f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s),
    q = v * (1 - f * s),
    t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i];
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/** Background: RGB floats 0…255 per pixel, one of three textures. */
function background(rng: Rng, S: number): Float32Array {
  const px = new Float32Array(S * S * 3);
  const c0 = hsvToRgb(rng.next(), rng.uniform(0.1, 0.6), rng.uniform(0.2, 0.9));
  const c1 = hsvToRgb(rng.next(), rng.uniform(0.1, 0.6), rng.uniform(0.2, 0.9));
  const kind = rng.int(0, 2);
  const cells = rng.int(3, 10);
  const lattice = Float32Array.from({ length: (cells + 1) * (cells + 1) }, () => rng.next());
  const angle = rng.uniform(0, Math.PI),
    period = rng.uniform(S / 24, S / 6);
  const check = Math.max(2, Math.round(rng.uniform(S / 20, S / 6)));
  const n1 = cells + 1;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const gx = (x / S) * cells,
        gy = (y / S) * cells;
      const ix = Math.floor(gx),
        iy = Math.floor(gy);
      let fx = gx - ix,
        fy = gy - iy;
      fx = fx * fx * (3 - 2 * fx);
      fy = fy * fy * (3 - 2 * fy);
      const k = iy * n1 + ix;
      const noise = (lattice[k] * (1 - fx) + lattice[k + 1] * fx) * (1 - fy) + (lattice[k + n1] * (1 - fx) + lattice[k + n1 + 1] * fx) * fy;
      let t: number;
      if (kind === 0) t = noise;
      else if (kind === 1)
        t = 0.5 + 0.35 * Math.sin(((x * Math.cos(angle) + y * Math.sin(angle)) / period) * 2 * Math.PI) + 0.3 * (noise - 0.5);
      else t = ((Math.floor(x / check) + Math.floor(y / check)) % 2 ? 0.75 : 0.25) + 0.4 * (noise - 0.5);
      t = Math.min(1, Math.max(0, t));
      const i = 3 * (y * S + x);
      for (let c = 0; c < 3; c++) px[i + c] = c0[c] * (1 - t) + c1[c] * t;
    }
  }
  return px;
}

function luma(px: Float32Array, box: [number, number, number, number], S: number): number {
  let sum = 0,
    n = 0;
  for (let y = Math.max(0, Math.floor(box[1])); y < Math.min(S, Math.ceil(box[3])); y += 2) {
    for (let x = Math.max(0, Math.floor(box[0])); x < Math.min(S, Math.ceil(box[2])); x += 2) {
      const i = 3 * (y * S + x);
      sum += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
      n++;
    }
  }
  return n ? sum / n / 255 : 0.5;
}

const intersection = (a: number[], b: number[]) =>
  Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
const area = (a: number[]) => (a[2] - a[0]) * (a[3] - a[1]);

function placeShape(rng: Rng, S: number, classes: number, placed: Shape[]): Shape | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const cls = rng.int(0, classes - 1);
    const kind = SHAPES[cls];
    // scale variety: sqrt(area) from ~4% to ~45% of the image, log-uniform
    const r = (S / 2) * Math.exp(rng.uniform(Math.log(0.08), Math.log(0.9)));
    const angle = rng.uniform(0, 2 * Math.PI);
    const unit = unitPolygon(kind);
    const local = unit?.map(([ux, uy]): Pt => [
      r * (ux * Math.cos(angle) - uy * Math.sin(angle)),
      r * (ux * Math.sin(angle) + uy * Math.cos(angle)),
    ]);
    const ext = local
      ? [
          Math.min(...local.map((p) => p[0])),
          Math.min(...local.map((p) => p[1])),
          Math.max(...local.map((p) => p[0])),
          Math.max(...local.map((p) => p[1])),
        ]
      : [-r, -r, r, r];
    if (ext[2] - ext[0] > S - 2 || ext[3] - ext[1] > S - 2) continue;
    const cx = rng.uniform(1 - ext[0], S - 1 - ext[2]),
      cy = rng.uniform(1 - ext[1], S - 1 - ext[3]);
    const box: [number, number, number, number] = [cx + ext[0], cy + ext[1], cx + ext[2], cy + ext[3]];
    // occlusion: the new shape may cover at most 40% of any earlier one and be covered by none beyond that
    if (placed.some((p) => intersection(p.box, box) > 0.4 * Math.min(area(p.box), area(box)))) continue;
    return { cls, kind, cx, cy, r, angle, poly: local?.map(([x, y]): Pt => [x + cx, y + cy]), rgb: [0, 0, 0], box };
  }
  return undefined;
}

/** 2×2 sub-pixel sample offsets: x then y. */
const SUB = [0.25, 0.75, 0.25, 0.75, 0.25, 0.25, 0.75, 0.75];

/** One image: its encoded bytes and its YOLO labels. */
export function synthImage(index: number, opts: SynthOptions): SynthImage {
  if (opts.classes < 1 || opts.classes > SHAPES.length) throw new RangeError(`classes must be 1…${SHAPES.length}`);
  const S = opts.size;
  const rng = makeRng(opts.seed, 0x5717, index);
  const px = background(rng, S);
  const count = rng.chance(0.06) ? 0 : rng.int(1, opts.maxObjects ?? 6);
  const shapes: Shape[] = [];
  for (let k = 0; k < count; k++) {
    const s = placeShape(rng, S, opts.classes, shapes);
    if (!s) continue;
    const bright = luma(px, s.box, S) < 0.5;
    s.rgb = hsvToRgb(rng.next(), rng.uniform(0.5, 1), bright ? rng.uniform(0.8, 1) : rng.uniform(0.05, 0.3));
    shapes.push(s);
    // 2×2 supersampled coverage, blended over what is already there
    for (let y = Math.max(0, Math.floor(s.box[1])); y < Math.min(S, Math.ceil(s.box[3])); y++) {
      for (let x = Math.max(0, Math.floor(s.box[0])); x < Math.min(S, Math.ceil(s.box[2])); x++) {
        let cov = 0;
        for (let k = 0; k < 4; k++) if (covers(s, x + SUB[k], y + SUB[k + 4])) cov += 0.25;
        if (!cov) continue;
        const i = 3 * (y * S + x);
        for (let c = 0; c < 3; c++) px[i + c] = px[i + c] * (1 - cov) + s.rgb[c] * cov;
      }
    }
  }
  const rgba = new Uint8Array(S * S * 4);
  for (let i = 0; i < S * S; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = Math.min(255, Math.max(0, Math.round(px[3 * i + c] + rng.uniform(-6, 6))));
    rgba[4 * i + 3] = 255;
  }
  const labels = shapes.map((s): Label => {
    const [x1, y1, x2, y2] = [Math.max(0, s.box[0]), Math.max(0, s.box[1]), Math.min(S, s.box[2]), Math.min(S, s.box[3])];
    return { cls: s.cls, cx: (x1 + x2) / 2 / S, cy: (y1 + y2) / 2 / S, w: (x2 - x1) / S, h: (y2 - y1) / S };
  });
  return { bytes: encode(rgba, S, S, opts.format), labels, width: S, height: S };
}

export function encode(rgba: Uint8Array, w: number, h: number, format: 'png' | 'jpg'): Uint8Array {
  if (format === 'jpg') {
    const out = jpeg.encode({ data: rgba, width: w, height: h }, 92).data;
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  const png = new PNG({ width: w, height: h, colorType: 2 });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = PNG.sync.write(png, { colorType: 2, filterType: 4 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function shapeNames(classes: number): string[] {
  return SHAPES.slice(0, classes);
}
