// Per-epoch measurements of a training run: P, R, mAP@0.5 on the validation list (core/src/eval,
// the model in inference mode with its rolling statistics) and the |γ| histogram of the prunable set.

import type { Network } from '../cfg/network';
import type { ImageList } from '../eval/dataset';
import { evaluate } from '../eval/evaluate';
import { modelSource } from '../eval/model-source';
import type { DarknetModel } from '../nn/model';

export interface Validation {
  precision: number;
  recall: number;
  map50: number;
  images: number;
}

export async function validate(net: Network, model: DarknetModel, list: ImageList, classes: number): Promise<Validation> {
  const r = await evaluate(net, modelSource(net, model, 'training model'), list, classes, { conf: 0.001, nmsIou: 0.5, nms: 'merge' });
  return { precision: r.precision, recall: r.recall, map50: r.map50, images: r.images };
}

/** |γ| thresholds whose below-fractions every epoch records (0.01 also as `below001`). */
export const GAMMA_THRESHOLDS = [0.001, 0.01, 0.05, 0.1] as const;

export interface GammaHistogram {
  edges: number[];
  counts: number[];
  /** Channels in the set and the fraction with |γ| < 0.01. */
  channels: number;
  below001: number;
  /** Fraction of the set with |γ| < t, for each t of GAMMA_THRESHOLDS (keyed by String(t)). */
  below: Record<string, number>;
  /** Mean |γ|. */
  meanAbs: number;
  /** min over the layers of their max |γ| (the reference's highest_thre, docs/pruning.md §Threshold). */
  highestThreshold: number;
  /**
   * Fraction of the set with |γ| < highestThreshold: the smallest global percent that empties a
   * layer, i.e. where the sweep's suggested point sits (core/src/prune/sweep.ts's rule).
   */
  emptyingPercent: number;
}

/** Histogram of |γ| over `layers` (20 equal bins from 0 to the largest |γ|). */
export function gammaHistogram(model: DarknetModel, layers: readonly number[], bins = 20): GammaHistogram {
  const set = new Set(layers);
  const values: number[] = [];
  let highestThreshold = Infinity;
  for (const { layer, gamma } of model.gammas()) {
    if (!set.has(layer)) continue;
    let max = 0;
    for (const v of gamma.dataSync()) {
      const a = Math.abs(v);
      values.push(a);
      if (a > max) max = a;
    }
    highestThreshold = Math.min(highestThreshold, max);
  }
  const top = values.reduce((m, v) => Math.max(m, v), 0) || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  const belowCounts = GAMMA_THRESHOLDS.map(() => 0);
  let sum = 0,
    emptying = 0;
  for (const v of values) {
    counts[Math.min(bins - 1, Math.floor((v / top) * bins))]++;
    GAMMA_THRESHOLDS.forEach((t, i) => {
      if (v < t) belowCounts[i]++;
    });
    if (v < highestThreshold) emptying++;
    sum += v;
  }
  const n = values.length;
  const below = Object.fromEntries(GAMMA_THRESHOLDS.map((t, i) => [String(t), n ? belowCounts[i] / n : 0]));
  return {
    edges,
    counts,
    channels: n,
    below001: below['0.01'],
    below,
    meanAbs: n ? sum / n : 0,
    highestThreshold: Number.isFinite(highestThreshold) ? highestThreshold : 0,
    emptyingPercent: n ? emptying / n : 0,
  };
}
