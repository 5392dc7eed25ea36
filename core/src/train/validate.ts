// Per-epoch measurements of a training run: P, R, mAP@0.5 on the validation list (core/src/eval,
// the model in inference mode with its rolling statistics) and the |γ| histogram of the prunable set.

import type { Network } from '../cfg/network';
import type { ImageList } from '../eval/dataset';
import { evaluate } from '../eval/evaluate';
import { modelSource } from '../eval/model-source';
import type { DarknetModel } from '../nn/model';

export interface Validation { precision: number; recall: number; map50: number; images: number }

export async function validate(net: Network, model: DarknetModel, list: ImageList, classes: number): Promise<Validation> {
  const r = await evaluate(net, modelSource(net, model, 'training model'), list, classes, { conf: 0.001, nmsIou: 0.5, nms: 'merge' });
  return { precision: r.precision, recall: r.recall, map50: r.map50, images: r.images };
}

export interface GammaHistogram {
  edges: number[];
  counts: number[];
  /** Channels in the set and the fraction with |γ| < 0.01. */
  channels: number;
  below001: number;
  /** Mean |γ|. */
  meanAbs: number;
}

/** Histogram of |γ| over `layers` (20 equal bins from 0 to the largest |γ|). */
export function gammaHistogram(model: DarknetModel, layers: readonly number[], bins = 20): GammaHistogram {
  const set = new Set(layers);
  const values: number[] = [];
  for (const { layer, gamma } of model.gammas()) if (set.has(layer)) for (const v of gamma.dataSync()) values.push(Math.abs(v));
  const top = values.reduce((m, v) => Math.max(m, v), 0) || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  let below = 0, sum = 0;
  for (const v of values) {
    counts[Math.min(bins - 1, Math.floor((v / top) * bins))]++;
    if (v < 0.01) below++;
    sum += v;
  }
  return { edges, counts, channels: values.length, below001: values.length ? below / values.length : 0, meanAbs: values.length ? sum / values.length : 0 };
}
