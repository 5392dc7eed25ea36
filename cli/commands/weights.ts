import { createHash } from 'node:crypto';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights, WEIGHTS_SEED } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { CliError, defineCommand, parseArgs, synopsis } from '../args';
import { readCfgFile } from '../cfg-input';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFile } from '../outputs';
import { requireAnalysable } from '../network';

export const SPEC = defineCommand({
  command: 'weights synth',
  summary: 'Deterministic synthetic .weights for a cfg (the same bytes for the same cfg and seed).',
  positionals: [{ name: '<cfg>', description: 'the darknet .cfg' }],
  flags: {
    o: { type: 'path', aliases: ['output'], placeholder: '<file.weights>', required: true, description: 'the .weights to write' },
    seed: { type: 'int', min: 1, max: 0xffffffff, default: WEIGHTS_SEED, description: 'PRNG seed' },
    force: { type: 'boolean', description: 'overwrite an existing output' },
  },
});
export const SPECS = [SPEC];

export function run(argv: string[], ctx: CommandContext): number {
  const [sub, ...rest] = argv;
  if (sub !== 'synth') throw new CliError(`unknown weights subcommand "${sub ?? ''}"\nusage: ${synopsis(SPEC)}`);
  const args = parseArgs(rest, SPEC);
  const [cfg] = args.positionals;
  const { o: out, seed } = args.values;
  checkOutputFile(out, { inputs: [cfg], force: args.values.force, flag: '-o' });
  const net = requireAnalysable(analyseText(readCfgFile(cfg)), cfg);
  const w = synthesizeWeights(net, seed);
  const bytes = serializeWeights(net, w);
  writeFileAtomic(out, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (args.values.json)
    ctx.out(JSON.stringify({ file: out, bytes: bytes.byteLength, floats: w.totalFloats, sha256, seed, prngState: w.prngState }));
  else ctx.out(`${out}: ${bytes.byteLength} bytes (${w.totalFloats} floats), sha256 ${sha256}`);
  return 0;
}
