// COCO detection JSON: images[] (id, file_name, width, height), annotations[] (image_id,
// category_id, bbox [x, y, w, h] in pixels, iscrowd), categories[] (id, name). Crowd regions are
// skipped (they mark many objects at once). Images without annotations become background images.
// Images are looked for in --images, else beside the JSON, else in its images/ folder.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceImage, SourceSet } from './source';

interface CocoImage {
  id?: unknown;
  file_name?: unknown;
  width?: unknown;
  height?: unknown;
}
interface CocoAnnotation {
  image_id?: unknown;
  category_id?: unknown;
  bbox?: unknown;
  iscrowd?: unknown;
}
interface CocoCategory {
  id?: unknown;
  name?: unknown;
}

/** Line of the n-th match of a key in the JSON text, for messages (best effort). */
function lineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0,
      hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

export function readCoco(src: string, imagesDir?: string): SourceSet {
  const set: SourceSet = { images: [], errors: [], warnings: [] };
  const text = readFileSync(src, 'utf8');
  let json: { images?: CocoImage[]; annotations?: CocoAnnotation[]; categories?: CocoCategory[] };
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    set.errors.push(`${src}${pos ? `:${lineIndex(text)(Number(pos))}` : ''}: not JSON: ${(e as Error).message}`);
    return set;
  }
  if (!Array.isArray(json.images) || !Array.isArray(json.annotations) || !Array.isArray(json.categories)) {
    set.errors.push(`${src}: not a COCO detection file (needs images, annotations and categories arrays)`);
    return set;
  }
  const cats = new Map<unknown, string>();
  json.categories.forEach((c, i) => {
    if (typeof c.name !== 'string' || c.id === undefined) set.errors.push(`${src}: categories[${i}]: needs id and name`);
    else cats.set(c.id, c.name);
  });
  set.classOrder = [...json.categories]
    .filter((c) => typeof c.name === 'string')
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((c) => c.name as string);
  const dirs = [...(imagesDir ? [imagesDir] : []), dirname(src), join(dirname(src), 'images')];
  const byId = new Map<unknown, SourceImage>();
  json.images.forEach((im, i) => {
    const at = `${src}: images[${i}]`;
    if (typeof im.file_name !== 'string' || !im.file_name) {
      set.errors.push(`${at}: no file_name`);
      return;
    }
    if (byId.has(im.id)) {
      set.errors.push(`${at}: id ${String(im.id)} is used by an earlier image`);
      return;
    }
    const image: SourceImage = { ref: im.file_name, at, searchDirs: dirs, boxes: [] };
    const w = Number(im.width),
      h = Number(im.height);
    if (w > 0 && h > 0) image.declared = { width: w, height: h, at };
    byId.set(im.id, image);
    set.images.push(image);
  });
  let crowd = 0;
  json.annotations.forEach((a, i) => {
    const at = `${src}: annotations[${i}]`;
    if (a.iscrowd === 1 || a.iscrowd === true) {
      crowd++;
      return;
    }
    const image = byId.get(a.image_id);
    if (!image) {
      set.errors.push(`${at}: image_id ${String(a.image_id)} is not in images`);
      return;
    }
    const label = cats.get(a.category_id);
    if (label === undefined) {
      set.errors.push(`${at}: category_id ${String(a.category_id)} is not in categories`);
      return;
    }
    const b = a.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      set.errors.push(`${at}: bbox must be [x, y, width, height], got ${JSON.stringify(b)}`);
      return;
    }
    image.boxes.push({ label, x1: b[0], y1: b[1], x2: b[0] + b[2], y2: b[1] + b[3], at });
  });
  if (crowd) set.warnings.push(`${src}: ${crowd} crowd annotation(s) (iscrowd=1) skipped`);
  return set;
}
