// A yolov3-tiny-like training fixture darknet (2018) and we both read: a cfg, weights from our
// synthesiser, one left-right symmetric PNG with mirrored boxes (so darknet's random flip changes
// nothing), jitter=0 hue=0 saturation=1 exposure=1 random=0 (no other augmentation), batch=1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { encode } from '../../core/src/data/synth';
import { XorShift32 } from '../../core/src/weights/synth';
import type { Truth } from '../../core/src/train/yolo-loss';
import { parseIterationLine } from '../../core/src/train/darknet-log';
import { onPath } from '../../cli/runtimes/steps';

export const SIZE = 64;

interface NetOptions {
  batch?: number;
  subdivisions?: number;
  lr?: number;
  maxBatches?: number;
}

const netSection = (opts: NetOptions) =>
  `[net]\nbatch=${opts.batch ?? 1}\nsubdivisions=${opts.subdivisions ?? 1}\nwidth=${SIZE}\nheight=${SIZE}\nchannels=3\nmomentum=0.9\ndecay=0.0005\nangle=0\nsaturation=1\nexposure=1\nhue=0\nlearning_rate=${opts.lr ?? 0.001}\nburn_in=0\nmax_batches=${opts.maxBatches ?? 1}\npolicy=steps\nsteps=100000\nscales=.1\n`;
const conv = (f: number, s: number, act = 'leaky', bn = 1) =>
  `[convolutional]\n${bn ? 'batch_normalize=1\n' : ''}filters=${f}\nsize=${s}\nstride=1\npad=1\nactivation=${act}\n`;
const pool = (s = 2) => `[maxpool]\nsize=2\nstride=${s}\n`;
/** [net] and the first four conv + maxpool pairs both cfgs start with. */
const stem = (opts: NetOptions) => [netSection(opts), conv(4, 3), pool(), conv(8, 3), pool(), conv(8, 3), pool(), conv(16, 3), pool()];

export function tinyCfg(opts: NetOptions & { yolo?: string } = {}): string {
  const yolo = (mask: string) =>
    `[yolo]\nmask=${mask}\nanchors=6,8, 10,14, 18,16, 22,30, 34,28, 46,52\nclasses=2\nnum=6\njitter=0\nignore_thresh=.7\ntruth_thresh=1\nrandom=0\n${opts.yolo ?? ''}`;
  return [
    ...stem(opts),
    conv(16, 3),
    pool(),
    conv(32, 3),
    pool(1),
    conv(32, 3),
    conv(16, 1),
    conv(32, 3),
    conv(21, 1, 'linear', 0),
    yolo('3,4,5'),
    '[route]\nlayers=-4\n',
    conv(8, 1),
    '[upsample]\nstride=2\n',
    '[route]\nlayers=-1,8\n',
    conv(16, 3),
    conv(21, 1, 'linear', 0),
    yolo('0,1,2'),
  ].join('\n');
}

/**
 * A yolov2-tiny-like cfg (tiny-yolo-voc's [region] keys; 4×4 grid, 3 anchors in grid cells, 2
 * classes); `region` appends keys to the [region] section.
 */
export function tinyRegionCfg(opts: NetOptions & { region?: string } = {}): string {
  return [
    ...stem(opts),
    conv(32, 3),
    pool(1),
    conv(32, 3),
    conv(21, 1, 'linear', 0),
    `[region]\nanchors=0.75,1.0, 1.5,1.25, 2.5,2.75\nbias_match=1\nclasses=2\ncoords=4\nnum=3\nsoftmax=1\njitter=0\nrescore=1\nobject_scale=5\nnoobject_scale=1\nclass_scale=1\ncoord_scale=1\nabsolute=1\nthresh=.6\nrandom=0\n${opts.region ?? ''}`,
  ].join('\n');
}

/** Left-right symmetric RGBA image with mirrored rectangles; the truths list each box (dyadic coordinates, exact in float32). */
export function symmetricImage(seed = 3): { rgba: Uint8Array; truths: Truth[] } {
  const S = SIZE,
    rgba = new Uint8Array(S * S * 4);
  const r = new XorShift32(seed);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S / 2; x++) {
      for (let c = 0; c < 3; c++) {
        const v = (r.next() >>> 24) & 0xff;
        rgba[(y * S + x) * 4 + c] = v;
        rgba[(y * S + (S - 1 - x)) * 4 + c] = v;
      }
      rgba[(y * S + x) * 4 + 3] = 255;
      rgba[(y * S + (S - 1 - x)) * 4 + 3] = 255;
    }
  }
  // A centred box (its own mirror) and a mirrored pair.
  const truths: Truth[] = [
    { cls: 1, x: 0.5, y: 0.375, w: 0.5, h: 0.625 },
    { cls: 0, x: 0.1875, y: 0.75, w: 0.25, h: 0.1875 },
    { cls: 0, x: 0.8125, y: 0.75, w: 0.25, h: 0.1875 },
  ];
  return { rgba, truths };
}

