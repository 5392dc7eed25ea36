// The plan search of `prune plan` (docs/pruning.md §Pruning to a latency target): every slim channel
// plan on a grid of global percents × layer_keep values, each followed by cutting the n = 0…N
// lowest-scoring residual units, is priced by a latency model; the plan that meets the target
// keeping the most BN-γ mass wins. The feasible set only grows with the target, so the best γ mass
// is non-decreasing in it (a sweep of targets gives a monotone curve).

import type { Network } from '../cfg/network';
import { evaluateChannelPrune } from '../prune/evaluate';
import { selectUnits, type ResidualUnit } from '../prune/layer';
import type { ChannelStructure } from '../prune/structure';
import { featureBflops, layerFeatures, shapeFromKept, type LatencyModel } from './latency-model';

export interface PlanParameters {
  globalPercent: number;
  layerKeep: number;
  cutUnits: number;
}

export interface PlanCandidate extends PlanParameters {
  /** The cut units' shortcut layers (original indices). */
  cutShortcuts: number[];
  keptPerLayer: number[];
  removed: Set<number>;
  features: Float64Array;
  /** Σ kept |γ| / Σ |γ| over every BN conv of the original network. */
  gammaMass: number;
  bflops: number;
  predictedMs: number;
}

export interface SearchSpace {
  percents: number[];
  layerKeeps: number[];
  /** Largest number of residual units to cut (0: channel pruning only). */
  maxCut: number;
}

export interface SearchInput {
  net: Network;
  gammas: (Float32Array | undefined)[];
  structure: ChannelStructure;
  units: ResidualUnit[];
}

export const DEFAULT_LAYER_KEEPS = [0.01, 0.1, 0.25, 0.5];

/** 0, 0.01, …, 0.99. */
export const DEFAULT_PERCENTS = Array.from({ length: 100 }, (_, k) => k / 100);

const sum = (g: Float32Array, mask?: Uint8Array) => {
  let s = 0;
  for (let c = 0; c < g.length; c++) if (!mask || mask[c]) s += g[c];
  return s;
};

/**
 * Every candidate of the space, priced by `model`. Channel plans are computed once per
 * (percent, layer_keep); units are then cut in the order `prune layer` cuts them (lowest mean kept
 * |γ| of the conv before the shortcut first).
 */
export function enumerateCandidates(input: SearchInput, space: SearchSpace, model: LatencyModel): PlanCandidate[] {
  const { net, gammas, structure } = input;
  let total = 0;
  for (const g of gammas) if (g) total += sum(g);
  const out: PlanCandidate[] = [];
  for (const layerKeep of space.layerKeeps) {
    for (const globalPercent of space.percents) {
      const e = evaluateChannelPrune(net, gammas, { globalPercent, layerKeep, method: 'slim' }, structure);
      const masks = e.plan.masks;
      const keptMass = gammas.map((g, i) => (g ? sum(g, masks[i]) : 0));
      let mass = keptMass.reduce((s, v) => s + v, 0);
      // the unit scores `prune layer` would see on the channel-pruned weights: mean kept |γ|
      const scored = input.units.map((u) => {
        const g = gammas[u.conv],
          m = masks[u.conv];
        const n = m ? m.reduce((s, v) => s + v, 0) : (g?.length ?? 1);
        return { ...u, score: Math.fround((g ? sum(g, m) : 0) / Math.max(1, n)) };
      });
      const order = selectUnits(scored, Math.min(space.maxCut, scored.length));
      const removed = new Set<number>();
      for (let n = 0; n <= order.length; n++) {
        if (n > 0)
          for (const k of order[n - 1].layers) {
            removed.add(k);
            mass -= keptMass[k];
          }
        const features = layerFeatures(net, shapeFromKept(net, e.keptPerLayer, removed));
        out.push({
          globalPercent,
          layerKeep,
          cutUnits: n,
          cutShortcuts: order.slice(0, n).map((u) => u.shortcut),
          keptPerLayer: e.keptPerLayer,
          removed: new Set(removed),
          features,
          gammaMass: total > 0 ? Math.max(0, mass) / total : 1,
          bflops: featureBflops(net, features),
          predictedMs: model.predict(features),
        });
      }
    }
  }
  return out;
}

const better = (a: PlanCandidate, b: PlanCandidate) =>
  a.gammaMass - b.gammaMass ||
  b.predictedMs - a.predictedMs ||
  b.globalPercent - a.globalPercent ||
  b.cutUnits - a.cutUnits ||
  a.layerKeep - b.layerKeep;

/** Feasible candidates (predicted ≤ target), best first: most γ mass, then fastest. */
export function rankFeasible(candidates: PlanCandidate[], targetMs: number): PlanCandidate[] {
  return candidates.filter((c) => c.predictedMs <= targetMs).sort((a, b) => better(b, a));
}

/** The best candidate for a target, or, when none is predicted to meet it, the fastest (met: false). */
export function choosePlan(candidates: PlanCandidate[], targetMs: number): { plan: PlanCandidate; met: boolean } {
  const ranked = rankFeasible(candidates, targetMs);
  if (ranked.length) return { plan: ranked[0], met: true };
  const fastest = candidates.reduce((m, c) =>
    c.predictedMs < m.predictedMs || (c.predictedMs === m.predictedMs && better(c, m) > 0) ? c : m,
  );
  return { plan: fastest, met: false };
}

/** The best plan per target (targets in any order), for a latency / γ-mass curve. */
export function targetCurve(candidates: PlanCandidate[], targetsMs: number[]): { targetMs: number; plan: PlanCandidate; met: boolean }[] {
  return targetsMs.map((t) => ({ targetMs: t, ...choosePlan(candidates, t) }));
}

export const sameParameters = (a: PlanParameters, b: PlanParameters) =>
  a.globalPercent === b.globalPercent && a.layerKeep === b.layerKeep && a.cutUnits === b.cutUnits;
