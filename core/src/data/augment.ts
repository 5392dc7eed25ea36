// Training-time augmentation of one sample, with darknet's semantics (AlexeyAB darknet, data.c
// load_data_detection / image_opencv.cpp image_data_augmentation, as documented in
// docs/training-data.md): a jittered crop (each side moved by up to ±jitter of the image size),
// letterbox-preserving aspect when letter_box=1, resize to the network size (bilinear, pixel
// centres, out-of-image pixels = the image's mean colour), horizontal flip, HSV shifts (hue ±hue
// turns, saturation and exposure scaled by a factor in [1/s, s]), and 4-image mosaic. Boxes go
// through the same transform (correct_boxes): clipped to the image, dropped below one network pixel.
// Pure function of its inputs and its random stream: no I/O, no global state.

import type { Network } from '../cfg/network';
import { findOption } from '../cfg/parse';
import { atof, atoi } from '../cfg/cvalues';
import type { Label } from '../eval/dataset';
import { letterboxSize, prepareInput, toImage, type Rgba } from '../nn/image';
import type { Rng } from './rng';
import { isDecodedHead } from '../layers';

export interface AugmentParams {
  width: number;
  height: number;
  /** 3 (RGB) or 1 (luma). */
  channels: number;
  letterBox: boolean;
  /** false: no augmentation at all (validation): darknet's test-time resize or letterbox. */
  augment: boolean;
  flip: boolean;
  /** Hue shift range, in turns (darknet: fraction of the hue circle). */
  hue: number;
  saturation: number;
  exposure: number;
  jitter: number;
  mosaic: boolean;
  /** Most boxes kept per image ([yolo] max, darknet's default 200). */
  maxBoxes: number;
}

/** [net] flip, hue, saturation, exposure, mosaic, letter_box; jitter and max from the last [yolo]/[region] layer (darknet reads them there). */
export function augmentParamsFromCfg(net: Network, augment = true): AugmentParams {
  const s = net.net.section;
  const int = (key: string, def: number) => {
    const o = s && findOption(s, key);
    return o ? atoi(o.value!) : def;
  };
  const flt = (key: string, def: number) => {
    const o = s && findOption(s, key);
    return o ? atof(o.value!) : def;
  };
  const head = [...net.layers].reverse().find(isDecodedHead);
  const headOpt = (key: string) => (head ? findOption(head.section, key) : undefined);
  const jitter = headOpt('jitter');
  const max = headOpt('max');
  return {
    width: net.net.width,
    height: net.net.height,
    channels: net.net.channels || 3,
    letterBox: net.net.letterBox,
    augment,
    flip: int('flip', 1) !== 0,
    hue: flt('hue', 0),
    saturation: flt('saturation', 1),
    exposure: flt('exposure', 1),
    jitter: jitter ? atof(jitter.value!) : 0.2,
    mosaic: int('mosaic', 0) !== 0,
    maxBoxes: max ? atoi(max.value!) : 200,
  };
}

/** What was drawn for a sample (for tests and debugging). */
export interface Transform {
  pleft: number;
  pright: number;
  ptop: number;
  pbot: number;
  flip: boolean;
  dhue: number;
  dsat: number;
  dexp: number;
}

export interface Sample {
  /** CHW, values 0…1, width × height × channels of the params. */
  data: Float32Array;
  boxes: Label[];
  transforms: Transform[];
  /** Mosaic cut point in network pixels, when mosaic was applied. */
  cut?: [number, number];
}

/** darknet rand_scale: a factor in [1, s], inverted half of the time. */
function randScale(rng: Rng, s: number): number {
  const scale = rng.uniform(1, s);
  return rng.int(0, 1) ? scale : 1 / scale;
}

function drawTransform(rng: Rng, ow: number, oh: number, p: AugmentParams): Transform {
  const dw = Math.trunc(ow * p.jitter),
    dh = Math.trunc(oh * p.jitter);
  let pleft = rng.int(-dw, dw),
    pright = rng.int(-dw, dw),
    ptop = rng.int(-dh, dh),
    pbot = rng.int(-dh, dh);
  if (p.letterBox) {
    const imgAr = ow / oh,
      netAr = p.width / p.height;
    if (imgAr / netAr > 1) {
      const delta = (ow / netAr - oh) / 2;
      ptop -= delta;
      pbot -= delta;
    } else {
      const delta = (oh * netAr - ow) / 2;
      pleft -= delta;
      pright -= delta;
    }
  }
  const flip = p.flip ? rng.int(0, 1) === 1 : false;
  const dhue = rng.uniform(-p.hue, p.hue);
  const dsat = randScale(rng, p.saturation);
  const dexp = randScale(rng, p.exposure);
  return { pleft, pright, ptop, pbot, flip, dhue, dsat, dexp };
}

