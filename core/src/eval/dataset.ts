// Darknet-layout datasets: a `.data` file (classes=, valid=, names=), an image list (one path per
// line), YOLO label files (`cls cx cy w h`, normalised) found the way darknet finds them
// (replace_image_to_label: /images/ → /labels/, /JPEGImages/ → /labels/, image extension → .txt),
// else beside the image (AlexeyAB's layout: data/obj/a.jpg with data/obj/a.txt, in any folder).
// Relative paths: darknet resolves them against the working directory; we try that first, then the
// directory of the file that names them, and say which paths were tried.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors';

export class DatasetError extends UserError {}

export interface DataFile {
  path: string;
  classes: number | undefined;
  /** Resolved image-list path (for purpose 'train' without valid=: the train list, as darknet). */
  valid: string;
  /** Resolved training image list (train=), when the file has one. */
  train?: string;
  /** backup= as written (where darknet's trainer saves weights). */
  backup?: string;
  names: string[] | undefined;
  namesPath: string | undefined;
  /** Lines the parser ignored or could not use, as `file:line: message`. */
  warnings: string[];
}

export interface Label {
  cls: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
}

function readText(path: string, what: string): string {
  try {
    if (statSync(path).isDirectory()) throw new DatasetError(`${what} ${path}: is a directory`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** `p` as darknet would open it (cwd), else relative to `baseDir`; undefined when neither exists. */
export function resolveDataPath(p: string, baseDir: string, cwd = process.cwd()): { path: string | undefined; tried: string[] } {
  if (isAbsolute(p)) return { path: existsSync(p) ? p : undefined, tried: [p] };
  const tried = [...new Set([resolve(cwd, p), resolve(baseDir, p)])];
  return { path: tried.find((t) => existsSync(t)), tried };
}

/**
 * `purpose` 'valid' (evaluation) needs valid= (or test=); 'train' needs train= and takes valid=
 * when present, else the train list (darknet's option_find_str(options, "valid", train_images)).
 */
export function parseDataFile(path: string, cwd = process.cwd(), purpose: 'valid' | 'train' = 'valid'): DataFile {
  const text = readText(path, '.data file');
  const opts = new Map<string, { value: string; line: number }>();
  const warnings: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq < 0) {
      warnings.push(`${path}:${i + 1}: ignored line without "=": ${line}`);
      return;
    }
    const key = line.slice(0, eq).trim(),
      value = line.slice(eq + 1).trim();
    if (!opts.has(key)) opts.set(key, { value, line: i + 1 });
  });
  const base = dirname(resolve(path));
  let classes: number | undefined;
  const c = opts.get('classes');
  if (c) {
    classes = Number(c.value);
    if (!Number.isInteger(classes) || classes < 1)
      throw new DatasetError(`${path}:${c.line}: classes=${c.value} is not a positive integer`);
  }
  let train: string | undefined;
  const t = opts.get('train');
  if (t) {
    const r = resolveDataPath(t.value, base, cwd);
    if (r.path) train = r.path;
    else if (purpose === 'train') throw new DatasetError(`${path}:${t.line}: train=${t.value}: no such file (tried ${r.tried.join(', ')})`);
  } else if (purpose === 'train') throw new DatasetError(`${path}: no train= line (the image list to train on)`);
  const v = opts.get('valid') ?? opts.get('test');
  if (!v && !train) throw new DatasetError(`${path}: no valid= line (the image list to evaluate)`);
  const valid = v ? resolveDataPath(v.value, base, cwd) : { path: train, tried: [] };
  if (!valid.path) throw new DatasetError(`${path}:${v!.line}: valid=${v!.value}: no such file (tried ${valid.tried.join(', ')})`);
  let names: string[] | undefined, namesPath: string | undefined;
  const n = opts.get('names');
  if (n) {
    const r = resolveDataPath(n.value, base, cwd);
    if (!r.path)
      warnings.push(`${path}:${n.line}: names=${n.value}: no such file (tried ${r.tried.join(', ')}); classes are shown by number`);
    else {
      namesPath = r.path;
      names = readText(r.path, 'names file')
        .split(/\r?\n/)
        .map((s) => s.trim());
      while (names.length && !names[names.length - 1]) names.pop();
      if (classes !== undefined && names.length !== classes)
        warnings.push(`${r.path}: ${names.length} names, but ${path} says classes=${classes}`);
    }
  }
  return { path, classes, valid: valid.path, train, backup: opts.get('backup')?.value, names, namesPath, warnings };
}

const IMAGE_DIRS: [string, string][] = [
  ['/images/', '/labels/'],
  ['\\images\\', '\\labels\\'],
  ['/JPEGImages/', '/labels/'],
  ['\\JPEGImages\\', '\\labels\\'],
  ['/raw/', '/labels/'],
];
const IMAGE_EXT = /\.(jpe?g|png|bmp|gif|tiff?|ppm|webp)$/i;

/** darknet's replace_image_to_label (directory swap, image extension → .txt). */
export function labelPathFor(image: string): string {
  let p = image;
  for (const [from, to] of IMAGE_DIRS) p = p.split(from).join(to);
  return IMAGE_EXT.test(p) ? p.replace(IMAGE_EXT, '.txt') : `${p}.txt`;
}

/** Where the labels of `image` may be, in lookup order: darknet's rule, then beside the image. */
export function labelCandidates(image: string): string[] {
  const beside = IMAGE_EXT.test(image) ? image.replace(IMAGE_EXT, '.txt') : `${image}.txt`;
  return [...new Set([labelPathFor(image), beside])];
}

