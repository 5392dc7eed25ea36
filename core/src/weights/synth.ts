// The deterministic synthetic-weights generator of the goldens (docs/network.md §Synthetic weights):
// xorshift32, 24-bit uniform floats, conv blocks drawn in file order. Other stored layer types (not
// in the goldens) follow the same scheme: biases/means U(-0.1, 0.1), scales/variances U(0.5, 1.5),
// weights U(-B, B) with B = sqrt(3 / fan_in).

import type { Network } from '../cfg/network';
import { specOf } from '../layers';
import { layerBlocks } from './format';
import type { DarknetWeights, LayerWeights } from './read';

export class XorShift32 {
  constructor(public state: number) {}
  next(): number {
    let s = this.state;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    this.state = s;
    return s;
  }
  /** U(lo, hi) rounded to float32, exactly as the goldens' generator specifies
   * (docs/network.md §Synthetic weights). */
  uniform(lo: number, hi: number): number {
    return Math.fround(lo + (hi - lo) * ((this.next() >>> 8) / 16777216));
  }
  fill(out: Float32Array, lo: number, hi: number): void {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
  }
}

export const WEIGHTS_SEED = 12345;
export const INPUT_SEED = 54321;

export function synthesizeWeights(net: Network, seed = WEIGHTS_SEED): DarknetWeights & { prngState: number } {
  const rng = new XorShift32(seed);
  const layers: (LayerWeights | undefined)[] = [];
  let total = 0;
  for (const l of net.layers) {
    const blocks = layerBlocks(l);
    if (blocks.length === 0) {
      layers.push(undefined);
      continue;
    }
    const lw: LayerWeights = { layer: l.index, blocks: {} };
    for (const b of blocks) {
      const fanIn = specOf(l)?.fanIn?.(l, b) ?? 1;
      const bound = Math.sqrt(3 / fanIn);
      const data = new Float32Array(b.length);
      if (b.name === 'scales' || b.name === 'rolling_variance') rng.fill(data, 0.5, 1.5);
      else if (b.name === 'weights') rng.fill(data, -bound, bound);
      else rng.fill(data, -0.1, 0.1);
      lw.blocks[b.name] = data;
      total += b.length;
    }
    layers.push(lw);
  }
  return { header: { major: 0, minor: 2, revision: 0, seen: 0n }, layers, totalFloats: total, prngState: rng.state };
}

/** The golden input tensor: W·H·C values U(0, 1) in CHW order. */
export function synthesizeInput(width: number, height: number, channels: number, seed = INPUT_SEED): Float32Array {
  const out = new Float32Array(width * height * channels);
  new XorShift32(seed).fill(out, 0, 1);
  return out;
}
