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
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag } from '../args';
import { checkDatasetDir, writeDatasetDir } from '../dataset-output';
import { asCliError, readTextFile } from '../io';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import { join } from 'node:path';

const USAGE = 'darknet-pruner data import (voc|coco|csv) <src> -o <dir> [--images DIR] [--classes names-file|a,b,c] [--valid-fraction 0.2] [--seed 0] [--json]';

const READERS: Record<string, (src: string, images?: string) => SourceSet> = { voc: readVoc, coco: readCoco, csv: readCsv };

/** --classes: a names file (one per line) if such a file exists, else a comma-separated list. */
export function classList(arg: string): string[] {
  const names = existsSync(arg) && statSync(arg).isFile()
    ? readTextFile(arg).split(/\r?\n/).map((s) => s.trim()).filter(Boolean)
    : arg.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new CliError(`--classes ${arg}: no class names`);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new CliError(`--classes ${arg}: "${dup}" is named twice`);
  return names;
}

const SHOWN = 5;

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, { values: ['out', 'images', 'classes', 'valid-fraction', 'seed'], aliases: { o: 'out' } });
  const [format, src] = requirePositionals(args, ['voc|coco|csv', '<src>'], USAGE);
  const read = READERS[format];
  if (!read) throw new CliError(`unknown format "${format}": voc, coco or csv`);
  const out = stringFlag(args, 'out');
  if (!out) throw new CliError(`missing -o <dir>\nusage: ${USAGE}`);
  if (!existsSync(src)) throw new CliError(`${src}: no such file or folder`);
  if (format !== 'voc' && statSync(src).isDirectory()) throw new CliError(`${src}: is a folder; ${format} import reads one ${format === 'coco' ? 'JSON' : 'CSV'} file`);
  const images = stringFlag(args, 'images');
  if (images !== undefined && !(existsSync(images) && statSync(images).isDirectory())) throw new CliError(`--images ${images}: no such folder`);
  const classesArg = stringFlag(args, 'classes');
  const classes = classesArg === undefined ? undefined : classList(classesArg);
  const validFraction = numberFlag(args, 'valid-fraction', { min: 0, max: 1 }) ?? 0.2;
  const seed = seedKey(stringFlag(args, 'seed') ?? '0');
  checkDatasetDir(out, [src, ...(images ? [images] : []), ...(classesArg && existsSync(classesArg) ? [classesArg] : [])]);

  let set: SourceSet;
  try { set = read(src, images); } catch (e) { throw asCliError(e, src); }
  const built = buildDataset(set, { classes });
  for (const w of built.warnings) ctx.err(`darknet-pruner: warning: ${w}`);
  if (built.errors.length) {
    const more = built.errors.length > SHOWN ? `\n  … and ${built.errors.length - SHOWN} more` : '';
    throw new CliError(`${src}: ${built.errors.length} error${built.errors.length === 1 ? '' : 's'}, nothing written:\n${built.errors.slice(0, SHOWN).map((e) => `  ${e}`).join('\n')}${more}`, 1);
  }
  const result = writeDatasetDir(out, (dir) => writeLayout(dir, { names: built.names, images: built.images, validFraction, seed }));
  const summary = {
    out, data: join(out, DATA_FILE), format, images: built.images.length, train: result.train.length, valid: result.valid.length,
    boxes: result.boxes, classes: built.names, perClass: result.perClass, linked: result.linked, copied: result.copied,
  };
  const reporter = makeReporter(args.flags.has('json-events'));
  if (reporter.events) reporter.emit({ type: 'result', command: 'data import', data: summary });
  else if (args.flags.has('json')) ctx.out(JSON.stringify(summary));
  else {
    ctx.out(`${summary.data}: ${summary.images} images (train ${summary.train}, valid ${summary.valid}), ${summary.boxes} boxes, ${built.names.length} classes`);
    ctx.out(built.names.map((n, i) => `  ${n}: ${result.perClass[i]}`).join('\n'));
    ctx.out(`images ${result.linked ? `hard-linked ${result.linked}` : ''}${result.linked && result.copied ? ', ' : ''}${result.copied ? `copied ${result.copied}` : ''}`);
  }
  return 0;
}
