// A pruned model is a directory (<name>.cfg, <name>.weights, prune-report.json), written into a
// temporary sibling directory and renamed into place, so a failed or cancelled job leaves nothing.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { CliError } from './args';
import { asCliError, tempPathFor, trackTemp, untrackTemp } from './io';

const inside = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Refuse an output directory that exists with content, or that is, contains or sits inside an input. */
export function checkOutputDir(out: string, inputs: string[]): string {
  const dir = resolve(out);
  for (const input of inputs) {
    const p = resolve(input);
    if (inside(dir, p)) throw new CliError(`-o ${out}: would overwrite or contain the input ${input}; choose a new directory`);
    if (existsSync(p) && statSync(p).isFile() && dir === p) throw new CliError(`-o ${out} is the input file ${input}`);
  }
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new CliError(`-o ${out}: exists and is not a directory`);
    if (readdirSync(dir).length > 0) throw new CliError(`-o ${out}: directory exists and is not empty; choose a new one`);
  }
  if (!existsSync(dirname(dir))) throw new CliError(`-o ${out}: parent directory ${dirname(dir)} does not exist`);
  return dir;
}

/** Write `files` into `out` atomically; `verify` runs on the temporary directory before the rename. */
export function writeModelDir(out: string, files: { name: string; data: string | Uint8Array }[], verify?: (tmpDir: string) => void): string[] {
  const dir = resolve(out);
  const tmp = tempPathFor(dir);
  trackTemp(tmp);
  try {
    mkdirSync(tmp);
    for (const f of files) writeFileSync(join(tmp, f.name), f.data);
    verify?.(tmp);
    if (existsSync(dir)) rmdirSync(dir); // checked empty before
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw asCliError(e, out);
  } finally {
    untrackTemp(tmp);
  }
  return files.map((f) => join(dir, f.name));
}
