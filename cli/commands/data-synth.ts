// darknet-pruner data synth -o <dir>: a procedurally drawn detection dataset (core/src/data/synth.ts)
// in darknet's layout, deterministic for a seed.

import { join } from 'node:path';
import { DATA_FILE, writeLayout, type LayoutImage } from '../../core/src/data/layout';
import { seedKey } from '../../core/src/data/rng';
import { SHAPES, shapeNames, synthImage } from '../../core/src/data/synth';
import { CliError, numberFlag, parseArgs, stringFlag } from '../args';
import { checkDatasetDir, writeDatasetDir } from '../dataset-output';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';

const USAGE = `darknet-pruner data synth -o <dir> [--classes 3 (1…${SHAPES.length})] [--images 64] [--size 256] [--seed 0] [--format png|jpg] [--valid-fraction 0.2] [--json]`;

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, { values: ['out', 'classes', 'images', 'size', 'seed', 'format', 'valid-fraction'], aliases: { o: 'out' } });
  if (args.positionals.length) throw new CliError(`unexpected argument "${args.positionals[0]}"\nusage: ${USAGE}`);
  const out = stringFlag(args, 'out');
  if (!out) throw new CliError(`missing -o <dir>\nusage: ${USAGE}`);
  const classes = numberFlag(args, 'classes', { integer: true, min: 1, max: SHAPES.length }) ?? 3;
  const count = numberFlag(args, 'images', { integer: true, min: 1, max: 1_000_000 }) ?? 64;
  const size = numberFlag(args, 'size', { integer: true, min: 32, max: 4096 }) ?? 256;
  const validFraction = numberFlag(args, 'valid-fraction', { min: 0, max: 1 }) ?? 0.2;
  const format = stringFlag(args, 'format') ?? 'png';
  if (format !== 'png' && format !== 'jpg') throw new CliError(`--format must be png or jpg, got "${format}"`);
  const seed = seedKey(stringFlag(args, 'seed') ?? '0');
  const reporter = makeReporter(args.flags.has('json-events'));
  checkDatasetDir(out, []);
  const digits = String(count - 1).length;
  const result = writeDatasetDir(out, (dir) => {
    const images: LayoutImage[] = [];
    for (let i = 0; i < count; i++) {
      const im = synthImage(i, { classes, size, seed, format });
      images.push({ name: `synth_${String(i).padStart(digits, '0')}.${format}`, bytes: im.bytes, labels: im.labels });
      if ((i + 1) % 16 === 0 || i + 1 === count) reporter.progress(`data synth: ${i + 1}/${count} images`, (i + 1) / count);
    }
    return writeLayout(dir, { names: shapeNames(classes), images, validFraction, seed });
  });
  const summary = { out, data: join(out, DATA_FILE), images: count, train: result.train.length, valid: result.valid.length, boxes: result.boxes, classes: shapeNames(classes), perClass: result.perClass, size, format, seed };
  if (reporter.events) reporter.emit({ type: 'result', command: 'data synth', data: summary });
  else if (args.flags.has('json')) ctx.out(JSON.stringify(summary));
  else ctx.out(`${summary.data}: ${count} ${size}×${size} ${format.toUpperCase()} images (train ${summary.train}, valid ${summary.valid}), ${result.boxes} boxes: ${summary.classes.map((n, i) => `${n} ${result.perClass[i]}`).join(', ')}`);
  return 0;
}
