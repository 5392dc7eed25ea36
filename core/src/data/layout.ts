// Writes a darknet-layout dataset into a directory the caller created (the CLI's temporary folder,
// renamed into place when everything is written):
//   images/<name>        the images, hard-linked to their source when possible, else copied
//   labels/<stem>.txt    YOLO labels (`cls cx cy w h`, normalised, 6 decimals; empty = background)
//   train.txt valid.txt  image lists (paths relative to the folder), split by a seeded shuffle
//   obj.names obj.data   class names; classes=, train=, valid=, names=, backup=
//   backup/              where darknet's trainer writes its weights

import { copyFileSync, linkSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Label } from '../eval/dataset';
import { makeRng, shuffled } from './rng';

export interface LayoutImage {
  /** File name under images/ (unique; its stem names the label file). */
  name: string;
  /** Copy (or link) this file … */
  source?: string;
  /** … or write these bytes. */
  bytes?: Uint8Array;
  labels: Label[];
}

export interface LayoutSpec {
  names: string[];
  images: LayoutImage[];
  /** Fraction of the images in valid.txt (0 … 1). */
  validFraction: number;
  seed: number;
}

export interface LayoutResult {
  train: string[];
  valid: string[];
  linked: number;
  copied: number;
  boxes: number;
  perClass: number[];
}

export const DATA_FILE = 'obj.data';

const num = (v: number) => v.toFixed(6);

export function labelLine(l: Label): string {
  return `${l.cls} ${num(l.cx)} ${num(l.cy)} ${num(l.w)} ${num(l.h)}`;
}

/** Indices of the validation images: a seeded shuffle, then the first round(n·F) (1 … n−1 when F > 0 and n ≥ 2). */
export function splitIndices(n: number, fraction: number, seed: number): Set<number> {
  let k = Math.round(n * fraction);
  if (fraction > 0 && n >= 2) k = Math.min(n - 1, Math.max(1, k));
  if (fraction >= 1) k = n;
  const order = shuffled([...Array(n).keys()], makeRng(seed, 0x5eed));
  return new Set(order.slice(0, k));
}

function place(src: string, dest: string): 'linked' | 'copied' {
  try {
    linkSync(src, dest);
    return 'linked';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK' && code !== 'EACCES') throw e;
  }
  copyFileSync(src, dest);
  return 'copied';
}

export function writeLayout(dir: string, spec: LayoutSpec): LayoutResult {
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'labels'), { recursive: true });
  mkdirSync(join(dir, 'backup'), { recursive: true });
  const valid = splitIndices(spec.images.length, spec.validFraction, spec.seed);
  const result: LayoutResult = { train: [], valid: [], linked: 0, copied: 0, boxes: 0, perClass: spec.names.map(() => 0) };
  const stems = new Set<string>();
  spec.images.forEach((im, i) => {
    const stem = im.name.slice(0, im.name.length - extname(im.name).length);
    if (stems.has(stem)) throw new Error(`two images named ${stem}.* in one dataset`);
    stems.add(stem);
    const dest = join(dir, 'images', im.name);
    if (im.bytes) writeFileSync(dest, im.bytes);
    else result[place(im.source!, dest)]++;
    writeFileSync(join(dir, 'labels', `${stem}.txt`), im.labels.map((l) => labelLine(l) + '\n').join(''));
    for (const l of im.labels) {
      result.boxes++;
      result.perClass[l.cls]++;
    }
    (valid.has(i) ? result.valid : result.train).push(`images/${im.name}`);
  });
  writeFileSync(join(dir, 'train.txt'), result.train.map((p) => p + '\n').join(''));
  writeFileSync(join(dir, 'valid.txt'), result.valid.map((p) => p + '\n').join(''));
  writeFileSync(join(dir, 'obj.names'), spec.names.map((n) => n + '\n').join(''));
  writeFileSync(
    join(dir, DATA_FILE),
    [
      `classes=${spec.names.length}`,
      'train=train.txt',
      `valid=${result.valid.length ? 'valid.txt' : 'train.txt'}`,
      'names=obj.names',
      'backup=backup/',
      '',
    ].join('\n'),
  );
  return result;
}
