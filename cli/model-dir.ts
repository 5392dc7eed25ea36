// A pruned model is a directory (<name>.cfg, <name>.weights, prune-report.json), written into a
// temporary sibling directory and renamed into place, so a failed or cancelled job leaves nothing.
// Where it may go is checked before the job, by checkOutputDir (outputs.ts).

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asCliError } from './io';
import { committedOutput, replaceDir, tempPathFor, trackTemp, untrackTemp } from '../core/src/io/atomic';

/**
 * Write `files` into `out` atomically; `verify` runs on the temporary directory before the rename.
 * An existing `out` (empty, or a previous model directory under --force) is replaced (replaceDir).
 */
export function writeModelDir(
  out: string,
  files: { name: string; data: string | Uint8Array }[],
  verify?: (tmpDir: string) => void,
): string[] {
  const dir = resolve(out);
  const tmp = tempPathFor(dir);
  trackTemp(tmp);
  try {
    mkdirSync(tmp);
    for (const f of files) writeFileSync(join(tmp, f.name), f.data);
    verify?.(tmp);
    replaceDir(tmp, dir);
    committedOutput(dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw asCliError(e, out);
  } finally {
    untrackTemp(tmp);
  }
  return files.map((f) => join(dir, f.name));
}
