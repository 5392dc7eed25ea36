// File helpers for the CLI: readable errors instead of stack traces, atomic writes, and the
// temporaries an interrupted job must not leave behind (docs/reliability.md).

import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CliError } from './args';
import { noteJob } from './job-state';

export function readTextFile(path: string): string {
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw asCliError(e, path);
  }
}

export function asCliError(e: unknown, path: string): CliError {
  if (e instanceof CliError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new CliError(`${path}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new CliError(`${path}: permission denied`);
  if (code === 'EISDIR') return new CliError(`${path}: is a directory`);
  return new CliError(`${path}: ${(e as Error).message}`);
}

let tempCounter = 0;
const TEMP_NAME = /^\..+\.tmp-(\d+)-\d+$/;

/** `.NAME.tmp-PID-N` beside `dest`: hidden, and its PID says whether its writer is still alive. */
export function tempPathFor(dest: string): string {
  return join(dirname(dest), `.${basename(dest)}.tmp-${process.pid}-${++tempCounter}`);
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
    throw asCliError(e, path);
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
export function removePendingTemps(): void {
  for (const p of pendingTemps) rmSync(p, { recursive: true, force: true });
  pendingTemps.clear();
}
