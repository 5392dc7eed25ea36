// darknet-pruner data synth -o <dir>: a procedurally drawn detection dataset (core/src/data/synth.ts)
// in darknet's layout, deterministic for a seed.

import { join } from 'node:path';
import { DATA_FILE, writeLayout, type LayoutImage } from '../../core/src/data/layout';
import { seedKey } from '../../core/src/data/rng';
import { SHAPES, shapeNames, synthImage } from '../../core/src/data/synth';
import { defineCommand, parseArgs } from '../args';
import { checkDatasetDir, writeDatasetDir } from '../dataset-output';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';

export const SPEC = defineCommand({
  command: 'data synth',
  summary: "A procedurally drawn detection dataset in darknet's layout, the same bytes for the same seed.",
  positionals: [],
  flags: {
    o: { type: 'path', aliases: ['out'], placeholder: '<dir>', required: true, description: 'the new dataset folder' },
    classes: { type: 'int', min: 1, max: SHAPES.length, default: 3, description: `number of shape classes (1…${SHAPES.length})` },
    images: { type: 'int', min: 1, max: 1_000_000, default: 64, description: 'number of images' },
    size: { type: 'int', min: 32, max: 4096, default: 256, description: 'image width and height in pixels' },
    seed: { type: 'string', default: '0', description: 'seed of the drawing and of the train/valid split' },
    format: { type: 'enum', values: ['png', 'jpg'], default: 'png', description: 'image format' },
    'valid-fraction': { type: 'number', min: 0, max: 1, default: 0.2, description: 'share of images in the valid list' },
  },
});

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const { o: out, classes, images: count, size, 'valid-fraction': validFraction, format } = args.values;
  const seed = seedKey(args.values.seed);
  const reporter = makeReporter(args.values['json-events']);
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
  const summary = {
    out,
    data: join(out, DATA_FILE),
    images: count,
    train: result.train.length,
    valid: result.valid.length,
    boxes: result.boxes,
    classes: shapeNames(classes),
    perClass: result.perClass,
    size,
    format,
    seed,
  };
  if (reporter.events) reporter.emit({ type: 'result', command: 'data synth', data: summary });
  else if (args.values.json) ctx.out(JSON.stringify(summary));
  else
    ctx.out(
      `${summary.data}: ${count} ${size}×${size} ${format.toUpperCase()} images (train ${summary.train}, valid ${summary.valid}), ${result.boxes} boxes: ${summary.classes.map((n, i) => `${n} ${result.perClass[i]}`).join(', ')}`,
    );
  return 0;
}
