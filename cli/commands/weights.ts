import { createHash } from 'node:crypto';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights, WEIGHTS_SEED } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag } from '../args';
import { readCfgFile } from '../cfg-input';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFile } from '../outputs';
import { requireAnalysable } from '../network';

export const USAGE = 'darknet-pruner weights synth <cfg> -o <file.weights> [--seed N] [--force] [--json]';

export function run(argv: string[], ctx: CommandContext): number {
  const [sub, ...rest] = argv;
  if (sub !== 'synth') throw new CliError(`unknown weights subcommand "${sub ?? ''}"\nusage: ${USAGE}`);
  const args = parseArgs(rest, { values: ['o', 'output', 'seed'], booleans: ['force'], aliases: { output: 'o' } });
  const [cfg] = requirePositionals(args, ['<cfg>'], USAGE);
  const out = stringFlag(args, 'o');
  if (!out) throw new CliError(`missing -o <file.weights>\nusage: ${USAGE}`);
  checkOutputFile(out, { inputs: [cfg], force: args.flags.has('force'), flag: '-o' });
  const seed = numberFlag(args, 'seed', { integer: true, min: 1, max: 0xffffffff }) ?? WEIGHTS_SEED;
  const net = requireAnalysable(analyseText(readCfgFile(cfg)), cfg);
  const w = synthesizeWeights(net, seed);
  const bytes = serializeWeights(net, w);
  writeFileAtomic(out, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (args.flags.has('json')) ctx.out(JSON.stringify({ file: out, bytes: bytes.byteLength, floats: w.totalFloats, sha256, seed, prngState: w.prngState }));
  else ctx.out(`${out}: ${bytes.byteLength} bytes (${w.totalFloats} floats), sha256 ${sha256}`);
  return 0;
}
