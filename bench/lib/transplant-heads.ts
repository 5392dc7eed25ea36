// Trained weights for a cfg whose [yolo] heads have fewer classes (as darknet's partial load, but
// keeping what the heads learnt): every layer is copied, except that each head's conv keeps, per
// anchor, its x, y, w, h and objectness rows and the first class's row. The COCO yolov3-tiny → a
// one-class dataset starts from boxes and objectness already trained.

import { readFileSync, writeFileSync } from 'node:fs';
import { analyseText } from '../../core/src/cfg/analyse';
import { parseWeights, type DarknetWeights } from '../../core/src/weights/read';
import { serializeWeights } from '../../core/src/weights/write';

export function transplantHeads(fromCfg: string, fromWeights: string, toCfg: string, out: string): void {
  const src = analyseText(readFileSync(fromCfg, 'utf8'));
  const dst = analyseText(readFileSync(toCfg, 'utf8'));
  if (src.layers.length !== dst.layers.length)
    throw new Error(`${toCfg}: ${dst.layers.length} layers, ${fromCfg} has ${src.layers.length}`);
  const w = parseWeights(readFileSync(fromWeights), src, fromWeights);
  const layers: DarknetWeights['layers'] = w.layers.map((lw, i) => {
    const head = dst.layers[i + 1];
    if (!lw || head?.type !== 'yolo') return lw;
    const n = head.attrs.mask!.length;
    const from = src.layers[i + 1].attrs.classes! + 5;
    const to = head.attrs.classes! + 5;
    const rows = Array.from({ length: n * to }, (_, r) => Math.floor(r / to) * from + Math.min(r % to, from - 1));
    const biases = lw.blocks.biases!,
      weights = lw.blocks.weights!;
    const k = weights.length / biases.length;
    const nb = new Float32Array(rows.length),
      nw = new Float32Array(rows.length * k);
    rows.forEach((r, i) => {
      nb[i] = biases[r];
      nw.set(weights.subarray(r * k, (r + 1) * k), i * k);
    });
    return { layer: i, blocks: { biases: nb, weights: nw } };
  });
  const total = layers.reduce((s, l) => s + Object.values(l?.blocks ?? {}).reduce((t, b) => t + b.length, 0), 0);
  writeFileSync(out, serializeWeights(dst, { header: w.header, layers, totalFloats: total }));
}
