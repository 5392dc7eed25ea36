// Images for detection: PNG/JPEG decoding, darknet's preprocessing (docs/network.md §Preprocessing:
// byte/255, CHW with R first, resize_image's separable bilinear resize, letterbox on a 0.5 canvas)
// and an annotated PNG (rectangles plus a label in a built-in 3×5 bitmap font).

import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { UserError } from '../errors';

/** Planar float image, values 0..1, `data[(c·h + y)·w + x]`. */
export interface Image {
  w: number;
  h: number;
  c: number;
  data: Float32Array;
}

export class ImageError extends UserError {}

/** Decoded RGBA pixels. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

export function decodeImage(buf: Uint8Array, name = 'image'): Rgba {
  const isPng = buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
  const isJpeg = buf.length > 3 && buf[0] === 0xff && buf[1] === 0xd8;
  try {
    if (isPng) {
      const p = PNG.sync.read(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
      return { width: p.width, height: p.height, data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
    }
    if (isJpeg) {
      const j = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: j.width, height: j.height, data: j.data };
    }
  } catch (e) {
    throw new ImageError(`${name}: cannot decode ${isPng ? 'PNG' : 'JPEG'}: ${(e as Error).message}`);
  }
  throw new ImageError(`${name}: not a PNG or JPEG file`);
}

/** RGBA bytes → planar float (byte/255). c = 3 (RGB) or 1 (stb_image's luma: (77r + 150g + 29b) >> 8). */
export function toImage(rgba: Rgba, c: number): Image {
  if (c !== 3 && c !== 1) throw new ImageError(`images can feed networks with 1 or 3 channels, not ${c}`);
  const { width: w, height: h, data } = rgba;
  const out = new Float32Array(w * h * c);
  for (let i = 0; i < w * h; i++) {
    const r = data[4 * i],
      g = data[4 * i + 1],
      b = data[4 * i + 2];
    if (c === 3) {
      out[i] = r / 255;
      out[w * h + i] = g / 255;
      out[2 * w * h + i] = b / 255;
    } else out[i] = ((r * 77 + g * 150 + b * 29) >> 8) / 255;
  }
  return { w, h, c, data: out };
}

export function loadImage(path: string, channels = 3): { image: Image; rgba: Rgba } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ImageError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const rgba = decodeImage(buf, path);
  return { image: toImage(rgba, channels), rgba };
}

/** darknet resize_image: horizontal then vertical linear pass, source = dst·(in−1)/(out−1), last column/row copied. */
export function resizeImage(im: Image, w: number, h: number): Image {
  if (im.w === w && im.h === h) return { ...im, data: im.data.slice() };
  const f = Math.fround;
  const part = new Float32Array(w * im.h * im.c);
  const out = new Float32Array(w * h * im.c);
  const wScale = f((im.w - 1) / (w - 1)),
    hScale = f((im.h - 1) / (h - 1));
  for (let k = 0; k < im.c; k++) {
    for (let r = 0; r < im.h; r++) {
      const row = (k * im.h + r) * im.w;
      for (let c = 0; c < w; c++) {
        let val: number;
        if (c === w - 1 || im.w === 1) val = im.data[row + im.w - 1];
        else {
          const sx = f(c * wScale),
            ix = Math.trunc(sx),
            dx = f(sx - ix);
          val = f(f((1 - dx) * im.data[row + ix]) + f(dx * im.data[row + ix + 1]));
        }
        part[(k * im.h + r) * w + c] = val;
      }
    }
  }
  for (let k = 0; k < im.c; k++) {
    for (let r = 0; r < h; r++) {
      const sy = h === 1 ? 0 : f(r * hScale),
        iy = Math.trunc(sy),
        dy = f(sy - iy);
      const dst = (k * h + r) * w,
        src = (k * im.h + iy) * w;
      for (let c = 0; c < w; c++) out[dst + c] = f((1 - dy) * part[src + c]);
      if (r === h - 1 || im.h === 1) continue;
      for (let c = 0; c < w; c++) out[dst + c] = f(out[dst + c] + f(dy * part[src + w + c]));
    }
  }
  return { w, h, c: im.c, data: out };
}

/** Size of the image scaled to fit w×h keeping its aspect ratio (darknet's integer arithmetic). */
export function letterboxSize(imW: number, imH: number, w: number, h: number): { newW: number; newH: number } {
  if (Math.fround(w / imW) < Math.fround(h / imH)) return { newW: w, newH: Math.trunc((imH * w) / imW) };
  return { newW: Math.trunc((imW * h) / imH), newH: h };
}