/** The first candidate that exists, and every path tried. */
export function findLabelFile(image: string): { path: string | undefined; tried: string[] } {
  const tried = labelCandidates(image);
  return { path: tried.find((p) => existsSync(p)), tried };
}

/** Parse a YOLO label file; errors name the file and line. A missing file yields undefined. */
export function readLabels(path: string, classes: number | undefined): Label[] | undefined {
  if (!existsSync(path)) return undefined;
  const { labels, problems } = scanLabels(readText(path, 'label file'), path, classes);
  if (problems.length) throw new DatasetError(problems[0]);
  return labels;
}

export interface LabelScan {
  /** The lines that parsed (a line with a problem is left out). */
  labels: Label[];
  /** Every problem, one located line each (`path:line: message`). */
  problems: string[];
}

/**
 * Every line of a label file's text checked, not only the first bad one. `strict` adds what darknet's
 * training refuses or silently changes (fill_truth_detection): a centre outside (0, 1], a width or
 * height above 1, an edge beyond the image (more than `edgeTolerance`).
 */
export function scanLabels(text: string, path: string, classes: number | undefined, strict = false, edgeTolerance = 1e-3): LabelScan {
  const labels: Label[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const at = `${path}:${i + 1}: `;
    const f = line.split(/\s+/);
    if (f.length < 5) {
      problems.push(`${at}expected "class cx cy w h", got "${line}"`);
      return;
    }
    const [cls, cx, cy, w, h] = f.slice(0, 5).map(Number);
    if (!Number.isInteger(cls) || cls < 0) {
      problems.push(`${at}class "${f[0]}" is not a non-negative integer`);
      return;
    }
    if (classes !== undefined && cls >= classes) {
      problems.push(`${at}class ${cls} is outside 0…${classes - 1} (classes=${classes})`);
      return;
    }
    if (![cx, cy, w, h].every(Number.isFinite)) {
      problems.push(`${at}box "${f.slice(1, 5).join(' ')}" is not four numbers`);
      return;
    }
    if (w <= 0 || h <= 0) {
      problems.push(`${at}box width and height must be positive, got ${w} ${h}`);
      return;
    }
    if (strict) {
      if (cx < 0 || cx > 1 || cy < 0 || cy > 1) {
        problems.push(`${at}box centre ${cx} ${cy} is outside [0, 1]`);
        return;
      }
      if (w > 1 || h > 1) {
        problems.push(`${at}box size ${w} ${h} is larger than the image (above 1)`);
        return;
      }
      const t = edgeTolerance;
      if (cx - w / 2 < -t || cx + w / 2 > 1 + t || cy - h / 2 < -t || cy + h / 2 > 1 + t) {
        problems.push(
          `${at}box ${cx} ${cy} ${w} ${h} reaches outside [0, 1] (edges ${+(cx - w / 2).toFixed(4)}…${+(cx + w / 2).toFixed(4)}, ${+(cy - h / 2).toFixed(4)}…${+(cy + h / 2).toFixed(4)})`,
        );
        return;
      }
    }
    labels.push({ cls, cx, cy, w, h });
  });
  return { labels, problems };
}

export interface DatasetItem {
  index: number;
  image: string;
  /** The label file found, else the first path tried. */
  labelPath: string;
  /** Every path looked at for the labels. */
  labelsTried: string[];
  /** undefined: no label file (darknet warns and treats the image as empty). */
  labels: Label[] | undefined;
}

export interface ImageList {
  listPath: string;
  images: string[];
}

/** The image paths of a list file (only paths: the images themselves are read one at a time). */
export function readImageList(listPath: string, dataDir: string, cwd = process.cwd()): ImageList {
  const scan = scanImageList(listPath, dataDir, cwd);
  if (scan.problems.length) throw new DatasetError(scan.problems[0]);
  if (scan.entries.length === 0) throw new DatasetError(`${listPath}: no images listed`);
  return { listPath, images: scan.entries.map((e) => e.image) };
}

export interface ImageListScan {
  listPath: string;
  /** Each listed image that exists, with its line in the list. */
  entries: { image: string; line: number; text: string }[];
  /** Every listed image that does not exist, one located line each. */
  problems: string[];
}

/** The whole list read, collecting every missing image instead of stopping at the first. */
export function scanImageList(listPath: string, dataDir: string, cwd = process.cwd()): ImageListScan {
  const entries: ImageListScan['entries'] = [];
  const problems: string[] = [];
  const base = dirname(resolve(listPath));
  readText(listPath, 'image list')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      let r = resolveDataPath(line, base, cwd);
      if (!r.path) {
        const alt = resolveDataPath(line, dataDir, cwd);
        if (alt.path) r = alt;
        else {
          problems.push(`${listPath}:${i + 1}: image ${line}: no such file (tried ${[...new Set([...r.tried, ...alt.tried])].join(', ')})`);
          return;
        }
      }
      entries.push({ image: r.path!, line: i + 1, text: line });
    });
  return { listPath, entries, problems };
}

/** Lazily yields each image with its labels: nothing but paths is held across iterations. */
export function* iterateDataset(list: ImageList, classes: number | undefined, limit = Infinity): Generator<DatasetItem> {
  const n = Math.min(limit, list.images.length);
  for (let index = 0; index < n; index++) {
    const image = list.images[index];
    const { path, tried } = findLabelFile(image);
    yield { index, image, labelPath: path ?? tried[0], labelsTried: tried, labels: path ? readLabels(path, classes) : undefined };
  }
}

export function datasetDir(data: DataFile): string {
  return dirname(resolve(data.path));
}
