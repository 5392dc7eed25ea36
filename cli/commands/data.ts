// darknet-pruner data: training data in darknet's layout — check it, import it (VOC, COCO, CSV),
// or draw a synthetic set (docs/training-data.md).

import { CliError } from '../args';
import type { CommandContext } from '../main';

export const USAGE = `darknet-pruner data <check|import|synth> …
  data check <file.data> [--no-decode] [--json]
  data import (voc|coco|csv) <src> -o <dir> [--images DIR] [--classes names-file|a,b,c] [--valid-fraction 0.2] [--seed 0] [--json]
  data synth -o <dir> [--classes 3] [--images 64] [--size 256] [--seed 0] [--format png|jpg] [--valid-fraction 0.2] [--json]`;

const SUB: Record<string, () => Promise<{ run(argv: string[], ctx: CommandContext): Promise<number> | number }>> = {
  check: () => import('./data-check'),
  import: () => import('./data-import'),
  synth: () => import('./data-synth'),
};

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const load = sub ? SUB[sub] : undefined;
  if (!load) throw new CliError(`${sub ? `unknown data command "${sub}"` : 'missing data command'} (check, import or synth)\nusage: ${USAGE}`);
  return (await load()).run(rest, ctx);
}
