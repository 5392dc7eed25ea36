// The files of a training run directory, all written atomically (cli/io.ts) and kept by a
// cancel once committed (a run interrupted by Ctrl-C resumes from them):
//   command.txt       the exact command line (JSON array of arguments) and the resolved options
//   checkpoint.dpck   model + optimiser state + position (checkpoint.ts)
//   last.weights      darknet weights after the last completed epoch (or the last step taken)
//   best.weights      darknet weights of the epoch with the best mAP@0.5
//   metrics.jsonl     one line per epoch: epoch, iteration, loss, P, R, mAP@0.5, lr
//   gamma.jsonl       one line per epoch: the |γ| histogram of the prunable set

import { join } from 'node:path';

export const RUN_FILES = {
  command: 'command.txt',
  checkpoint: 'checkpoint.dpck',
  last: 'last.weights',
  best: 'best.weights',
  metrics: 'metrics.jsonl',
  gamma: 'gamma.jsonl',
} as const;

export const runFile = (dir: string, k: keyof typeof RUN_FILES): string => join(dir, RUN_FILES[k]);
