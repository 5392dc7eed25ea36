// The extension's argv for `darknet-pruner train` (cli/commands/train.ts, docs/training.md), beside
// the other builders of core/src/protocol/jobs.ts; test/protocol/train-jobs.test.ts runs each
// through the CLI itself. The result data is `TrainJobResult` (jobResult('train', …)).

import type { PruneMethod } from '../prune/plan';

/** What a run starts from: a cfg (with weights, else darknet's initialisation), or a pruned folder to fine-tune. */
export type TrainSource = { cfg: string; weights?: string } | { finetune: string; warmupEpochs?: number };

export interface TrainJob {
  source: TrainSource;
  data: string;
  /** The run folder (new or empty). */
  out: string;
  epochs?: number;
  batch?: number;
  backend?: 'tensorflow' | 'wasm';
  /** L1 on |γ| of the prune mode's set: a fixed s, or auto (chosen epoch by epoch, docs/training.md §Sparsity auto). */
  sparsity?: { s: number | 'auto'; pruneMode?: PruneMethod };
}

export function trainArgs(j: TrainJob): string[] {
  const source =
    'finetune' in j.source
      ? [
          '--finetune',
          j.source.finetune,
          ...(j.source.warmupEpochs !== undefined ? ['--warmup-epochs', String(j.source.warmupEpochs)] : []),
        ]
      : [j.source.cfg, ...(j.source.weights !== undefined ? ['--weights', j.source.weights] : [])];
  return [
    'train',
    ...source,
    '--data',
    j.data,
    ...(j.epochs !== undefined ? ['--epochs', String(j.epochs)] : []),
    ...(j.batch !== undefined ? ['--batch', String(j.batch)] : []),
    ...(j.backend !== undefined ? ['--backend', j.backend] : []),
    ...(j.sparsity ? ['--sparsity', String(j.sparsity.s), ...(j.sparsity.pruneMode ? ['--prune-mode', j.sparsity.pruneMode] : [])] : []),
    '-o',
    j.out,
  ];
}

/** Continue a stopped run from its checkpoint (its settings come from there); `epochs` the new total. */
export function resumeArgs(runDir: string, epochs?: number): string[] {
  return ['train', '--resume', runDir, ...(epochs !== undefined ? ['--epochs', String(epochs)] : [])];
}

/** `train`'s result data: where the run stands when the process ends. */
export interface TrainJobResult {
  runDir: string;
  iteration: number;
  epoch: number;
  seen: number;
  loss: number;
  bestMap50: number | null;
  imagesPerSecond: number;
  backend: string;
  files: string[];
}

/** The result data as TrainJobResult, or undefined when it does not have that shape. */
export function trainResult(data: unknown): TrainJobResult | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  const num = (k: string) => typeof d[k] === 'number';
  return typeof d.runDir === 'string' &&
    num('iteration') &&
    num('epoch') &&
    num('seen') &&
    num('imagesPerSecond') &&
    typeof d.backend === 'string' &&
    Array.isArray(d.files) &&
    (d.bestMap50 === null || num('bestMap50'))
    ? (d as unknown as TrainJobResult)
    : undefined;
}
