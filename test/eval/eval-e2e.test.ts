// End to end: `darknet-pruner eval` on a synthetic dataset written here (PNG images, YOLO labels,
// .data, names, image list) with a hand-built detector whose detections are known, through the real
// forward passes (tfjs wasm, and onnxruntime-node and OpenVINO on our export).
//
// The detector: 64×64 input → maxpool 32/32 (padding 0: one cell per quadrant) → 1×1 conv → [yolo]
// with one 32×32 anchor. tx = ty = tw = th = 0 puts a box exactly on the quadrant; objectness
// σ(40·max R − 30) fires on a bright square (and stays below 0.001 on darknet's 0.5 letterbox canvas); class logit 10. Scene (gray levels v):
//   img0: Q0 v=1.0 (labelled), Q3 v=0.6 (labelled)      → TP (conf σ(10)), TP (σ(−6) = 0.0025)
//   img1: Q1 v=0.8 (labelled), Q2 labelled but empty     → TP (σ(2)), FN
//   img2: Q2 v=0.7, no label file                         → FP (σ(−2.1))
// Conf order: TP, TP, FP, TP with 4 targets → P = R = 0.75, F1 = 0.75, and AP = 0.69 (numpy: the
// reference ap_per_class on tp = [1, 1, 0, 1], 4 targets) at every IoU threshold (IoU = 1).
// The letterbox variant: 128×64 images, letter_box=1, a 16×16 anchor. The image lands at net rows
// 16…47 (scale 1/2); the box of net cell (c, r), net [32c+8, 32c+24] × [32r+8, 32r+24], maps back to
// image x ∈ [64c+16, 64c+48], y ∈ (net y − 16)·2, clipped: [0, 16] or [48, 64]. The labels are those
// boxes, so IoU is 1 only if the letterbox correction is right (uncorrected boxes give IoU 1/3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { analyseText } from '../../core/src/cfg/analyse';
import { serializeWeights } from '../../core/src/weights/write';
import { main } from '../../cli/main';
import { runCli } from '../cli/run';
import { openvinoMissing } from '../openvino/available';

const CFG = `[net]
width=64
height=64
channels=3

[maxpool]
size=32
stride=32
padding=0

[convolutional]
filters=6
size=1
activation=linear

[yolo]
classes=1
num=1
mask=0
anchors=32,32
`;

let dir = '';
const Q = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
]; // quadrant → (col, row)

/** A black W×64 image with a gray square centred in each listed quadrant (16 px wide when W = 128). */
function png(squares: { q: number; v: number }[], W = 64): Buffer {
  const p = new PNG({ width: W, height: 64 });
  p.data.fill(0);
  for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255;
  const qw = W / 2,
    sw = W / 8;
  for (const { q, v } of squares) {
    const [cx, cy] = Q[q];
    for (let y = cy * 32 + 12; y < cy * 32 + 20; y++)
      for (let x = cx * qw + qw / 2 - sw / 2; x < cx * qw + qw / 2 + sw / 2; x++) {
        const i = 4 * (y * W + x);
        p.data[i] = p.data[i + 1] = p.data[i + 2] = v;
      }
  }
  return PNG.sync.write(p);
}

