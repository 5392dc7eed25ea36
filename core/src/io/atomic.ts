// Atomic writes (a temporary beside the destination, then rename), and what a job has pending on
// disk, so that an interrupted job leaves nothing behind (docs/reliability.md). Whoever runs the
// job (the CLI's worker thread) listens to the notes; without a listener they go nowhere.

import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileError } from '../errors';

export type WriteNote =
  | { temp: string; pending: boolean }
  | { output: string }
  /** A path whose committed versions a cancel keeps (a training run's checkpoint): noted before the first write. */
  | { keep: string };

let listener: ((note: WriteNote) => void) | undefined;

export function onWriteNote(l: (note: WriteNote) => void): void {
  listener = l;
}
const noteJob = (note: WriteNote) => listener?.(note);

let tempCounter = 0;
const TEMP_NAME = /^\..+\.tmp-(\d+)-\d+$/;

/** `.NAME.tmp-PID-N` beside `dest`: hidden, and its PID says whether its writer is still alive. */
export function tempPathFor(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${++tempCounter}`);
}

/**
 * Renames the finished temporary directory `tmp` to `dest`. An existing `dest` is moved aside first
 * and removed once `tmp` is in place; if that rename fails it is put back, so `dest` is never lost.
 */
export function replaceDir(tmp: string, dest: string): void {
  const old = existsSync(dest) ? tempPathFor(dest) : undefined;
  if (old) renameSync(dest, old);
  try {
    renameSync(tmp, dest);
  } catch (e) {
    if (old) renameSync(old, dest);
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/** Write via a temporary file and rename, so a failure never leaves a half-written output. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  trackTemp(tmp);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
    committedOutput(path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(e, path);
  } finally {
    untrackTemp(tmp);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temporaries left in `dir` by processes that no longer run (a job killed with SIGKILL). */
export function cleanStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** Temporaries to remove if the job is interrupted in-process (the worker's are tracked by process.ts). */
const pendingTemps = new Set<string>();

export function trackTemp(path: string): void {
  pendingTemps.add(path);
  noteJob({ temp: path, pending: true });
}
export function untrackTemp(path: string): void {
  pendingTemps.delete(path);
  noteJob({ temp: path, pending: false });
}
/** An output renamed into place: an interrupted job removes it too, since it never reported success. */
export function committedOutput(path: string): void {
  noteJob({ output: path });
}
/**
 * `path` is an output a cancel must keep once committed (a training run's checkpoint and the files
 * that go with it): call before the first write. Its temporaries are still removed.
 */
export function keepOutput(path: string): void {
  noteJob({ keep: path });
}
export function removePendingTemps(): void {
  for (const p of pendingTemps) rmSync(p, { recursive: true, force: true });
  pendingTemps.clear();
}
