// Validation of a darknet-layout training dataset before anyone trains on it: every problem found
// (not just the first), each one located (`labels/x.txt:3: …`, `train.txt:7: …`), plus the figures
// worth seeing first — images, background images, boxes per class, a box-size histogram.
// The trainer calls requireTrainable(), which refuses a dataset with errors.

import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import {
  DatasetError,
  datasetDir,
  findLabelFile,
  parseDataFile,
  scanImageList,
  scanLabels,
  type DataFile,
  type Label,
} from '../eval/dataset';
import { decodeImage } from '../nn/image';
import { sniffFormat, DECODABLE } from './image-header';

/** sqrt(w·h) of a box as a fraction of the image: bin edges of the size histogram. */
export const SIZE_EDGES = [0, 1 / 64, 1 / 32, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 1];
const EDGE_TEXT = ['0', '1/64', '1/32', '1/16', '1/8', '1/4', '1/2', '1'];

export interface SizeBin {
  from: number;
  to: number;
  label: string;
  count: number;
}

export interface ListSummary {
  role: 'train' | 'valid';
  path: string;
  images: number;
}

export interface CheckReport {
  data: string;
  classes: number;
  names: string[] | undefined;
  lists: ListSummary[];
  /** Distinct images over all lists. */
  images: number;
  /** Images whose label file exists and is empty (darknet's negative samples). */
  backgroundImages: number;
  /** Images without any label file (an error: a background image needs an empty one). */
  missingLabels: number;
  boxes: number;
  /** Boxes per class id (0 … classes−1). */
  perClass: number[];
  sizeHistogram: SizeBin[];
  /** Located problems that make the dataset unusable for training (at most `maxErrors` kept). */
  errors: string[];
  /** All errors found, including those not kept. */
  errorCount: number;
  warnings: string[];
}

export interface CheckOptions {
  /** Decode every image to find corrupt ones (default true). */
  decode?: boolean;
  /** Errors kept in the report (default 1000); errorCount counts them all. */
  maxErrors?: number;
  cwd?: string;
  onImage?(done: number, total: number): void;
}