export interface Fixture {
  dir: string;
  cfgPath: string;
  weightsPath: string;
  dataPath: string;
  imagePath: string;
  net: Network;
  image: Float32Array;
  truths: Truth[];
}

export function writeDarknetFixture(dir: string, cfgText = tinyCfg()): Fixture {
  mkdirSync(join(dir, 'img'), { recursive: true });
  mkdirSync(join(dir, 'backup'), { recursive: true });
  const net = analyseText(cfgText);
  const cfgPath = join(dir, 'tiny.cfg');
  writeFileSync(cfgPath, cfgText);
  const weightsPath = join(dir, 'tiny.weights');
  writeFileSync(weightsPath, serializeWeights(net, synthesizeWeights(net)));
  const { rgba, truths } = symmetricImage();
  const imagePath = join(dir, 'img', 'a.png');
  writeFileSync(imagePath, encode(rgba, SIZE, SIZE, 'png'));
  writeFileSync(join(dir, 'img', 'a.txt'), truths.map((t) => `${t.cls} ${t.x} ${t.y} ${t.w} ${t.h}`).join('\n') + '\n');
  writeFileSync(join(dir, 'train.txt'), imagePath + '\n');
  writeFileSync(join(dir, 'names.txt'), 'a\nb\n');
  const dataPath = join(dir, 'obj.data');
  writeFileSync(
    dataPath,
    `classes=2\ntrain=${join(dir, 'train.txt')}\nvalid=${join(dir, 'train.txt')}\nnames=${join(dir, 'names.txt')}\nbackup=${join(dir, 'backup')}\n`,
  );
  const S = SIZE,
    image = new Float32Array(3 * S * S);
  for (let i = 0; i < S * S; i++) for (let c = 0; c < 3; c++) image[c * S * S + i] = rgba[i * 4 + c] / 255;
  return { dir, cfgPath, weightsPath, dataPath, imagePath, net, image, truths };
}

/** `data synth` arguments: `images` 64×64 images of 2 classes into `out`, `validFraction` of them held out. */
export const synthDataArgs = (out: string, images: number, seed: number, validFraction: number): string[] => [
  'data',
  'synth',
  '-o',
  out,
  '--classes',
  '2',
  '--images',
  String(images),
  '--size',
  String(SIZE),
  '--seed',
  String(seed),
  '--valid-fraction',
  String(validFraction),
];

const darknet = onPath('darknet');
const stdbuf = onPath('stdbuf');
/** The skip reason of a test that runs darknet, or false where it is on PATH. */
export const skipWithoutDarknet = darknet
  ? false
  : 'darknet is not on PATH: install it with `apt-get install darknet` (npm run setup:darknet)';

/** `darknet detector train` on the fixture: the loss of each "N: loss, avg, rate, …" line it prints. */
export function darknetLosses(f: Fixture): number[] {
  // darknet may crash while tearing down its loader thread after the last iteration; its stdout is
  // a pipe, so make it unbuffered (stdbuf) or the lines printed before the crash are lost.
  const args = ['detector', 'train', f.dataPath, f.cfgPath, f.weightsPath];
  const r = stdbuf
    ? spawnSync(stdbuf, ['-o0', '-e0', darknet!, ...args], { cwd: f.dir, encoding: 'utf8', timeout: 120_000 })
    : spawnSync(darknet!, args, { cwd: f.dir, encoding: 'utf8', timeout: 120_000 });
  const text = `${r.stdout}\n${r.stderr}`;
  const losses = text
    .split(/[\r\n]/)
    .map(parseIterationLine)
    .filter((it) => it !== undefined)
    .map((it) => it.loss);
  assert.ok(losses.length > 0, `darknet printed no iteration (exit ${r.status ?? r.signal}):\n${text.slice(-2000)}`);
  return losses;
}
