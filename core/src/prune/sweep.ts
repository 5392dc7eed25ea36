// Channel-pruning sweep: the compact model's figures for a range of global percents, and the
// suggested operating point.
//
// Rule for the suggested point: the largest percent at which the threshold empties no layer,
// i.e. thr < min over the population of max |γ| (the reference's `highest_thre` / `percent_limit`,
// pruning.md §C.0). Past it some layer keeps channels only because of the per-layer floor (or the
// arg-max fallback): every channel of that layer was judged unimportant by the same global
// criterion that is cutting the rest of the network, which is where the published sweeps collapse
// (yolov3-spp between 0.89 and 0.91, yolov4 between 0.88 and 0.89, §G.1). When even the first point
// empties a layer, there is no suggestion.

import type { Network } from '../cfg/network';
import { evaluateChannelPrune, type PruneTotals } from './evaluate';
import { PruneError, type PruneMethod } from './plan';
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

export const SUGGESTION_RULE = 'largest percent whose threshold empties no layer (thr < min over layers of max |γ|); beyond it a layer survives only through the per-layer floor';

/** `start:end:step`, inclusive of end, each value the double nearest its decimal (as Python reads it). */
export function parsePercentRange(spec: string): number[] {
  const parts = spec.split(':').map((s) => s.trim());
  if (parts.length !== 3 || parts.some((s) => s === '' || !Number.isFinite(Number(s)))) throw new PruneError(`percent range "${spec}" must be start:end:step, e.g. 0.5:0.95:0.01`);
  const [start, end, step] = parts.map(Number);
  if (step <= 0) throw new PruneError(`percent range step must be > 0, got ${step}`);
  if (start < 0 || end >= 1 || start > end) throw new PruneError(`percent range must satisfy 0 ≤ start ≤ end < 1, got ${start}:${end}`);
  const decimals = Math.max(...parts.map((s) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0)));
  const n = Math.floor((end - start) / step + 1e-9);
  if (n > 10000) throw new PruneError(`percent range has ${n + 1} points; at most 10001`);
  return Array.from({ length: n + 1 }, (_, k) => Number((start + k * step).toFixed(decimals + 2)));
}

export function sweepChannelPrune(net: Network, gammas: (Float32Array | undefined)[], percents: number[], opts: { method?: PruneMethod; layerKeep?: number } = {}, structure?: ChannelStructure, onPoint?: (k: number, p: SweepPoint) => void): SweepResult {
  const points: SweepPoint[] = [];
  let before: PruneTotals | undefined;
  for (const [k, percent] of percents.entries()) {
    const e = evaluateChannelPrune(net, gammas, { globalPercent: percent, layerKeep: opts.layerKeep, method: opts.method }, structure);
    before = e.before;
    const p: SweepPoint = {
      percent, threshold: e.threshold, params: e.totals.params, weightFloats: e.totals.weightFloats, weightsBytes: e.totals.weightsBytes,
      bflops: e.totals.bflops, emptied: e.emptied, floored: e.floored,
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
