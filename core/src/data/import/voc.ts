// Pascal VOC: one XML per image (<filename>, <size>, <object><name>, <bndbox> xmin ymin xmax ymax).
// <src> is a folder holding Annotations/*.xml (images in JPEGImages/), or the XML files themselves
// (images beside them, as DeepForest ships them). Coordinates are read as pixel edges, as LabelImg and
// DeepForest write them (darknet's voc_label.py also subtracts 1 from the centre; see
// docs/training-data.md).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { child, children, parseXml, XmlError, type XmlElement } from './xml';
import type { SourceImage, SourceSet } from './source';

function xmlFiles(src: string): string[] {
  if (statSync(src).isFile()) return [src];
  const ann = join(src, 'Annotations');
  const dir = existsSync(ann) && statSync(ann).isDirectory() ? ann : src;
  return readdirSync(dir)
    .filter((f) => /\.xml$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function readVoc(src: string, imagesDir?: string): SourceSet {
  const set: SourceSet = { images: [], errors: [], warnings: [] };
  const files = xmlFiles(src);
  if (files.length === 0) set.errors.push(`${src}: no .xml annotation files (looked in ${join(src, 'Annotations')} and ${src})`);
  const root = statSync(src).isFile() ? dirname(src) : src;
  for (const file of files) {
    let doc: XmlElement;
    try {
      doc = parseXml(readFileSync(file, 'utf8'));
    } catch (e) {
      set.errors.push(e instanceof XmlError ? `${file}:${e.line}: ${e.message}` : `${file}: ${(e as Error).message}`);
      continue;
    }
    const ann = child(doc, 'annotation');
    if (!ann) {
      set.errors.push(`${file}:1: no <annotation> element`);
      continue;
    }
    const fn = child(ann, 'filename');
    const ref = fn?.text.trim();
    if (!ref) {
      set.errors.push(`${file}:${fn?.line ?? ann.line}: no <filename>`);
      continue;
    }
    const image: SourceImage = {
      ref,
      at: `${file}:${fn!.line}`,
      searchDirs: [...(imagesDir ? [imagesDir] : []), join(root, 'JPEGImages'), dirname(file), root],
      boxes: [],
    };
    const size = child(ann, 'size');
    if (size) {
      const w = Number(child(size, 'width')?.text.trim()),
        h = Number(child(size, 'height')?.text.trim());
      if (w > 0 && h > 0) image.declared = { width: w, height: h, at: `${file}:${size.line}` };
    }
    for (const obj of children(ann, 'object')) {
      const name = child(obj, 'name')?.text.trim();
      const bb = child(obj, 'bndbox');
      const at = `${file}:${obj.line}`;
      if (!name) {
        set.errors.push(`${at}: <object> without <name>`);
        continue;
      }
      if (!bb) {
        set.errors.push(`${at}: <object> "${name}" without <bndbox>`);
        continue;
      }
      const v = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => {
        const t = child(bb, k)?.text.trim();
        return t === undefined || t === '' ? NaN : Number(t);
      });
      if (!v.every(Number.isFinite)) {
        set.errors.push(`${file}:${bb.line}: <bndbox> needs numeric xmin, ymin, xmax, ymax`);
        continue;
      }
      image.boxes.push({ label: name, x1: v[0], y1: v[1], x2: v[2], y2: v[3], at: `${file}:${bb.line}` });
    }
    set.images.push(image);
  }
  if (files.length && set.images.length === 0 && set.errors.length === 0) set.errors.push(`${src}: no annotations`);
  return set;
}
