// Fast what-if for channel pruning: the figures of the compact model (params, .weights bytes,
// BFLOPs, per-layer filters) computed from the masks with darknet's formulas, without writing or
// re-analysing a cfg. Cached per network so a webview slider can call it on every move.

import type { Network, Totals } from '../cfg/network';
import { isChannelSource, specOf } from '../layers';
import { headerBytes, type WeightsHeader } from '../weights/format';
import {
  outputMasks,
  planChannelPrune,
  popcount,
  populationOf,
  sortedPopulation,
  type ChannelPlan,
  type ChannelPlanOptions,
  type PruneMethod,
} from './plan';
import { analyseChannelStructure, type ChannelStructure } from './structure';

const f32 = Math.fround;

export interface PruneTotals extends Totals {
  weightsBytes: number;
}

/** Totals of the network once every layer's output keeps only `keep[i]` channels. */
export function prunedTotals(
  net: Network,
  keep: Uint8Array[],
  header: Pick<WeightsHeader, 'major' | 'minor'> = { major: 0, minor: 2 },
): PruneTotals {
  const t: PruneTotals = { layers: net.layers.length, params: 0, weightFloats: 0, bflops: 0, weightsBytes: 0 };
  const counts = keep.map(popcount);
  for (const l of net.layers) {
    let params = l.params,
      floats = l.weightFloats,
      bflops = l.bflops;
    const cin = l.index > 0 ? counts[l.index - 1] : net.net.channels;
    const r = l.output ? specOf(l)?.prune.recount?.(l, cin, counts[l.index]) : undefined;
    if (r) {
      params = r.params ?? params;
      floats = r.weightFloats ?? floats;
      bflops = r.bflops ?? bflops;
    }
    t.params += params;
    t.weightFloats += floats;
    if (bflops > 0) t.bflops = f32(t.bflops + bflops);
  }
  t.weightsBytes = headerBytes(header) + 4 * t.weightFloats;
  return t;
}

export interface ChannelPruneEvaluation {
  method: PruneMethod;
  globalPercent: number;
  layerKeep: number;
  threshold: number;
  thresholdIndex: number;
  populationSize: number;
  /** Output channels kept per layer (every layer, in index order). */
  keptPerLayer: number[];
  /** Filters before → after for the convs that lose channels. */
  changed: { layer: number; before: number; after: number }[];
  totals: PruneTotals;
  before: PruneTotals;
  emptied: number[];
  floored: number[];
  plan: ChannelPlan;
  keep: Uint8Array[];
}

interface Prepared {
  gammas: (Float32Array | undefined)[];
  structure: ChannelStructure;
  sorted: Map<PruneMethod, Float32Array>;
  before: PruneTotals;
}
const cache = new WeakMap<Network, Prepared>();

function prepare(net: Network, gammas: (Float32Array | undefined)[], structure?: ChannelStructure): Prepared {
  let p = cache.get(net);
  if (!p || p.gammas !== gammas) {
    const s = structure ?? p?.structure ?? analyseChannelStructure(net);
    const all = net.layers.map((l) => new Uint8Array(l.output?.[2] ?? 0).fill(1));
    p = { gammas, structure: s, sorted: new Map(), before: prunedTotals(net, all) };
    cache.set(net, p);
  }
  return p;
}

export function evaluateChannelPrune(
  net: Network,
  gammas: (Float32Array | undefined)[],
  opts: ChannelPlanOptions,
  structure?: ChannelStructure,
): ChannelPruneEvaluation {
  const p = prepare(net, gammas, structure);
  const method = opts.method ?? 'slim';
  let sorted = p.sorted.get(method);
  if (!sorted) {
    sorted = sortedPopulation(populationOf(p.structure, method), gammas);
    p.sorted.set(method, sorted);
  }
  const plan = planChannelPrune(p.structure, gammas, opts, sorted);
  const keep = outputMasks(p.structure, plan.masks);
  const keptPerLayer = keep.map(popcount);
  const changed = net.layers
    .filter((l) => isChannelSource(l) && keptPerLayer[l.index] !== l.attrs.filters)
    .map((l) => ({ layer: l.index, before: l.attrs.filters!, after: keptPerLayer[l.index] }));
  return {
    method: plan.method,
    globalPercent: plan.globalPercent,
    layerKeep: plan.layerKeep,
    threshold: plan.threshold,
    thresholdIndex: plan.thresholdIndex,
    populationSize: plan.populationSize,
    keptPerLayer,
    changed,
    totals: prunedTotals(net, keep),
    before: p.before,
    emptied: plan.emptied,
    floored: plan.floored,
    plan,
    keep,
  };
}
