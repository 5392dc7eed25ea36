// File helpers for the CLI: readable errors instead of stack traces, atomic writes.

import { readFileSync, renameSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { CliError } from './args';

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

/** Write via a temporary file and rename, so a failure never leaves a half-written output. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  trackTemp(tmp);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw asCliError(e, path);
  } finally {
    untrackTemp(tmp);
  }
}

/** Temporary outputs to remove if the process is interrupted (Cancel in the editor sends SIGTERM). */
const pendingTemps = new Set<string>();

export function trackTemp(path: string): void {
  pendingTemps.add(path);
}
export function untrackTemp(path: string): void {
  pendingTemps.delete(path);
}
export function removePendingTemps(): void {
  for (const p of pendingTemps) rmSync(p, { recursive: true, force: true });
  pendingTemps.clear();
}
