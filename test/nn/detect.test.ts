// Detection: head decoding (docs/network.md §Decoding, §Letterbox), NMS kinds (§NMS), darknet's
// resize/letterbox (§Preprocessing), PNG/JPEG input, annotation, and the forward/detect CLI commands
// end to end.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import { correctBoxes, decodeHead, DecodeError, labelDetections, type Detection } from '../../core/src/nn/decode';
import { boxDiou, boxIou, nms } from '../../core/src/nn/nms';
import { annotate, decodeImage, letterboxImage, letterboxSize, prepareInput, resizeImage, toImage } from '../../core/src/nn/image';
import { buildNetwork, chwToNHWC } from '../../core/src/nn/model';
import { darknetLayout } from '../../core/src/nn/heads';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { analyse, maxAbsDiff, ramp, useBackend } from './helpers';
import { runMain as cli } from '../cli/in-process';
import { tempDir } from '../tmp';

before(async () => {
  await useBackend('infer');
});

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);
const headNet = (head: string, w = 4, h = 2, filters = 6) =>
  analyse(
    `[net]\nwidth=${w * 32}\nheight=${h * 32}\nchannels=3\n[convolutional]\nfilters=${filters}\nsize=32\nstride=32\nactivation=linear\n${head}`,
  );

test('yolo decode: cell offsets, mask → anchors, exp/4t² sizes, thresholds (§8.2)', () => {
  for (const newCoords of [false, true]) {
    const net = headNet(`[yolo]\nmask=1\nanchors=10,20,40,30\nnum=2\nclasses=1${newCoords ? '\nnew_coords=1' : ''}`);
    const l = net.layers[1];
    const out = new Float32Array(6 * 8); // [e][y][x], 4×2 grid
    const set = (e: number, y: number, x: number, v: number) => {
      out[(e * 2 + y) * 4 + x] = v;
    };
    set(0, 1, 2, 0.25);
    set(1, 1, 2, 0.5);
    set(2, 1, 2, 0.5);
    set(3, 1, 2, -0.5);
    set(4, 1, 2, 0.8);
    set(5, 1, 2, 0.5);
    set(4, 0, 0, 0.2);
    set(5, 0, 0, 1); // objectness below thresh: no candidate
    const dets = decodeHead(l, out, { netW: 128, netH: 64, imageW: 128, imageH: 64, letterbox: false, thresh: 0.25 });
    assert.equal(dets.length, 1);
    const b = dets[0].bbox;
    close(b.x, (2 + 0.25) / 4);
    close(b.y, (1 + 0.5) / 2);
    close(b.w, newCoords ? (4 * 0.25 * 40) / 128 : (Math.exp(0.5) * 40) / 128);
    close(b.h, newCoords ? (4 * 0.25 * 30) / 64 : (Math.exp(-0.5) * 30) / 64);
    close(dets[0].prob[0], 0.4);
    // prob = obj·class must exceed thresh too
    const low = decodeHead(l, out, { netW: 128, netH: 64, imageW: 128, imageH: 64, letterbox: false, thresh: 0.45 });
    assert.equal(low.length, 1);
    assert.equal(low[0].prob[0], 0);
    const found = labelDetections(dets, 0.25, 1280, 640);
    close(found[0].left, (b.x - b.w / 2) * 1280, 1e-3);
    close(found[0].width, b.w * 1280, 1e-3);
  }
  // A mask past the anchors (the analysis reports it too; decode must not read garbage).
  const bad = analyseText(
    `[net]\nwidth=128\nheight=64\nchannels=3\n[convolutional]\nfilters=6\nsize=32\nstride=32\nactivation=linear\n[yolo]\nmask=2\nanchors=10,20,40,30\nnum=2\nclasses=1`,
  );
  assert.throws(
    () => decodeHead(bad.layers[1], new Float32Array(48), { netW: 128, netH: 64, imageW: 1, imageH: 1, letterbox: false, thresh: 0 }),
    (e: Error) => e instanceof DecodeError && /layer 1 \[yolo\] \(line 10\): anchor 2 needs anchors\[5\]/.test(e.message),
  );
});