const label = (q: number) => `0 ${Q[q][0] * 0.5 + 0.25} ${Q[q][1] * 0.5 + 0.25} 0.5 0.5`;
const labelLb = (q: number) => `0 ${Q[q][0] * 0.5 + 0.25} ${Q[q][1] ? 0.875 : 0.125} 0.25 0.25`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-eval-'));
  mkdirSync(join(dir, 'data', 'images'), { recursive: true });
  mkdirSync(join(dir, 'data', 'labels'), { recursive: true });
  writeFileSync(
    join(dir, 'data', 'images', 'img0.png'),
    png([
      { q: 0, v: 255 },
      { q: 3, v: 153 },
    ]),
  );
  writeFileSync(join(dir, 'data', 'images', 'img1.png'), png([{ q: 1, v: 204 }]));
  writeFileSync(join(dir, 'data', 'images', 'img2.png'), png([{ q: 2, v: 178 }]));
  writeFileSync(join(dir, 'data', 'labels', 'img0.txt'), `${label(0)}\n${label(3)}\n`);
  writeFileSync(join(dir, 'data', 'labels', 'img1.txt'), `${label(1)}\n${label(2)}\n`);
  // Paths relative to the list's directory (not the working directory): exercises the fallback.
  writeFileSync(join(dir, 'data', 'valid.txt'), 'images/img0.png\nimages/img1.png\nimages/img2.png\n');
  writeFileSync(join(dir, 'data', 'obj.names'), 'square\n');
  writeFileSync(join(dir, 'data', 'obj.data'), 'classes = 1\nvalid = valid.txt\nnames = obj.names\n');
  writeFileSync(join(dir, 'det.cfg'), CFG);
  // Letterbox variant: same scene on 128×64 images.
  mkdirSync(join(dir, 'wide', 'images'), { recursive: true });
  mkdirSync(join(dir, 'wide', 'labels'), { recursive: true });
  writeFileSync(
    join(dir, 'wide', 'images', 'img0.png'),
    png(
      [
        { q: 0, v: 255 },
        { q: 3, v: 153 },
      ],
      128,
    ),
  );
  writeFileSync(join(dir, 'wide', 'images', 'img1.png'), png([{ q: 1, v: 204 }], 128));
  writeFileSync(join(dir, 'wide', 'images', 'img2.png'), png([{ q: 2, v: 178 }], 128));
  writeFileSync(join(dir, 'wide', 'labels', 'img0.txt'), `${labelLb(0)}\n${labelLb(3)}\n`);
  writeFileSync(join(dir, 'wide', 'labels', 'img1.txt'), `${labelLb(1)}\n${labelLb(2)}\n`);
  writeFileSync(join(dir, 'wide', 'valid.txt'), ['img0', 'img1', 'img2'].map((n) => join(dir, 'wide', 'images', `${n}.png`)).join('\n'));
  writeFileSync(join(dir, 'wide', 'obj.data'), `classes=1\nvalid=${join(dir, 'wide', 'valid.txt')}\n`);
  writeFileSync(join(dir, 'det-lb.cfg'), CFG.replace('channels=3', 'channels=3\nletter_box=1').replace('anchors=32,32', 'anchors=16,16'));
  const net = analyseText(CFG);
  const w = new Float32Array(6 * 3),
    b = new Float32Array(6);
  w[4 * 3 + 0] = 40;
  b[4] = -30; // objectness from the red channel's max
  b[5] = 10; // class
  writeFileSync(
    join(dir, 'det.weights'),
    serializeWeights(net, {
      header: { major: 0, minor: 2, revision: 0, seen: 0n },
      totalFloats: 24,
      layers: [undefined, { layer: 1, blocks: { biases: b, weights: w } }, undefined],
    }),
  );
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function runEval(...extra: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  return runOn('det.cfg', join('data', 'obj.data'), ...extra);
}

async function runOn(cfg: string, data: string, ...extra: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(['eval', join(dir, cfg), join(dir, 'det.weights'), '--data', join(dir, data), ...extra], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out, err };
}

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 1e-9, `${what}: ${got}, want ${want}`);

const VARIANTS = [
  { name: '64×64 images, plain resize', cfg: 'det.cfg', data: join('data', 'obj.data'), names: ['square'] },
  { name: '128×64 images, letter_box=1', cfg: 'det-lb.cfg', data: join('wide', 'obj.data'), names: undefined },
];
for (const v of VARIANTS)
  for (const runtime of ['tfjs', 'onnx', 'openvino']) {
    test(
      `eval --runtime ${runtime}, ${v.name}: P, R, F1, mAP of a known detector on a synthetic dataset`,
      { skip: runtime === 'openvino' ? openvinoMissing() : undefined },
      async () => {
        const prev = process.env.DARKNET_BACKEND;
        process.env.DARKNET_BACKEND = 'wasm'; // never native TensorFlow next to onnxruntime-node
        try {
          const r = await runOn(v.cfg, v.data, '--runtime', runtime, '--json');
          assert.equal(r.code, 0, r.err.join('\n'));
          const rep = JSON.parse(r.out[0]);
          assert.equal(rep.images, 3);
          assert.equal(rep.targets, 4);
          assert.equal(rep.predictions, 4);
          assert.equal(rep.imagesWithoutLabels, 1);
          close(rep.precision, 0.75, 'P');
          close(rep.recall, 0.75, 'R');
          close(rep.f1, 0.75, 'F1');
          close(rep.map50, 0.69, 'mAP@0.5');
          close(rep.map, 0.69, 'mAP@0.5:0.95');
          assert.deepEqual(rep.names, v.names);
          assert.match(r.err.join('\n'), /1 image\(s\) have no label file/);
        } finally {
          if (prev === undefined) delete process.env.DARKNET_BACKEND;
          else process.env.DARKNET_BACKEND = prev;
        }
      },
    );
  }

