// CSV boxes, one per row: `image,xmin,ymin,xmax,ymax,label` (pixel edges). A header row, when present,
// may name the columns in any order (`image` or `image_path` or `filename`, …). A row with the image
// and nothing else (or empty coordinates) lists a background image. Quoted fields as in RFC 4180.

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SourceImage, SourceSet } from './source';

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '',
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

const COLUMN: Record<string, string> = {
  image: 'image',
  image_path: 'image',
  filename: 'image',
  file: 'image',
  path: 'image',
  image_id: 'image',
  xmin: 'xmin',
  x1: 'xmin',
  ymin: 'ymin',
  y1: 'ymin',
  xmax: 'xmax',
  x2: 'xmax',
  ymax: 'ymax',
  y2: 'ymax',
  label: 'label',
  class: 'label',
  class_name: 'label',
  name: 'label',
};

export function readCsv(src: string, imagesDir?: string): SourceSet {
  const set: SourceSet = { images: [], errors: [], warnings: [] };
  const lines = readFileSync(src, 'utf8').split(/\r?\n/);
  const byRef = new Map<string, SourceImage>();
  let cols: Record<string, number> = { image: 0, xmin: 1, ymin: 2, xmax: 3, ymax: 4, label: 5 };
  let first = true;
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    const f = splitCsvLine(raw);
    const at = `${src}:${i + 1}`;
    if (first) {
      first = false;
      const named = f.map((h) => COLUMN[h.toLowerCase()]);
      if (named.some((n) => n !== undefined) && !f.slice(1, 5).every((x) => x !== '' && Number.isFinite(Number(x)))) {
        const missing = ['image', 'xmin', 'ymin', 'xmax', 'ymax', 'label'].filter((c) => !named.includes(c));
        if (missing.length) {
          set.errors.push(`${at}: header has no ${missing.join(', ')} column (expected image,xmin,ymin,xmax,ymax,label)`);
          return;
        }
        cols = Object.fromEntries(
          named
            .map((n, j) => [n, j])
            .filter(([n]) => n !== undefined)
            .reverse(),
        );
        return;
      }
    }
    const ref = f[cols.image] ?? '';
    if (!ref) {
      set.errors.push(`${at}: no image name`);
      return;
    }
    let image = byRef.get(ref);
    if (!image) {
      image = { ref, at, searchDirs: [...(imagesDir ? [imagesDir] : []), dirname(src)], boxes: [] };
      byRef.set(ref, image);
      set.images.push(image);
    }
    const coords = ['xmin', 'ymin', 'xmax', 'ymax'].map((c) => f[cols[c]] ?? '');
    const label = f[cols.label] ?? '';
    if (coords.every((c) => c === '') && !label) return; // background image
    const v = coords.map((c) => (c === '' ? NaN : Number(c)));
    if (!v.every(Number.isFinite)) {
      set.errors.push(`${at}: xmin,ymin,xmax,ymax "${coords.join(',')}" are not four numbers`);
      return;
    }
    if (!label) {
      set.errors.push(`${at}: no label`);
      return;
    }
    image.boxes.push({ label, x1: v[0], y1: v[1], x2: v[2], y2: v[3], at });
  });
  if (set.images.length === 0 && set.errors.length === 0) set.errors.push(`${src}: no rows`);
  return set;
}