/** A path as shown in messages: relative to the working directory when inside it. */
function shown(p: string, cwd: string): string {
  const r = relative(cwd, p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

export function sizeBin(w: number, h: number): number {
  const s = Math.sqrt(w * h);
  for (let i = 1; i < SIZE_EDGES.length; i++) if (s < SIZE_EDGES[i]) return i - 1;
  return SIZE_EDGES.length - 2;
}

function imageProblem(path: string, decode: boolean): string | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  const format = sniffFormat(buf);
  if (!DECODABLE.has(format))
    return format === 'unknown'
      ? 'not an image (neither PNG nor JPEG)'
      : `${format.toUpperCase()} image: the loader reads PNG and JPEG only`;
  if (!decode) return undefined;
  try {
    const rgba = decodeImage(buf, path);
    if (rgba.width === 0 || rgba.height === 0) return 'image has no pixels';
  } catch (e) {
    return `corrupt image: ${(e as Error).message.replace(`${path}: `, '')}`;
  }
  return undefined;
}

/** Checks a .data file, its train/valid lists, every image and every label file. */
export function checkDataset(dataPath: string, opts: CheckOptions = {}): CheckReport {
  const cwd = opts.cwd ?? process.cwd();
  const maxErrors = opts.maxErrors ?? 1000;
  const errors: string[] = [];
  let errorCount = 0;
  const error = (m: string) => {
    if (errors.length < maxErrors) errors.push(m);
    errorCount++;
  };
  const data: DataFile = parseDataFile(dataPath, cwd, 'train');
  const warnings = [...data.warnings];
  if (data.classes === undefined) throw new DatasetError(`${dataPath}: no classes= line (the number of classes to train)`);
  const classes = data.classes;
  if (!data.names) warnings.push(`${dataPath}: no names file: classes are shown by number`);

  const lists: { role: 'train' | 'valid'; path: string }[] = [{ role: 'train', path: data.train! }];
  if (data.valid !== data.train) lists.push({ role: 'valid', path: data.valid });
  const roleOf = new Map<string, { role: string; at: string }>();
  const order: string[] = [];
  const summaries: ListSummary[] = [];
  for (const list of lists) {
    const scan = scanImageList(list.path, datasetDir(data), cwd);
    scan.problems.forEach((p) => error(p.startsWith(list.path) ? shown(list.path, cwd) + p.slice(list.path.length) : p));
    const seen = new Map<string, number>();
    for (const e of scan.entries) {
      const first = seen.get(e.image);
      const at = `${shown(list.path, cwd)}:${e.line}`;
      if (first !== undefined) {
        error(`${at}: duplicate of line ${first} (${e.text})`);
        continue;
      }
      seen.set(e.image, e.line);
      const other = roleOf.get(e.image);
      if (other) {
        warnings.push(`${at}: ${e.text} is also in the ${other.role} list (${other.at}): it is evaluated on images it trained on`);
        continue;
      }
      roleOf.set(e.image, { role: list.role, at });
      order.push(e.image);
    }
    if (scan.entries.length === 0 && scan.problems.length === 0) error(`${shown(list.path, cwd)}: no images listed`);
    summaries.push({ role: list.role, path: list.path, images: seen.size });
  }

  const perClass = new Array<number>(classes).fill(0);
  const bins = new Array<number>(SIZE_EDGES.length - 1).fill(0);
  let boxes = 0,
    background = 0,
    missing = 0;
  order.forEach((image, i) => {
    const bad = imageProblem(image, opts.decode ?? true);
    if (bad) error(`${shown(image, cwd)}: ${bad}`);
    const found = findLabelFile(image);
    if (!found.path) {
      missing++;
      error(
        `${shown(image, cwd)}: no label file (tried ${found.tried.map((t) => shown(t, cwd)).join(', ')}); a background image needs an empty one`,
      );
    } else {
      let text: string;
      try {
        text = readFileSync(found.path, 'utf8');
      } catch (e) {
        error(`${shown(found.path, cwd)}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return;
      }
      const scan = scanLabels(text, shown(found.path, cwd), classes, true);
      scan.problems.forEach(error);
      if (scan.labels.length === 0 && scan.problems.length === 0) background++;
      for (const l of scan.labels) countBox(l);
    }
    opts.onImage?.(i + 1, order.length);
  });
  function countBox(l: Label): void {
    boxes++;
    perClass[l.cls]++;
    bins[sizeBin(l.w, l.h)]++;
  }
  if (boxes === 0 && errorCount === 0) error(`${dataPath}: no boxes in any label file: nothing to learn`);
  const sizeHistogram = bins.map((count, i) => ({
    from: SIZE_EDGES[i],
    to: SIZE_EDGES[i + 1],
    label: `${EDGE_TEXT[i]}–${EDGE_TEXT[i + 1]}`,
    count,
  }));
  return {
    data: dataPath,
    classes,
    names: data.names,
    lists: summaries,
    images: order.length,
    backgroundImages: background,
    missingLabels: missing,
    boxes,
    perClass,
    sizeHistogram,
    errors,
    errorCount,
    warnings,
  };
}

/** The first few errors as one message: `N errors in x.data, e.g.\n  a\n  b`. */
export function errorSummary(r: CheckReport, shownErrors = 5): string {
  const head = r.errors
    .slice(0, shownErrors)
    .map((e) => `  ${e}`)
    .join('\n');
  const more = r.errorCount > shownErrors ? `\n  … and ${r.errorCount - shownErrors} more (darknet-pruner data check ${r.data})` : '';
  return `${r.data}: ${r.errorCount} error${r.errorCount === 1 ? '' : 's'}:\n${head}${more}`;
}

/** For the trainer: the checked dataset, or a DatasetError naming the first few errors. */
export function requireTrainable(dataPath: string, opts: CheckOptions = {}): CheckReport {
  const r = checkDataset(dataPath, opts);
  if (r.errorCount > 0) throw new DatasetError(errorSummary(r));
  return r;
}
