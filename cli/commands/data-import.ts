// darknet-pruner data import (voc|coco|csv) <src> -o <dir>: annotations in another format to a new
// darknet-layout folder (core/src/data/import, core/src/data/layout.ts), written whole or not at all.

import { existsSync, statSync } from 'node:fs';
import { buildDataset } from '../../core/src/data/import/build';
import { readCoco } from '../../core/src/data/import/coco';
import { readCsv } from '../../core/src/data/import/csv';
import type { SourceSet } from '../../core/src/data/import/source';
import { readVoc } from '../../core/src/data/import/voc';
import { DATA_FILE, writeLayout } from '../../core/src/data/layout';
import { seedKey } from '../../core/src/data/rng';
import { CliError, defineCommand, parseArgs } from '../args';
import { checkDatasetDir, writeDatasetDir } from '../dataset-output';
import { asCliError, readTextFile } from '../io';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import { join } from 'node:path';

const READERS: Record<string, (src: string, images?: string) => SourceSet> = { voc: readVoc, coco: readCoco, csv: readCsv };

export const SPEC = defineCommand({
  command: 'data import',
  summary: 'Annotations in another format (Pascal VOC XML, COCO JSON, CSV) to a new darknet-layout folder, written whole or not at all.',
  positionals: [
    { name: 'voc|coco|csv', description: 'the source format' },
    { name: '<src>', description: 'a VOC folder, a COCO .json or a .csv' },
  ],
  flags: {
    o: { type: 'path', aliases: ['out'], placeholder: '<dir>', required: true, description: 'the new dataset folder' },
    images: { type: 'path', placeholder: 'DIR', description: 'where the images are (default: as the annotations say)' },
    classes: { type: 'string', placeholder: 'names-file|a,b,c', description: 'class names and their order (default: as found)' },
    'valid-fraction': { type: 'number', min: 0, max: 1, default: 0.2, description: 'share of images in the valid list' },
    seed: { type: 'string', default: '0', description: 'seed of the train/valid split' },
  },
});

/** --classes: a names file (one per line) if such a file exists, else a comma-separated list. */
export function classList(arg: string): string[] {
  const names =
    existsSync(arg) && statSync(arg).isFile()
      ? readTextFile(arg)
          .split(/\r?\n/)
          .map((s) => s.trim())
          .filter(Boolean)
      : arg
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (names.length === 0) throw new CliError(`--classes ${arg}: no class names`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new CliError(`--classes ${arg}: "${dup}" is named twice`);
  return names;
}

const SHOWN = 5;

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const [format, src] = args.positionals;
  const read = READERS[format];
  if (!read) throw new CliError(`unknown format "${format}": voc, coco or csv`);
  const { o: out, images, 'valid-fraction': validFraction } = args.values;
  if (!existsSync(src)) throw new CliError(`${src}: no such file or folder`);
  if (format !== 'voc' && statSync(src).isDirectory())
    throw new CliError(`${src}: is a folder; ${format} import reads one ${format === 'coco' ? 'JSON' : 'CSV'} file`);
  if (images !== undefined && !(existsSync(images) && statSync(images).isDirectory()))
    throw new CliError(`--images ${images}: no such folder`);
  const classesArg = args.values.classes;
  const classes = classesArg === undefined ? undefined : classList(classesArg);
  const seed = seedKey(args.values.seed);
  checkDatasetDir(out, [src, ...(images ? [images] : []), ...(classesArg && existsSync(classesArg) ? [classesArg] : [])]);

  let set: SourceSet;
  try {
    set = read(src, images);
  } catch (e) {
    throw asCliError(e, src);
  }
  const built = buildDataset(set, { classes });
  for (const w of built.warnings) ctx.err(`darknet-pruner: warning: ${w}`);
  if (built.errors.length) {
    const more = built.errors.length > SHOWN ? `\n  … and ${built.errors.length - SHOWN} more` : '';
    throw new CliError(
      `${src}: ${built.errors.length} error${built.errors.length === 1 ? '' : 's'}, nothing written:\n${built.errors
        .slice(0, SHOWN)
        .map((e) => `  ${e}`)
        .join('\n')}${more}`,
      1,
    );
  }
  const result = writeDatasetDir(out, (dir) => writeLayout(dir, { names: built.names, images: built.images, validFraction, seed }));
  const summary = {
    out,
    data: join(out, DATA_FILE),
    format,
    images: built.images.length,
    train: result.train.length,
    valid: result.valid.length,
    boxes: result.boxes,
    classes: built.names,
    perClass: result.perClass,
    linked: result.linked,
    copied: result.copied,
  };
  const reporter = makeReporter(args.values['json-events']);
  if (reporter.events) reporter.emit({ type: 'result', command: 'data import', data: summary });
  else if (args.values.json) ctx.out(JSON.stringify(summary));
  else {
    ctx.out(
      `${summary.data}: ${summary.images} images (train ${summary.train}, valid ${summary.valid}), ${summary.boxes} boxes, ${built.names.length} classes`,
    );
    ctx.out(built.names.map((n, i) => `  ${n}: ${result.perClass[i]}`).join('\n'));
    ctx.out(
      `images ${result.linked ? `hard-linked ${result.linked}` : ''}${result.linked && result.copied ? ', ' : ''}${result.copied ? `copied ${result.copied}` : ''}`,
    );
  }
  return 0;
}