function meanColour(im: Rgba): [number, number, number] {
  const sum = [0, 0, 0];
  const n = im.width * im.height;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum[c] += im.data[4 * i + c];
  return [sum[0] / n, sum[1] / n, sum[2] / n];
}

/**
 * Where an augmented frame lands in the output: output pixels [x0, x1) × [y0, y1) show the frame's
 * pixels (X + ox, Y + oy). The whole frame for one image; a quadrant of it in a mosaic (only that
 * part is computed).
 */
interface Window {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  ox: number;
  oy: number;
}

/**
 * Crop (pleft, ptop, swidth, sheight) of `im` resized to w×h and flipped if asked — the augmented
 * frame — written as RGB planes 0…1 into `out` (w×h planes) through `win`.
 */
function cropResize(im: Rgba, t: Transform, w: number, h: number, out: Float32Array, win: Window): void {
  const ow = im.width,
    oh = im.height,
    src = im.data;
  const sw = ow - t.pleft - t.pright,
    sh = oh - t.ptop - t.pbot;
  const mean = meanColour(im);
  const plane = w * h;
  const xs = new Int32Array(w),
    fxs = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const u = t.pleft + ((x + 0.5) * sw) / w - 0.5;
    xs[x] = Math.floor(u);
    fxs[x] = u - xs[x];
  }
  const px = (xx: number, yy: number, c: number) => (xx < 0 || yy < 0 || xx >= ow || yy >= oh ? mean[c] : src[4 * (yy * ow + xx) + c]);
  for (let Y = win.y0; Y < win.y1; Y++) {
    const v = t.ptop + ((Y + win.oy + 0.5) * sh) / h - 0.5;
    const y0 = Math.floor(v),
      fy = v - y0;
    const inside = y0 >= 0 && y0 + 1 < oh;
    for (let X = win.x0; X < win.x1; X++) {
      const xa = X + win.ox;
      const x = t.flip ? w - 1 - xa : xa;
      const x0 = xs[x],
        fx = fxs[x];
      const dst = Y * w + X;
      if (inside && x0 >= 0 && x0 + 1 < ow) {
        const i00 = 4 * (y0 * ow + x0),
          i10 = i00 + 4,
          i01 = i00 + 4 * ow,
          i11 = i01 + 4;
        for (let c = 0; c < 3; c++) {
          const top = src[i00 + c] + (src[i10 + c] - src[i00 + c]) * fx;
          const bot = src[i01 + c] + (src[i11 + c] - src[i01 + c]) * fx;
          out[c * plane + dst] = (top + (bot - top) * fy) / 255;
        }
      } else {
        for (let c = 0; c < 3; c++) {
          const top = px(x0, y0, c) + (px(x0 + 1, y0, c) - px(x0, y0, c)) * fx;
          const bot = px(x0, y0 + 1, c) + (px(x0 + 1, y0 + 1, c) - px(x0, y0 + 1, c)) * fx;
          out[c * plane + dst] = (top + (bot - top) * fy) / 255;
        }
      }
    }
  }
}