test('eval --pr-at-score 0.5 reads P/R on the curve; --nms darknet gives the same detections here; text table', async () => {
  const r = await runEval('--runtime', 'onnx', '--pr-at-score', '0.5', '--json');
  const rep = JSON.parse(r.out[0]);
  // conf [0.99995, 0.881, 0.111, 0.0025], recall [.25, .5, .5, .75], precision [1, 1, 2/3, .75]:
  // −0.5 lies between −0.881 and −0.111 → R = 0.5, P strictly between 2/3 and 1.
  close(rep.recall, 0.5, 'R@0.5');
  assert.ok(rep.precision > 2 / 3 && rep.precision < 1, `P@0.5 ${rep.precision}`);
  const d = JSON.parse((await runEval('--runtime', 'onnx', '--nms', 'darknet', '--json')).out[0]);
  close(d.map50, 0.69, 'mAP@0.5 with darknet NMS');
  const t = await runEval('--runtime', 'onnx');
  assert.equal(t.code, 0);
  assert.match(t.out.join('\n'), /square\s+4\s+4\s+0\.750\s+0\.750\s+0\.690\s+0\.690\s+0\.750/);
});

test('eval: bad dataset input gives a located error, not a stack trace', async () => {
  writeFileSync(join(dir, 'bad.data'), 'classes=1\nvalid=nope.txt\n');
  let r = await runEval('--runtime', 'onnx');
  const bad = await main(['eval', join(dir, 'det.cfg'), join(dir, 'det.weights'), '--data', join(dir, 'bad.data')], {
    out: () => {},
    err: (t) => r.err.push(t),
  });
  assert.equal(bad, 1);
  assert.match(r.err.at(-1)!, /bad\.data:2: valid=nope\.txt: no such file \(tried /);
  writeFileSync(join(dir, 'data', 'labels', 'img1.txt'), `${label(1)}\n0 0.5 0.5 0.5\n`);
  r = await runEval('--runtime', 'onnx');
  assert.equal(r.code, 1);
  assert.match(r.err.join('\n'), /labels[/\\]img1\.txt:2: expected "class cx cy w h", got "0 0\.5 0\.5 0\.5"/);
  writeFileSync(join(dir, 'data', 'labels', 'img1.txt'), `${label(1)}\n${label(2)}\n`);
});

test("eval with AlexeyAB's layout (each label .txt beside its image, no labels/ folder): the same figures; a missing label is named with the paths tried", () => {
  mkdirSync(join(dir, 'alexey', 'images'), { recursive: true });
  for (const n of [0, 1, 2]) copyFileSync(join(dir, 'data', 'images', `img${n}.png`), join(dir, 'alexey', 'images', `img${n}.png`));
  for (const n of [0, 1]) copyFileSync(join(dir, 'data', 'labels', `img${n}.txt`), join(dir, 'alexey', 'images', `img${n}.txt`));
  writeFileSync(join(dir, 'alexey', 'valid.txt'), 'images/img0.png\nimages/img1.png\nimages/img2.png\n');
  writeFileSync(join(dir, 'alexey', 'obj.data'), 'classes = 1\nvalid = valid.txt\n');
  const r = runCli(['eval', 'det.cfg', 'det.weights', '--data', join('alexey', 'obj.data'), '--json'], dir);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.equal(rep.imagesWithoutLabels, 1);
  assert.equal(rep.targets, 4);
  close(rep.precision, 0.75, 'P');
  close(rep.recall, 0.75, 'R');
  close(rep.map50, 0.69, 'mAP@0.5');
  const img2 = join(dir, 'alexey', 'images', 'img2.png');
  assert.ok(
    r.err.includes(
      `1 image(s) have no label file (counted as images without objects), e.g. ${img2}: tried ${join(dir, 'alexey', 'labels', 'img2.txt')}, ${join(dir, 'alexey', 'images', 'img2.txt')}`,
    ),
    r.err,
  );
});

test('eval refuses to report an mAP when no image has a label file, naming the paths tried', () => {
  mkdirSync(join(dir, 'unlabelled', 'images'), { recursive: true });
  for (const n of [0, 1, 2]) copyFileSync(join(dir, 'data', 'images', `img${n}.png`), join(dir, 'unlabelled', 'images', `img${n}.png`));
  writeFileSync(join(dir, 'unlabelled', 'valid.txt'), 'images/img0.png\nimages/img1.png\nimages/img2.png\n');
  writeFileSync(join(dir, 'unlabelled', 'obj.data'), 'classes = 1\nvalid = valid.txt\n');
  const r = runCli(['eval', 'det.cfg', 'det.weights', '--data', join('unlabelled', 'obj.data')], dir);
  assert.equal(r.code, 1);
  assert.equal(r.out, '', 'no mAP printed');
  const img0 = join(dir, 'unlabelled', 'images', 'img0.png');
  assert.equal(
    r.err.trim(),
    `darknet-pruner: ${join(dir, 'unlabelled', 'valid.txt')}: none of the 3 image(s) has a label file, so there is no mAP to report (for ${img0}: tried ${join(dir, 'unlabelled', 'labels', 'img0.txt')}, ${join(dir, 'unlabelled', 'images', 'img0.txt')})`,
  );
});
