// darknet-pruner data: training data in darknet's layout — check it, import it (VOC, COCO, CSV),
// or draw a synthetic set (docs/training-data.md).

import { CliError, synopsis } from '../args';
import { SPEC as CHECK } from './data-check';
import { SPEC as IMPORT } from './data-import';
import { SPEC as SYNTH } from './data-synth';
import type { CommandContext } from '../main';

export const SPECS = [CHECK, IMPORT, SYNTH];

const SUB: Record<string, () => Promise<{ run(argv: string[], ctx: CommandContext): Promise<number> | number }>> = {
  check: () => import('./data-check'),
  import: () => import('./data-import'),
  synth: () => import('./data-synth'),
};

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  const load = sub ? SUB[sub] : undefined;
  if (!load)
    throw new CliError(
      `${sub ? `unknown data command "${sub}"` : 'missing data command'} (check, import or synth)\nusage: ${SPECS.map(synopsis).join('\n       ')}`,
    );
  return (await load()).run(rest, ctx);
}
