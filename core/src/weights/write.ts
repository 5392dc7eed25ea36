// Serialise Darknet .weights (always the 0.2 layout: 20-byte header with a 64-bit `seen`).

import type { Network } from '../cfg/network';
import { describeLayer, layerBlocks, type WeightsHeader } from './format';
import { WeightsError, type DarknetWeights } from './read';

export const DEFAULT_HEADER: WeightsHeader = { major: 0, minor: 2, revision: 5, seen: 0n };

export function serializeWeights(net: Network, w: DarknetWeights, header: WeightsHeader = w.header): Uint8Array {
  const long = header.major * 10 + header.minor >= 2;
  const hb = long ? 20 : 16;
  const out = new Uint8Array(hb + 4 * net.totals.weightFloats);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, header.major, true);
  dv.setInt32(4, header.minor, true);
  dv.setInt32(8, header.revision, true);
  if (long) dv.setBigUint64(12, header.seen, true);
  else dv.setUint32(12, Number(header.seen), true);
  const floats = new Float32Array(out.buffer, hb);
  let pos = 0;
  for (const l of net.layers) {
    for (const b of layerBlocks(l)) {
      const data = w.layers[l.index]?.blocks[b.name];
      if (!data || data.length !== b.length) {
        throw new WeightsError(`${describeLayer(l)}: ${b.name} has ${data?.length ?? 0} values, the cfg needs ${b.length}`);
      }
      floats.set(data, pos);
      pos += b.length;
    }
  }
  return out;
}
