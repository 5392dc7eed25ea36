// DeepForest's four annotated crops as a small detection set: each image (PNG beside its VOC XML) cut
// into non-overlapping tiles, every box kept in the tile holding most of it (clipped to the tile), all
// labels one class. Written as images + an image,xmin,ymin,xmax,ymax,label CSV for `data import csv`.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { encode } from '../../core/src/data/synth';
import { decodeImage } from '../../core/src/nn/image';

export function tileVoc(src: string, out: string, tile: number, label: string): { images: number; boxes: number; csv: string } {
  const rows = ['image_path,xmin,ymin,xmax,ymax,label'];
  let images = 0;
  for (const xml of readdirSync(src)
    .filter((f) => f.endsWith('.xml'))
    .sort()) {
    const text = readFileSync(join(src, xml), 'utf8');
    const png = join(src, `${basename(xml, '.xml')}.png`);
    const im = decodeImage(readFileSync(png), png);
    const boxes = [...text.matchAll(/<bndbox>([\s\S]*?)<\/bndbox>/g)].map((m) =>
      ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => Number(new RegExp(`<${k}>([^<]+)</${k}>`).exec(m[1])![1])),
    );
    const nx = Math.max(1, Math.round(im.width / tile)),
      ny = Math.max(1, Math.round(im.height / tile));
    const tw = Math.floor(im.width / nx),
      th = Math.floor(im.height / ny);
    for (let ty = 0; ty < ny; ty++)
      for (let tx = 0; tx < nx; tx++) {
        const x0 = tx * tw,
          y0 = ty * th;
        const inTile = boxes.filter(([a, b, c, d]) => {
          const cx = (a + c) / 2,
            cy = (b + d) / 2;
          return cx >= x0 && cx < x0 + tw && cy >= y0 && cy < y0 + th;
        });
        if (!inTile.length) continue;
        const rgba = new Uint8Array(tw * th * 4);
        for (let y = 0; y < th; y++)
          rgba.set(im.data.subarray(((y0 + y) * im.width + x0) * 4, ((y0 + y) * im.width + x0 + tw) * 4), y * tw * 4);
        const name = `${basename(xml, '.xml')}_${tx}_${ty}.png`;
        writeFileSync(join(out, name), encode(rgba, tw, th, 'png'));
        images++;
        for (const [a, b, c, d] of inTile) {
          const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
          rows.push(`${name},${clip(a - x0, 0, tw)},${clip(b - y0, 0, th)},${clip(c - x0, 0, tw)},${clip(d - y0, 0, th)},${label}`);
        }
      }
  }
  const csv = join(out, 'boxes.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  return { images, boxes: rows.length - 1, csv };
}
