// Read Darknet .weights against an analysed cfg. The payload is viewed in place (no per-layer copies):
// reading a 250 MB file costs the one buffer the file is read into.

import { readFileSync } from 'node:fs';
import type { Network } from '../cfg/network';
import { describeLayer, headerBytes, layerBlocks, type Block, type WeightsHeader } from './format';
import { UserError } from '../errors';

export class WeightsError extends UserError {}

export interface LayerWeights {
  layer: number;
  /** Views into the file's payload, keyed by block name. */
  blocks: Partial<Record<Block['name'], Float32Array>>;
}

export interface DarknetWeights {
  header: WeightsHeader;
  /** Indexed by layer; undefined for layers that store nothing. */
  layers: (LayerWeights | undefined)[];
  totalFloats: number;
}

export function readHeader(buf: Uint8Array, file = 'weights'): WeightsHeader {
  if (buf.byteLength < 16)
    throw new WeightsError(`${file}: ${buf.byteLength} bytes is too short for a Darknet .weights header (16 or 20 bytes)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const major = dv.getInt32(0, true),
    minor = dv.getInt32(4, true),
    revision = dv.getInt32(8, true);
  if (major < 0 || minor < 0 || revision < 0 || (major > 1000 && minor > 1000 && major > 1e6)) {
    const text = buf.subarray(0, 12).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
    throw new WeightsError(
      `${file}: not a Darknet .weights file (${text ? 'it starts with text: a cfg? did you swap cfg and weights?' : `header version ${major}.${minor}.${revision}`})`,
    );
  }
  const long = headerBytes({ major, minor }) === 20;
  if (long && buf.byteLength < 20)
    throw new WeightsError(`${file}: version ${major}.${minor} needs a 20-byte header, file has ${buf.byteLength} bytes`);
  const seen = long ? dv.getBigUint64(12, true) : BigInt(dv.getUint32(12, true));
  return { major, minor, revision, seen };
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Check that a file of `bytes` bytes holds exactly what the cfg needs; throws a located error otherwise. */
export function checkWeightsSize(net: Network, header: WeightsHeader, bytes: number, file = 'weights'): void {
  const hb = headerBytes(header);
  const payload = bytes - hb;
  const need = net.totals.weightFloats;
  if (payload % 4 !== 0) throw new WeightsError(`${file}: payload of ${fmt(payload)} bytes is not a whole number of float32 values`);
  const have = payload / 4;
  if (have === need) return;
  const unknown = net.layers.find((l) => !l.output && l.spec && !l.spec.unsupported);
  if (unknown) throw new WeightsError(`${file}: cannot check sizes: the shape of layer ${unknown.index} (${unknown.type}) is unknown`);
  if (have > need)
    throw new WeightsError(
      `${file}: holds ${fmt(have)} floats, the cfg needs ${fmt(need)}: ${fmt(have - need)} extra floats (${fmt((have - need) * 4)} bytes) — wrong cfg for these weights?`,
    );
  let pos = 0;
  for (const l of net.layers) {
    if (l.weightFloats === 0) continue;
    if (pos + l.weightFloats > have) {
      throw new WeightsError(`${file}: weights end inside ${describeLayer(l)}: file holds ${fmt(have)} floats, cfg needs ${fmt(need)}`);
    }
    pos += l.weightFloats;
  }
}

/** Interpret `buf` (the whole file) against the analysed cfg. */
export function parseWeights(buf: Uint8Array, net: Network, file = 'weights'): DarknetWeights {
  const header = readHeader(buf, file);
  checkWeightsSize(net, header, buf.byteLength, file);
  const hb = headerBytes(header);
  let floats: Float32Array;
  if ((buf.byteOffset + hb) % 4 === 0) floats = new Float32Array(buf.buffer, buf.byteOffset + hb, (buf.byteLength - hb) / 4);
  else floats = new Float32Array(buf.slice(hb).buffer); // unaligned source: one copy
  const layers: (LayerWeights | undefined)[] = [];
  let pos = 0;
  for (const l of net.layers) {
    const blocks = layerBlocks(l);
    if (blocks.length === 0) {
      layers.push(undefined);
      continue;
    }
    const lw: LayerWeights = { layer: l.index, blocks: {} };
    for (const b of blocks) {
      lw.blocks[b.name] = floats.subarray(pos, pos + b.length);
      pos += b.length;
    }
    layers.push(lw);
  }
  return { header, layers, totalFloats: pos };
}

export function readWeightsFile(path: string, net: Network): DarknetWeights {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WeightsError(`${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseWeights(buf, net, path);
}