/** HSV shift in place on RGB planes: h += dhue (turns, wrapping), s ×= dsat, v ×= dexp, both clamped to 1. */
export function shiftHsv(
  rgb: Float32Array,
  plane: number,
  dhue: number,
  dsat: number,
  dexp: number,
  rows?: { w: number; x0: number; y0: number; x1: number; y1: number },
): void {
  if (dhue === 0 && dsat === 1 && dexp === 1) return;
  const r0 = rows ?? { w: plane, x0: 0, y0: 0, x1: plane, y1: 1 };
  for (let y = r0.y0; y < r0.y1; y++)
    for (let i = y * r0.w + r0.x0, end = y * r0.w + r0.x1; i < end; i++) {
      const r = rgb[i],
        g = rgb[plane + i],
        b = rgb[2 * plane + i];
      const max = Math.max(r, g, b),
        min = Math.min(r, g, b),
        d = max - min;
      let hh = 0;
      if (d > 0) {
        if (max === r) hh = ((g - b) / d) % 6;
        else if (max === g) hh = (b - r) / d + 2;
        else hh = (r - g) / d + 4;
        hh /= 6;
      }
      let s = max > 0 ? d / max : 0;
      let v = max;
      hh = hh + dhue;
      hh -= Math.floor(hh);
      s = Math.min(1, s * dsat);
      v = Math.min(1, v * dexp);
      const h6 = hh * 6,
        k = Math.floor(h6) % 6,
        f = h6 - Math.floor(h6);
      const p = v * (1 - s),
        q = v * (1 - f * s),
        t = v * (1 - (1 - f) * s);
      let rr: number, gg: number, bb: number;
      switch (k) {
        case 0:
          rr = v;
          gg = t;
          bb = p;
          break;
        case 1:
          rr = q;
          gg = v;
          bb = p;
          break;
        case 2:
          rr = p;
          gg = v;
          bb = t;
          break;
        case 3:
          rr = p;
          gg = q;
          bb = v;
          break;
        case 4:
          rr = t;
          gg = p;
          bb = v;
          break;
        default:
          rr = v;
          gg = p;
          bb = q;
      }
      rgb[i] = rr;
      rgb[plane + i] = gg;
      rgb[2 * plane + i] = bb;
    }
}

/** correct_boxes: the crop/flip transform applied to labels, clipped to [0, 1]; boxes under one network pixel dropped. */
function transformBoxes(labels: Label[], ow: number, oh: number, t: Transform, p: AugmentParams): Label[] {
  const sw = ow - t.pleft - t.pright,
    sh = oh - t.ptop - t.pbot;
  const out: Label[] = [];
  for (const l of labels) {
    let left = ((l.cx - l.w / 2) * ow - t.pleft) / sw,
      right = ((l.cx + l.w / 2) * ow - t.pleft) / sw;
    const top = ((l.cy - l.h / 2) * oh - t.ptop) / sh,
      bottom = ((l.cy + l.h / 2) * oh - t.ptop) / sh;
    if (t.flip) [left, right] = [1 - right, 1 - left];
    const x1 = Math.min(1, Math.max(0, left)),
      x2 = Math.min(1, Math.max(0, right));
    const y1 = Math.min(1, Math.max(0, top)),
      y2 = Math.min(1, Math.max(0, bottom));
    const w = x2 - x1,
      h = y2 - y1;
    if (w < 1 / p.width || h < 1 / p.height) continue;
    out.push({ cls: l.cls, cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, w, h });
  }
  return out;
}

function toChannels(rgb: Float32Array, plane: number, channels: number): Float32Array {
  if (channels === 3) return rgb;
  const out = new Float32Array(plane);
  // stb_image's luma weights, as toImage in core/src/nn/image.ts
  for (let i = 0; i < plane; i++) out[i] = (77 * rgb[i] + 150 * rgb[plane + i] + 29 * rgb[2 * plane + i]) / 256;
  return out;
}

/** One augmented image (darknet's crop/resize/flip/HSV) drawn into `out` through `win` (default: all of it), with its boxes. */
function augmentOne(im: Rgba, labels: Label[], p: AugmentParams, t: Transform, out: Float32Array, win?: Window): Label[] {
  const w = win ?? { x0: 0, y0: 0, x1: p.width, y1: p.height, ox: 0, oy: 0 };
  cropResize(im, t, p.width, p.height, out, w);
  shiftHsv(out, p.width * p.height, t.dhue, t.dsat, t.dexp, { w: p.width, x0: w.x0, y0: w.y0, x1: w.x1, y1: w.y1 });
  return transformBoxes(labels, im.width, im.height, t, p);
}

