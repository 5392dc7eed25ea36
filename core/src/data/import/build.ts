// From source annotations (VOC, COCO, CSV) to the darknet layout's images and labels: resolve each
// image file, check its size and every box, map labels to class ids. Problems become located errors;
// the caller writes nothing unless there are none.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { Label } from '../../eval/dataset';
import { DECODABLE, readImageHeader } from '../image-header';
import type { LayoutImage } from '../layout';
import type { SourceImage, SourceSet } from './source';

export interface BuildOptions {
  /** Class names in id order; boxes with other labels are errors. Default: the source's own order, else sorted labels. */
  classes?: string[];
  /** How far a box may reach beyond the image, in pixels, before it is an error (it is clipped). */
  overshoot?: number;
}

export interface BuildResult {
  names: string[];
  images: LayoutImage[];
  errors: string[];
  warnings: string[];
}

function locate(image: SourceImage): { path?: string; tried: string[] } {
  if (isAbsolute(image.ref)) return { path: existsSync(image.ref) ? image.ref : undefined, tried: [image.ref] };
  const tried = [...new Set(image.searchDirs.map((d) => resolve(d, image.ref)))];
  return { path: tried.find((p) => existsSync(p) && statSync(p).isFile()), tried };
}

/** A PNG or JPEG with the same stem beside a file darknet cannot read (DeepForest's OSBS_029.tif has OSBS_029.png). */
function readableSibling(path: string): string | undefined {
  const stem = basename(path, extname(path));
  const dir = dirname(path);
  return readdirSync(dir)
    .sort()
    .filter((f) => f !== basename(path) && basename(f, extname(f)) === stem && /\.(png|jpe?g)$/i.test(f))
    .map((f) => join(dir, f))
    .find((p) => DECODABLE.has(readImageHeader(p).format));
}

export function buildDataset(set: SourceSet, opts: BuildOptions = {}): BuildResult {
  const errors = [...set.errors],
    warnings = [...set.warnings];
  const labelsSeen = [...new Set(set.images.flatMap((im) => im.boxes.map((b) => b.label)))];
  const names = opts.classes ?? set.classOrder ?? labelsSeen.sort();
  const classId = new Map(names.map((n, i) => [n, i]));
  const overshoot = opts.overshoot ?? 1;
  const byPath = new Map<string, string>();
  const out: { image: LayoutImage; path: string }[] = [];
  for (const im of set.images) {
    const found = locate(im);
    if (!found.path) {
      errors.push(`${im.at}: image ${im.ref}: no such file (tried ${found.tried.join(', ')})`);
      continue;
    }
    let path = found.path;
    let header = readImageHeader(path);
    if (!DECODABLE.has(header.format)) {
      const sibling = readableSibling(path);
      if (!sibling) {
        errors.push(
          `${im.at}: image ${path} is ${header.format === 'unknown' ? 'not a PNG or JPEG' : header.format.toUpperCase()}, which darknet and the loader cannot read (convert it to PNG or JPEG)`,
        );
        continue;
      }
      warnings.push(
        `${im.at}: ${basename(path)} is ${header.format.toUpperCase()}, which darknet cannot read: using ${basename(sibling)} beside it`,
      );
      path = sibling;
      header = readImageHeader(path);
    }
    const { width: W, height: H } = header;
    if (!(W > 0 && H > 0)) {
      errors.push(`${im.at}: image ${path}: cannot read its size (corrupt?)`);
      continue;
    }
    if (im.declared && (im.declared.width !== W || im.declared.height !== H)) {
      errors.push(`${im.declared.at}: size ${im.declared.width}×${im.declared.height}, but ${path} is ${W}×${H}`);
      continue;
    }
    const earlier = byPath.get(path);
    if (earlier) {
      errors.push(`${im.at}: image ${path} is already annotated at ${earlier}`);
      continue;
    }
    byPath.set(path, im.at);
    const labels: Label[] = [];
    for (const b of im.boxes) {
      const cls = classId.get(b.label);
      if (cls === undefined) {
        errors.push(`${b.at}: label "${b.label}" is not one of the classes (${names.join(', ')})`);
        continue;
      }
      if (!(b.x2 > b.x1 && b.y2 > b.y1)) {
        errors.push(`${b.at}: box ${b.x1},${b.y1}–${b.x2},${b.y2} has no area (needs xmax > xmin and ymax > ymin)`);
        continue;
      }
      if (b.x1 < -overshoot || b.y1 < -overshoot || b.x2 > W + overshoot || b.y2 > H + overshoot) {
        errors.push(`${b.at}: box ${b.x1},${b.y1}–${b.x2},${b.y2} reaches outside the ${W}×${H} image`);
        continue;
      }
      const x1 = Math.max(0, b.x1),
        y1 = Math.max(0, b.y1),
        x2 = Math.min(W, b.x2),
        y2 = Math.min(H, b.y2);
      labels.push({ cls, cx: (x1 + x2) / 2 / W, cy: (y1 + y2) / 2 / H, w: (x2 - x1) / W, h: (y2 - y1) / H });
    }
    out.push({ image: { name: basename(path), source: path, labels }, path });
  }
  // unique file names in a stable order: sorted by name, then by source path
  out.sort((a, b) => (a.image.name < b.image.name ? -1 : a.image.name > b.image.name ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const stems = new Map<string, number>();
  for (const o of out) {
    const ext = extname(o.image.name),
      stem = basename(o.image.name, ext);
    const n = (stems.get(stem.toLowerCase()) ?? 0) + 1;
    stems.set(stem.toLowerCase(), n);
    if (n > 1) o.image.name = `${stem}-${n}${ext}`;
  }
  if (out.length === 0 && errors.length === 0) errors.push('no images to import');
  return { names, images: out.map((o) => o.image), errors, warnings };
}
