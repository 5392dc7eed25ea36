// Channel masks from BN-γ (docs/pruning.md §Threshold, §Masks, §Layer keep): the global threshold
// over a population of layers, per-layer masks, the per-layer minimum and the channel-group merge.
//   slim     (slim_prune.py):     population S1, keep |γ| > thr, at least max(1, ⌊C·layer_keep⌋) per
//                                 layer (largest |γ| first), then OR over each channel group.
//   regular  (prune.py):          population S0, keep |γ| ≥ thr, an emptied layer keeps its arg-max.
//   shortcut (shortcut_prune.py): population S1 minus the non-head members of each group, keep
//                                 |γ| ≥ thr; every member copies its group head's mask (and the
//                                 arg-max fallback is the head's, so members never disagree).

import type { Network } from '../cfg/network';
import { isChannelSource } from '../layers';
import type { DarknetWeights } from '../weights/read';
import type { ChannelStructure } from './structure';
import { thresholdIndex } from './threshold';
import { UserError } from '../errors';

export type PruneMethod = 'slim' | 'shortcut' | 'regular';
export const PRUNE_METHODS: PruneMethod[] = ['slim', 'shortcut', 'regular'];

export class PruneError extends UserError {}

export interface ChannelPlanOptions {
  globalPercent: number;
  /** slim only; default 0.01 as in slim_prune.py. */
  layerKeep?: number;
  method?: PruneMethod;
}

export interface ChannelPlan {
  method: PruneMethod;
  globalPercent: number;
  layerKeep: number;
  /** Layers whose |γ| form the threshold population, and how many γ that is (N). */
  population: number[];
  populationSize: number;
  /** k = int(N·p) and thr = sorted(|γ|)[k]. */
  thresholdIndex: number;
  threshold: number;
  /** Keep mask per layer for the pruned convs (undefined: every channel kept). */
  masks: (Uint8Array | undefined)[];
  /** Population layers the threshold alone would empty. */
  emptied: number[];
  /** Layers whose count was raised by the per-layer minimum (slim) or the arg-max fallback. */
  floored: number[];
}

/** |γ| per BN conv, as float32 (the only part of the weights the planner reads). */
export function absGammas(net: Network, weights: DarknetWeights): (Float32Array | undefined)[] {
  return net.layers.map((l) => {
    const g = isChannelSource(l) && l.attrs.batchNormalize ? weights.layers[l.index]?.blocks.scales : undefined;
    if (!g) return undefined;
    const out = new Float32Array(g.length);
    for (let k = 0; k < g.length; k++) {
      const v = g[k];
      if (!Number.isFinite(v))
        throw new PruneError(`layer ${l.index} (convolutional, line ${l.section.line + 1}): γ of channel ${k} is ${v}`);
      out[k] = Math.abs(v);
    }
    return out;
  });
}

export { thresholdIndex };

export function checkPercent(p: number, name = 'global percent'): void {
  if (!Number.isFinite(p) || p < 0 || p >= 1) throw new PruneError(`${name} must be in [0, 1), got ${p}`);
}

export function populationOf(s: ChannelStructure, method: PruneMethod): number[] {
  if (method === 'regular') return s.prunableNoShortcut;
  if (method === 'slim') return s.prunable;
  const followers = new Set(s.groups.flatMap((g) => g.slice(1)));
  return s.prunable.filter((i) => !followers.has(i));
}

export function sortedPopulation(population: number[], gammas: (Float32Array | undefined)[]): Float32Array {
  let n = 0;
  for (const i of population) n += gammas[i]!.length;
  const all = new Float32Array(n);
  let pos = 0;
  for (const i of population) {
    all.set(gammas[i]!, pos);
    pos += gammas[i]!.length;
  }
  return all.sort();
}

function topK(g: Float32Array, k: number, mask: Uint8Array): void {
  const idx = Array.from(g.keys()).sort((a, b) => g[b] - g[a] || a - b);
  for (let j = 0; j < k; j++) mask[idx[j]] = 1;
}

function argmaxMask(g: Float32Array): Uint8Array {
  let max = -Infinity;
  for (const v of g) if (v > max) max = v;
  return Uint8Array.from(g, (v) => (v >= max ? 1 : 0));
}

const popcount = (m: Uint8Array) => {
  let c = 0;
  for (const v of m) c += v;
  return c;
};

/** Plan the masks; `sorted` is the ascending |γ| of the method's population (computed when omitted). */
export function planChannelPrune(
  s: ChannelStructure,
  gammas: (Float32Array | undefined)[],
  opts: ChannelPlanOptions,
  sorted?: Float32Array,
): ChannelPlan {
  const method = opts.method ?? 'slim';
  if (!PRUNE_METHODS.includes(method)) throw new PruneError(`unknown method "${method}" (slim, shortcut or regular)`);
  const p = opts.globalPercent;
  checkPercent(p);
  const layerKeep = opts.layerKeep ?? 0.01;
  if (!Number.isFinite(layerKeep) || layerKeep < 0 || layerKeep > 1) throw new PruneError(`layer keep must be in [0, 1], got ${layerKeep}`);
  const population = populationOf(s, method);
  for (const i of population) if (!gammas[i]) throw new PruneError(`layer ${i}: no γ in the weights`);
  sorted ??= sortedPopulation(population, gammas);
  if (sorted.length === 0)
    throw new PruneError('no prunable layer: nothing to prune (see the excluded layers with `darknet-pruner prune channel --json`)');
  const k = thresholdIndex(sorted.length, p);
  const thr = sorted[k];
  const masks: (Uint8Array | undefined)[] = new Array(s.net.layers.length).fill(undefined);
  const emptied: number[] = [],
    floored: number[] = [];

  if (method === 'slim') {
    for (const i of population) {
      const g = gammas[i]!;
      const mask = Uint8Array.from(g, (v) => (v > thr ? 1 : 0));
      const kept = popcount(mask);
      const kmin = Math.max(1, Math.trunc(g.length * layerKeep));
      if (kept === 0) emptied.push(i);
      if (kept < kmin) {
        floored.push(i);
        topK(g, kmin, mask);
      }
      masks[i] = mask;
    }
    for (const group of s.groups) {
      const union = new Uint8Array(masks[group[0]]!.length);
      for (const m of group)
        masks[m]!.forEach((v, c) => {
          union[c] |= v;
        });
      for (const m of group) masks[m] = union.slice();
    }
  } else {
    for (const i of population) {
      const g = gammas[i]!;
      let mask: Uint8Array = Uint8Array.from(g, (v) => (v >= thr ? 1 : 0));
      if (popcount(mask) === 0) {
        emptied.push(i);
        floored.push(i);
        mask = argmaxMask(g);
      }
      masks[i] = mask;
    }
    if (method === 'shortcut') for (const group of s.groups) for (const m of group.slice(1)) masks[m] = masks[group[0]]!.slice();
  }
  return {
    method,
    globalPercent: p,
    layerKeep,
    population,
    populationSize: sorted.length,
    thresholdIndex: k,
    threshold: thr,
    masks,
    emptied,
    floored,
  };
}

/** Keep mask of every layer's output channels (a channel is kept when the conv channel it comes from is). */
export function outputMasks(s: ChannelStructure, masks: (Uint8Array | undefined)[]): Uint8Array[] {
  return s.originLayer.map((origins, i) => {
    const ch = s.originChannel[i];
    const out = new Uint8Array(origins.length);
    for (let k = 0; k < origins.length; k++) {
      const m = origins[k] >= 0 ? masks[origins[k]] : undefined;
      out[k] = m ? m[ch[k]] : 1;
    }
    return out;
  });
}

export { popcount };