test('region decode: [y][x][a][e] layout, σ on x/y at decode, anchors in grid cells', () => {
  const net = headNet('[region]\nanchors=1,2,3,4\nnum=2\nclasses=2\ncoords=4', 4, 2, 14);
  const l = net.layers[1];
  const out = new Float32Array(8 * 2 * 7);
  const base = ((1 * 4 + 3) * 2 + 1) * 7; // row 1, col 3, anchor 1
  out.set([0, 1, 0.2, -0.2, 0.9, 0.1, 0.9], base);
  const dets = decodeHead(l, out, { netW: 128, netH: 64, imageW: 128, imageH: 64, letterbox: false, thresh: 0.5 });
  assert.equal(dets.length, 1);
  const s = (v: number) => 1 / (1 + Math.exp(-v));
  close(dets[0].bbox.x, (3 + 0.5) / 4);
  close(dets[0].bbox.y, (1 + s(1)) / 2);
  close(dets[0].bbox.w, (Math.exp(0.2) * 3) / 4);
  close(dets[0].bbox.h, (Math.exp(-0.2) * 4) / 2);
  assert.equal(dets[0].prob[0], 0);
  close(dets[0].prob[1], 0.81);
});

test('letterbox: size, canvas and box correction undo each other (§8.4, §8.5)', () => {
  assert.deepEqual(letterboxSize(640, 480, 416, 416), { newW: 416, newH: 312 });
  assert.deepEqual(letterboxSize(300, 600, 416, 416), { newW: 208, newH: 416 });
  const im = { w: 4, h: 2, c: 1, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
  const lb = letterboxImage(im, 8, 8);
  // 4×2 fits 8×8 as 8×4 at row offset 2 on a 0.5 canvas
  assert.ok([...lb.data.subarray(0, 16), ...lb.data.subarray(48, 64)].every((v) => v === 0.5));
  assert.ok(
    maxAbsDiff(
      lb.data.subarray(16, 24),
      [0, 3, 6, 9, 12, 15, 18, 21].map((v) => v / 7),
    ) < 1e-6,
  );
  assert.ok(maxAbsDiff(lb.data.subarray(40, 48), [4, 4 + 3 / 7, 4 + 6 / 7, 4 + 9 / 7, 4 + 12 / 7, 4 + 15 / 7, 4 + 18 / 7, 7]) < 1e-6);
  // an image-centred box of half the image maps through the letterboxed network coordinates and back
  const d: Detection = { bbox: { x: 0.5, y: 0.5, w: 1, h: 0.25 }, objectness: 1, prob: new Float32Array(1), layer: 0 };
  correctBoxes([d], { netW: 416, netH: 416, imageW: 640, imageH: 480, letterbox: true });
  close(d.bbox.x, 0.5);
  close(d.bbox.y, 0.5);
  close(d.bbox.w, 1);
  close(d.bbox.h, (0.25 * 416) / 312);
  const e: Detection = { bbox: { x: (52 + 0.25 * 312) / 416, y: 0.5, w: 0.1, h: 0.1 }, objectness: 1, prob: new Float32Array(1), layer: 0 };
  correctBoxes([e], { netW: 416, netH: 416, imageW: 480, imageH: 640, letterbox: true });
  close(e.bbox.y, 0.5);
  close(e.bbox.x, ((52 + 0.25 * 312) / 416 - 104 / 2 / 416) / (312 / 416));
});

test('resize_image: darknet bilinear with corner alignment and last-column copy', () => {
  const im = { w: 2, h: 2, c: 1, data: Float32Array.from([0, 1, 2, 3]) };
  const r = resizeImage(im, 3, 3);
  assert.deepEqual([...r.data], [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  const down = resizeImage({ w: 5, h: 1, c: 1, data: Float32Array.from([0, 1, 2, 3, 4]) }, 3, 1);
  assert.deepEqual([...down.data], [0, 2, 4]);
  assert.equal(prepareInput(im, 3, 3, false).length, 9);
});

function nmsDets(): Detection[] {
  const mk = (x: number, p: number): Detection => ({
    bbox: { x, y: 0.5, w: 0.2, h: 0.2 },
    objectness: 1,
    prob: Float32Array.of(p),
    layer: 0,
  });
  return [mk(0.5, 0.6), mk(0.56, 0.9), mk(0.9, 0.7), { ...mk(0.5, 0.95), objectness: 0 }];
}

test('NMS: default IoU, greedynms and diounms with beta (§8.3)', () => {
  const a = { x: 0.5, y: 0.5, w: 0.2, h: 0.2 },
    b = { x: 0.56, y: 0.5, w: 0.2, h: 0.2 };
  const iou = (0.14 * 0.2) / (0.08 - 0.14 * 0.2);
  close(boxIou(a, b), iou);
  const dc = 0.06 ** 2 / (0.26 ** 2 + 0.2 ** 2);
  close(boxDiou(a, b, 0.6), iou - Math.pow(dc, 0.6));
  // IoU 0.538 > 0.5: the 0.6 box (lower) is suppressed by the 0.9 box; the far box survives; objectness 0 is dropped.
  const probs = (ds: Detection[]) => ds.map((d) => Math.round(d.prob[0] * 10) / 10);
  let live = nms(nmsDets(), 0.5, 'default');
  assert.deepEqual(probs(live), [0, 0.9, 0.7]);
  // DIoU-NMS keeps it at the same threshold (0.538 − (d²/c²)^0.6 = 0.441 < 0.5) …
  live = nms(nmsDets(), 0.5, 'greedynms');
  assert.deepEqual(probs(live), [0.6, 0.9, 0.7]);
  // … and with a large beta the penalty vanishes: (d²/c²)^4 ≈ 1e-7.
  live = nms(nmsDets(), 0.5, 'diounms', 4);
  assert.deepEqual(probs(live), [0, 0.9, 0.7]);
});

function pngBytes(w: number, h: number, px: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      const c = px(x, y);
      p.data[i] = c[0];
      p.data[i + 1] = c[1];
      p.data[i + 2] = c[2];
      p.data[i + 3] = 255;
    }
  return PNG.sync.write(p);
}
const gradient = (x: number, y: number): [number, number, number] => [x * 16, y * 16, 255 - x * 8];

test('PNG and JPEG decode to CHW byte/255 with R first; annotation draws boxes', () => {
  const png = decodeImage(pngBytes(16, 8, gradient));
  const im = toImage(png, 3);
  assert.equal(im.w, 16);
  assert.equal(im.h, 8);
  close(im.data[3 * 16 + 5], 80 / 255);
  close(im.data[128 + 3 * 16 + 5], 48 / 255);
  close(im.data[256 + 3 * 16 + 5], (255 - 40) / 255);
  const raw = { width: 16, height: 8, data: Buffer.from(png.data) };
  const jpg = decodeImage(jpeg.encode(raw, 100).data);
  const jm = toImage(jpg, 3);
  assert.ok(maxAbsDiff(jm.data, im.data) < 0.06, `JPEG q100 differs by ${maxAbsDiff(jm.data, im.data)}`);
  assert.throws(() => decodeImage(Buffer.from('GIF89a....')), /not a PNG or JPEG/);
  const gray = toImage(png, 1);
  close(gray.data[0], ((0 * 77 + 0 * 150 + 255 * 29) >> 8) / 255);
  const big = decodeImage(pngBytes(64, 64, (x, y) => [x, y, 100]));
  const out = decodeImage(annotate(big, [{ left: 10, top: 30, width: 40, height: 20, label: 'car 90%', classId: 0 }]));
  const at = (q: { data: Uint8Array }, x: number, y: number) => [...q.data.subarray(4 * (y * 64 + x), 4 * (y * 64 + x) + 3)];
  assert.deepEqual(at(out, 10, 40), [255, 0, 255]);
  assert.deepEqual(at(out, 50, 40), [255, 0, 255]);
  assert.deepEqual(at(out, 30, 50), [255, 0, 255]);
  assert.deepEqual(at(out, 30, 40), at(big, 30, 40));
  assert.deepEqual(at(out, 30, 10), at(big, 30, 10));
  assert.ok(
    [...Array(7).keys()].some((dy) => at(out, 12, 23 + dy).join() === '0,0,0'),
    'label text above the box',
  );
});

const SMALL = `[net]
width=64
height=64
channels=3

[convolutional]
batch_normalize=1
filters=8
size=3
stride=2
pad=1
activation=leaky

[maxpool]
size=2
stride=2

[convolutional]
filters=21
size=1
activation=linear

[yolo]
mask=0,1,2
anchors=10,14,23,27,37,58
classes=2
num=3
nms_kind=greedynms
`;

test('CLI forward writes darknet-layout yolo_<i>.f32 equal to the in-process forward; wrong input size is a clear error', async () => {
  const dir = tempDir('dnp-forward-');
  const net = analyse(SMALL);
  const w = synthesizeWeights(net);
  writeFileSync(join(dir, 'n.cfg'), SMALL);
  writeFileSync(join(dir, 'n.weights'), serializeWeights(net, w));
  const input = ramp(64 * 64 * 3, 9, 0, 1);
  writeFileSync(join(dir, 'in.f32'), new Uint8Array(input.buffer));
  const r = await cli([
    'forward',
    join(dir, 'n.cfg'),
    join(dir, 'n.weights'),
    '--input',
    join(dir, 'in.f32'),
    '--out-dir',
    join(dir, 'out'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { outputs: { layer: number; file: string; floats: number }[]; backend: string };
  assert.equal(report.outputs.length, 1);
  const b = readFileSync(join(dir, 'out', 'yolo_3.f32'));
  const got = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const m = buildNetwork(net, w);
  const x = chwToNHWC(input, 64, 64, 3);
  const t = m.forward(x).get(3)!;
  const want = darknetLayout(net.layers[3], t.dataSync() as Float32Array, t.shape);
  assert.equal(got.length, 16 * 16 * 21);
  assert.ok(maxAbsDiff(got, want) === 0);
  t.dispose();
  x.dispose();
  m.dispose();
  writeFileSync(join(dir, 'short.f32'), new Uint8Array(100));
  const bad = await cli([
    'forward',
    join(dir, 'n.cfg'),
    join(dir, 'n.weights'),
    '--input',
    join(dir, 'short.f32'),
    '--out-dir',
    join(dir, 'out-bad'),
  ]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /short\.f32: 100 bytes, but the network input 64×64×3 needs 49152 bytes/);
  const noW = await cli([
    'forward',
    join(dir, 'n.cfg'),
    join(dir, 'in.f32'),
    '--input',
    join(dir, 'in.f32'),
    '--out-dir',
    join(dir, 'out-bad'),
  ]);
  assert.equal(noW.code, 1);
  assert.match(noW.err, /in\.f32/);
});

test('CLI detect: JSON detections in image pixels, names, annotated PNG', async () => {
  const dir = tempDir('dnp-detect-');
  const net = analyse(SMALL);
  writeFileSync(join(dir, 'n.cfg'), SMALL);
  writeFileSync(join(dir, 'n.weights'), serializeWeights(net, synthesizeWeights(net)));
  writeFileSync(join(dir, 'a.png'), pngBytes(96, 48, gradient));
  writeFileSync(join(dir, 'names'), 'cat\ndog\n');
  const r = await cli([
    'detect',
    join(dir, 'n.cfg'),
    join(dir, 'n.weights'),
    join(dir, 'a.png'),
    '--thresh',
    '0.05',
    '--names',
    join(dir, 'names'),
    '--json',
    '--out',
    join(dir, 'ann.png'),
  ]);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as {
    nms: { kind: string };
    images: { width: number; detections: { name: string; prob: number; left: number; width: number }[]; annotated: string }[];
  };
  assert.equal(rep.nms.kind, 'greedynms');
  assert.equal(rep.images[0].width, 96);
  assert.ok(rep.images[0].detections.length > 0, 'random weights at thresh 0.05 give detections');
  for (const d of rep.images[0].detections) {
    assert.ok(d.name === 'cat' || d.name === 'dog');
    assert.ok(d.prob > 0.05 && d.prob <= 1);
  }
  const ann = decodeImage(readFileSync(join(dir, 'ann.png')));
  assert.deepEqual([ann.width, ann.height], [96, 48]);
  const missing = await cli(['detect', join(dir, 'n.cfg'), join(dir, 'n.weights'), join(dir, 'nope.jpg')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.jpg: no such file/);
});
