// One measured point of a training run, the same for both engines (cli/commands/train.ts after each
// epoch, train-darknet.ts for each weights file darknet saved): P, R and mAP@0.5 on valid and the |γ|
// histogram, as the metric events the dashboard plots and the metrics.jsonl / gamma.jsonl lines.

import type { Network } from '../cfg/network';
import type { ImageList } from '../eval/dataset';
import type { DarknetModel } from '../nn/model';
import type { JobEvent } from '../protocol/jobs';
import { gammaHistogram, validate, type GammaHistogram, type Validation } from './validate';

export interface EpochMeasure {
  v: Validation;
  hist: GammaHistogram;
}

export async function measureEpoch(
  net: Network,
  model: DarknetModel,
  valid: ImageList,
  classes: number,
  gammaSet: readonly number[],
): Promise<EpochMeasure> {
  const v = await validate(net, model, valid, classes);
  return { v, hist: gammaHistogram(model, gammaSet) };
}

export interface EpochPoint extends EpochMeasure {
  epoch: number;
  iteration: number;
  /** The weights file measured, relative to the run folder (darknet's snapshots). */
  weights?: string;
  /** The mean training loss since the previous point (null: none known). */
  loss: number | null;
  lossParts?: { lossBox: number | null; lossObj: number | null; lossCls: number | null };
  lr: number | null;
  gammaSet: readonly number[];
  /** More metric events, after the standard ones (e.g. sparsity). */
  moreMetrics?: { name: string; value: number }[];
  /** More fields at the end of the metrics.jsonl line. */
  moreFields?: Record<string, unknown>;
}

export function epochRecord(p: EpochPoint): { events: JobEvent[]; metrics: string; gamma: string } {
  const { v, hist, iteration: step } = p;
  const values: { name: string; value: number }[] = [
    { name: 'precision', value: v.precision },
    { name: 'recall', value: v.recall },
    { name: 'mAP50', value: v.map50 },
    ...(p.loss !== null ? [{ name: 'epoch_loss', value: p.loss }] : []),
    ...(p.moreMetrics ?? []),
  ];
  const weights = p.weights !== undefined ? { weights: p.weights } : {};
  return {
    events: [
      ...values.map(({ name, value }): JobEvent => ({ type: 'metric', name, value, step })),
      { type: 'histogram', name: 'gamma', edges: hist.edges, counts: hist.counts, step },
    ],
    metrics: JSON.stringify({
      epoch: p.epoch,
      iteration: step,
      ...weights,
      loss: p.loss,
      ...p.lossParts,
      precision: v.precision,
      recall: v.recall,
      map50: v.map50,
      lr: p.lr,
      ...p.moreFields,
    }),
    gamma: JSON.stringify({ epoch: p.epoch, iteration: step, ...weights, layers: p.gammaSet, ...hist }),
  };
}
