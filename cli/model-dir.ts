// A pruned model is a directory (<name>.cfg, <name>.weights, prune-report.json), written into a
// temporary sibling directory and renamed into place, so a failed or cancelled job leaves nothing.
// Where it may go is checked before the job, by checkOutputDir (outputs.ts).

import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asCliError } from './io';
import { committedOutput, tempPathFor, trackTemp, untrackTemp } from '../core/src/io/atomic';

/**
 * Write `files` into `out` atomically; `verify` runs on the temporary directory before the rename.
 * An existing `out` (empty, or a previous model directory under --force) is moved aside first and
 * removed once the new one is in place.
 */
export function writeModelDir(
  out: string,
  files: { name: string; data: string | Uint8Array }[],
  verify?: (tmpDir: string) => void,
): string[] {
  const dir = resolve(out);
  const tmp = tempPathFor(dir);
  const old = tempPathFor(dir);
  trackTemp(tmp);
  try {
    mkdirSync(tmp);
    for (const f of files) writeFileSync(join(tmp, f.name), f.data);
    verify?.(tmp);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    committedOutput(dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(dir)) renameSync(old, dir);
    throw asCliError(e, out);
  } finally {
    untrackTemp(tmp);
  }
  rmSync(old, { recursive: true, force: true });
  return files.map((f) => join(dir, f.name));
}
