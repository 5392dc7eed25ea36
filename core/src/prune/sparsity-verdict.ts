// Do these γ look sparsity-trained, and does a global percent cut channels whose γ are not near zero?
// (docs/pruning.md §Sparsity verdict). Pure and free of imports but the threshold index, so the γ
// histogram webview bundles this one implementation.

import { countBelow, thresholdIndex } from './threshold';

/** The γ scale is this quantile of |γ|: robust to a few outliers, and to a pile at zero below 99%. */
export const SCALE_QUANTILE = 0.99;
/** |γ| under this fraction of the γ scale counts as near zero. */
export const NEAR_ZERO_OF_SCALE = 0.01;
/** Share of near-zero |γ| from which the weights look sparsity-trained. */
export const SPARSE_SHARE = 0.1;

export interface PruneVerdict {
  percent: number;
  threshold: number;
  /** threshold / γ scale. */
  thresholdToScale: number | null;
  /** Channels the percent prunes (slim: |γ| ≤ threshold; shortcut and regular: |γ| < threshold). */
  cut: number;
  /** Of those, channels with |γ| ≥ the near-zero bound, and their share of the population. */
  cutNotNearZero: number;
  cutNotNearZeroShare: number;
  /** Largest |γ| cut. */
  largestCut: number | null;
}

export interface SparsityVerdict {
  channels: number;
  /** The γ scale: the 99th percentile of |γ|. */
  scale: number;
  median: number;
  nearZeroBound: number;
  nearZero: number;
  nearZeroShare: number;
  sparsityTrained: boolean;
  prune?: PruneVerdict;
}

const quantile = (sorted: ArrayLike<number>, q: number) => sorted[Math.floor(q * (sorted.length - 1))];

/**
 * The verdict on an ascending |γ| population (the prune method's set, see core/src/prune/plan.ts's
 * sortedPopulation). With a percent: what its threshold cuts, slim's `>` (keep) rule unless
 * `slimRule` is false (shortcut and regular keep |γ| ≥ threshold).
 */
export function sparsityVerdict(sorted: ArrayLike<number>, percent?: number, slimRule = true): SparsityVerdict {
  const n = sorted.length;
  if (n === 0) throw new RangeError('the γ population is empty');
  const scale = quantile(sorted, SCALE_QUANTILE);
  const nearZeroBound = NEAR_ZERO_OF_SCALE * scale;
  // all-zero γ: everything is near zero
  const nearZero = scale > 0 ? countBelow(sorted, nearZeroBound) : n;
  const v: SparsityVerdict = {
    channels: n,
    scale,
    median: quantile(sorted, 0.5),
    nearZeroBound,
    nearZero,
    nearZeroShare: nearZero / n,
    sparsityTrained: nearZero / n >= SPARSE_SHARE,
  };
  if (percent === undefined) return v;
  const threshold = sorted[thresholdIndex(n, percent)];
  const cut = countBelow(sorted, threshold, slimRule);
  const cutNotNearZero = Math.max(0, cut - nearZero);
  v.prune = {
    percent,
    threshold,
    thresholdToScale: scale > 0 ? threshold / scale : null,
    cut,
    cutNotNearZero,
    cutNotNearZeroShare: cutNotNearZero / n,
    largestCut: cut > 0 ? sorted[cut - 1] : null,
  };
  return v;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3));

/** One line: the verdict and the numbers it rests on. */
export function verdictText(v: SparsityVerdict): string {
  return `${v.sparsityTrained ? 'looks sparsity-trained' : 'does not look sparsity-trained'}: ${pct(v.nearZeroShare)} of ${v.channels} |γ| are near zero (< ${num(v.nearZeroBound)}, 1% of the γ scale ${num(v.scale)} = the 99th percentile of |γ|; median ${num(v.median)}; sparsity-trained from ${pct(SPARSE_SHARE)})`;
}

/** The warning before pruning, or undefined when every channel the percent cuts has a near-zero γ. */
export function pruneWarning(v: SparsityVerdict): string | undefined {
  const p = v.prune;
  if (!p || p.cutNotNearZero === 0) return undefined;
  const ratio = p.thresholdToScale !== null ? ` = ${p.thresholdToScale.toPrecision(3)}× the γ scale ${num(v.scale)}` : '';
  return `global percent ${p.percent} cuts ${p.cutNotNearZero} channel(s) (${pct(p.cutNotNearZeroShare)} of ${v.channels}) whose |γ| are not near zero: threshold ${num(p.threshold)}${ratio}, near zero is < ${num(v.nearZeroBound)}; only ${pct(v.nearZeroShare)} of |γ| are near zero, so percents from ${v.nearZeroShare.toFixed(3)} on remove live channels and mAP may collapse — ${v.sparsityTrained ? 'lower the percent' : 'sparsity-train first (darknet-pruner train --sparsity)'} (docs/pruning.md §Sparsity verdict)`;
}