/** darknet letterbox_image: resize to fit, centred at (int((w−new_w)/2), int((h−new_h)/2)) on a 0.5 canvas. */
export function letterboxImage(im: Image, w: number, h: number): Image {
  const { newW, newH } = letterboxSize(im.w, im.h, w, h);
  const resized = resizeImage(im, newW, newH);
  const out = new Float32Array(w * h * im.c).fill(0.5);
  const dx = Math.trunc((w - newW) / 2),
    dy = Math.trunc((h - newH) / 2);
  for (let k = 0; k < im.c; k++) {
    for (let y = 0; y < newH; y++) {
      out.set(resized.data.subarray((k * newH + y) * newW, (k * newH + y + 1) * newW), (k * h + y + dy) * w + dx);
    }
  }
  return { w, h, c: im.c, data: out };
}

/** The network input for an image, as darknet's detector prepares it. */
export function prepareInput(im: Image, netW: number, netH: number, letterbox: boolean): Float32Array {
  return (letterbox ? letterboxImage(im, netW, netH) : resizeImage(im, netW, netH)).data;
}

// ------------------------------------------------------------------ annotation

// 3×5 glyphs, rows top to bottom, 3 bits each (4 = left column).
const FONT: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  A: [2, 5, 7, 5, 5],
  B: [6, 5, 6, 5, 6],
  C: [3, 4, 4, 4, 3],
  D: [6, 5, 5, 5, 6],
  E: [7, 4, 6, 4, 7],
  F: [7, 4, 6, 4, 4],
  G: [3, 4, 5, 5, 3],
  H: [5, 5, 7, 5, 5],
  I: [7, 2, 2, 2, 7],
  J: [1, 1, 1, 5, 2],
  K: [5, 5, 6, 5, 5],
  L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5],
  N: [6, 5, 5, 5, 5],
  O: [2, 5, 5, 5, 2],
  P: [6, 5, 6, 4, 4],
  Q: [2, 5, 5, 6, 3],
  R: [6, 5, 6, 5, 5],
  S: [3, 4, 2, 1, 6],
  T: [7, 2, 2, 2, 2],
  U: [5, 5, 5, 5, 7],
  V: [5, 5, 5, 5, 2],
  W: [5, 5, 7, 7, 5],
  X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2],
  Z: [7, 1, 2, 4, 7],
  '.': [0, 0, 0, 0, 2],
  '%': [5, 1, 2, 4, 5],
  ':': [0, 2, 0, 2, 0],
  '-': [0, 0, 7, 0, 0],
  _: [0, 0, 0, 0, 7],
  ' ': [0, 0, 0, 0, 0],
};

const PALETTE: [number, number, number][] = [
  [255, 0, 255],
  [0, 160, 255],
  [0, 200, 80],
  [255, 170, 0],
  [255, 60, 60],
  [120, 90, 255],
  [0, 220, 220],
  [200, 200, 0],
];

export interface BoxDrawing {
  left: number;
  top: number;
  width: number;
  height: number;
  label: string;
  classId: number;
}

function setPixel(img: Rgba, x: number, y: number, rgb: [number, number, number]): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const i = 4 * (y * img.width + x);
  img.data[i] = rgb[0];
  img.data[i + 1] = rgb[1];
  img.data[i + 2] = rgb[2];
  img.data[i + 3] = 255;
}

function drawText(
  img: Rgba,
  text: string,
  x0: number,
  y0: number,
  scale: number,
  fg: [number, number, number],
  bg: [number, number, number],
): void {
  const chars = [...text.toUpperCase()];
  const tw = chars.length * 4 * scale + scale,
    th = 7 * scale;
  for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) setPixel(img, x0 + x, y0 + y, bg);
  chars.forEach((ch, n) => {
    const g = FONT[ch] ?? FONT[' '];
    for (let r = 0; r < 5; r++)
      for (let c = 0; c < 3; c++) {
        if (!(g[r] & (4 >> c))) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) setPixel(img, x0 + scale + (n * 4 + c) * scale + dx, y0 + scale + r * scale + dy, fg);
      }
  });
}

/** Draw boxes and labels onto a copy of the image; returns PNG bytes. */
export function annotate(rgba: Rgba, boxes: BoxDrawing[]): Uint8Array {
  const img: Rgba = { width: rgba.width, height: rgba.height, data: rgba.data.slice() };
  const thick = Math.max(1, Math.round(Math.min(img.width, img.height) / 300));
  const scale = Math.max(1, Math.round(Math.min(img.width, img.height) / 250));
  for (const b of boxes) {
    const rgb = PALETTE[b.classId % PALETTE.length];
    const l = Math.round(b.left),
      t = Math.round(b.top),
      r = Math.round(b.left + b.width),
      bo = Math.round(b.top + b.height);
    for (let k = 0; k < thick; k++) {
      for (let x = l; x <= r; x++) {
        setPixel(img, x, t + k, rgb);
        setPixel(img, x, bo - k, rgb);
      }
      for (let y = t; y <= bo; y++) {
        setPixel(img, l + k, y, rgb);
        setPixel(img, r - k, y, rgb);
      }
    }
    const ty = t - 7 * scale >= 0 ? t - 7 * scale : t;
    drawText(img, b.label, Math.max(0, l), ty, scale, [0, 0, 0], rgb);
  }
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = PNG.sync.write(png);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
