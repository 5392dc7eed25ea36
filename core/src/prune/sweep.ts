// Channel-pruning sweep: the compact model's figures for a range of global percents, and the
// suggested operating point.
//
// Rule for the suggested point: the largest percent at which the threshold empties no layer, i.e. thr
// < min over the population of max |γ| (the reference's `highest_thre` / `percent_limit`,
// docs/pruning.md §Threshold, §Sweep). Past it some layer keeps channels only because of the
// per-layer floor (or the arg-max fallback): every channel of that layer was judged unimportant by
// the same global criterion that is cutting the rest of the network, which is where the published
// sweeps collapse (yolov3-spp between 0.89 and 0.91, yolov4 between 0.88 and 0.89, docs/pruning.md
// §Published results). When even the first point empties a layer, there is no suggestion.

import type { Network } from '../cfg/network';
import { evaluateChannelPrune, type PruneTotals } from './evaluate';
import type { PruneMethod } from './plan';
import type { ChannelStructure } from './structure';

export interface SweepPoint {
  percent: number;
  threshold: number;
  params: number;
  weightFloats: number;
  weightsBytes: number;
  bflops: number;
  emptied: number[];
  floored: number[];
  /** Filled in by an evaluator when one is available. */
  precision?: number;
  recall?: number;
  map50?: number;
}

export interface SweepResult {
  method: PruneMethod;
  layerKeep: number;
  before: PruneTotals;
  points: SweepPoint[];
  suggested: { percent: number; index: number } | null;
  rule: string;
}

export const SUGGESTION_RULE =
  'largest percent whose threshold empties no layer (thr < min over layers of max |γ|); beyond it a layer survives only through the per-layer floor';

export function sweepChannelPrune(
  net: Network,
  gammas: (Float32Array | undefined)[],
  percents: number[],
  opts: { method?: PruneMethod; layerKeep?: number } = {},
  structure?: ChannelStructure,
  onPoint?: (k: number, p: SweepPoint) => void,
): SweepResult {
  const points: SweepPoint[] = [];
  let before: PruneTotals | undefined;
  for (const [k, percent] of percents.entries()) {
    const e = evaluateChannelPrune(net, gammas, { globalPercent: percent, layerKeep: opts.layerKeep, method: opts.method }, structure);
    before = e.before;
    const p: SweepPoint = {
      percent,
      threshold: e.threshold,
      params: e.totals.params,
      weightFloats: e.totals.weightFloats,
      weightsBytes: e.totals.weightsBytes,
      bflops: e.totals.bflops,
      emptied: e.emptied,
      floored: e.floored,
    };
    points.push(p);
    onPoint?.(k, p);
  }
  let suggested: SweepResult['suggested'] = null;
  for (const [index, p] of points.entries()) {
    if (p.emptied.length > 0) break;
    suggested = { percent: p.percent, index };
  }
  return { method: opts.method ?? 'slim', layerKeep: opts.layerKeep ?? 0.01, before: before!, points, suggested, rule: SUGGESTION_RULE };
}
