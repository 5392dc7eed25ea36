// γ statistics need 0.01 % of a .weights file: read just the header and the BN `scales` blocks with
// positional reads, after the same header and size checks as readWeightsFile (weights/read.ts).
// A 258 MB yolov4 file costs ~100 small reads instead of one 258 MB read.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Network } from '../cfg/network';
import { headerBytes, layerBlocks } from '../weights/format';
import { checkWeightsSize, readHeader, WeightsError, type DarknetWeights, type LayerWeights } from '../weights/read';

/** A DarknetWeights whose layers carry only `scales` (for the given layers, default every layer with them). */
export function readGammaWeights(path: string, net: Network, layers?: readonly number[]): DarknetWeights {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WeightsError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new WeightsError(`${path}: is a directory`);
    const size = st.size;
    const head = new Uint8Array(Math.min(20, size));
    readSync(fd, head, 0, head.length, 0);
    const header = readHeader(head, path);
    checkWeightsSize(net, header, size, path);
    const want = layers ? new Set(layers) : undefined;
    const out: (LayerWeights | undefined)[] = [];
    let pos = headerBytes(header);
    for (const l of net.layers) {
      const blocks = layerBlocks(l);
      if (blocks.length === 0) {
        out.push(undefined);
        continue;
      }
      const lw: LayerWeights = { layer: l.index, blocks: {} };
      for (const b of blocks) {
        if (b.name === 'scales' && (!want || want.has(l.index))) {
          const data = new Float32Array(b.length);
          const bytes = new Uint8Array(data.buffer);
          if (readSync(fd, bytes, 0, bytes.length, pos) !== bytes.length) throw new WeightsError(`${path}: short read in layer ${l.index}`);
          lw.blocks.scales = data;
        }
        pos += 4 * b.length;
      }
      out.push(lw);
    }
    return { header, layers: out, totalFloats: (pos - headerBytes(header)) / 4 };
  } finally {
    closeSync(fd);
  }
}
