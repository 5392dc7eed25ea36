// A dataset folder a command creates (data import, data synth): checked like every output
// (outputs.ts: never over or around an input, a new or empty folder), filled in a hidden temporary
// folder beside it and renamed into place only when complete, so a failure or a Cancel leaves nothing.

import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { asCliError } from './io';
import { committedOutput, replaceDir, tempPathFor, trackTemp, untrackTemp } from '../core/src/io/atomic';
import { checkOutputDir } from './outputs';

export function checkDatasetDir(out: string, inputs: string[]): void {
  checkOutputDir(out, { inputs, force: false, flag: '-o' });
}

/** Runs `fill` on a fresh temporary folder, then renames it to `out` (checked with checkDatasetDir first). */
export function writeDatasetDir<T>(out: string, fill: (dir: string) => T): T {
  const dest = resolve(out);
  const tmp = tempPathFor(dest);
  trackTemp(tmp);
  try {
    mkdirSync(tmp);
    const result = fill(tmp);
    replaceDir(tmp, dest); // over the empty folder checkOutputDir accepted, if any
    committedOutput(dest);
    return result;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw asCliError(e, out);
  } finally {
    untrackTemp(tmp);
  }
}