/** Validation: darknet's test-time input (resize_image, or letterbox on 0.5), boxes mapped the same way. */
function plain(im: Rgba, labels: Label[], p: AugmentParams): Sample {
  const data = prepareInput(toImage(im, p.channels), p.width, p.height, p.letterBox);
  let boxes = labels;
  if (p.letterBox) {
    const { newW, newH } = letterboxSize(im.width, im.height, p.width, p.height);
    const dx = Math.trunc((p.width - newW) / 2),
      dy = Math.trunc((p.height - newH) / 2);
    boxes = labels.map((l) => ({
      cls: l.cls,
      cx: (l.cx * newW + dx) / p.width,
      cy: (l.cy * newH + dy) / p.height,
      w: (l.w * newW) / p.width,
      h: (l.h * newH) / p.height,
    }));
  }
  return { data, boxes: boxes.slice(0, p.maxBoxes), transforms: [] };
}

/**
 * One training sample. `images`/`labels` hold 1 image, or 4 when p.mosaic (the first is the sample's
 * own, the others drawn by the caller). Mosaic: a cut point (cut_x, cut_y) in [0.2, 0.8] of the
 * network size; quadrant k shows augmented image k shifted so that its padding stays out of view
 * (darknet's left/top/right/bot shifts); boxes are shifted the same way and clipped to the quadrant.
 */
export function augmentSample(images: Rgba[], labels: Label[][], p: AugmentParams, rng: Rng): Sample {
  if (!p.augment) return plain(images[0], labels[0], p);
  const W = p.width,
    H = p.height,
    plane = W * H;
  if (!p.mosaic || images.length < 4) {
    const t = drawTransform(rng, images[0].width, images[0].height, p);
    const rgb = new Float32Array(3 * plane);
    const boxes = augmentOne(images[0], labels[0], p, t, rgb);
    return { data: toChannels(rgb, plane, p.channels), boxes: boxes.slice(0, p.maxBoxes), transforms: [t] };
  }
  const cutX = rng.int(Math.trunc(W * 0.2), Math.trunc(W * 0.8));
  const cutY = rng.int(Math.trunc(H * 0.2), Math.trunc(H * 0.8));
  const out = new Float32Array(3 * plane);
  const boxes: Label[] = [];
  const transforms: Transform[] = [];
  for (let k = 0; k < 4; k++) {
    const im = images[k];
    const t = drawTransform(rng, im.width, im.height, p);
    transforms.push(t);
    const sw = im.width - t.pleft - t.pright,
      sh = im.height - t.ptop - t.pbot;
    // how far the image content starts inside the augmented frame (the padding to hide), per side
    // (and never so far that the region leaves the frame)
    const leftShift = Math.trunc(Math.min(cutX, W - cutX, Math.max(0, (-t.pleft * W) / sw)));
    const topShift = Math.trunc(Math.min(cutY, H - cutY, Math.max(0, (-t.ptop * H) / sh)));
    const rightShift = Math.trunc(Math.min(W - cutX, cutX, Math.max(0, (-t.pright * W) / sw)));
    const botShift = Math.trunc(Math.min(H - cutY, cutY, Math.max(0, (-t.pbot * H) / sh)));
    const left = k % 2 === 0,
      upper = k < 2;
    // destination quadrant and the source region's origin in the augmented image
    const qx0 = left ? 0 : cutX,
      qx1 = left ? cutX : W,
      qy0 = upper ? 0 : cutY,
      qy1 = upper ? cutY : H;
    const sx0 = left ? leftShift : cutX - rightShift,
      sy0 = upper ? topShift : cutY - botShift;
    const ox = sx0 - qx0,
      oy = sy0 - qy0;
    // only the quadrant's part of the augmented frame is computed
    const frameBoxes = augmentOne(im, labels[k], p, t, out, { x0: qx0, y0: qy0, x1: qx1, y1: qy1, ox, oy });
    for (const b of frameBoxes) {
      const x1 = Math.max(qx0, (b.cx - b.w / 2) * W - ox),
        x2 = Math.min(qx1, (b.cx + b.w / 2) * W - ox);
      const y1 = Math.max(qy0, (b.cy - b.h / 2) * H - oy),
        y2 = Math.min(qy1, (b.cy + b.h / 2) * H - oy);
      if (x2 - x1 < 1 || y2 - y1 < 1) continue;
      boxes.push({ cls: b.cls, cx: (x1 + x2) / 2 / W, cy: (y1 + y2) / 2 / H, w: (x2 - x1) / W, h: (y2 - y1) / H });
    }
  }
  return { data: toChannels(out, plane, p.channels), boxes: boxes.slice(0, p.maxBoxes), transforms, cut: [cutX, cutY] };
}
