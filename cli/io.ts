// Reading the files a command is given, with readable errors instead of stack traces. Writing
// goes through core/src/io/atomic.ts (temporary + rename; docs/reliability.md).

import { readFileSync, statSync } from 'node:fs';
import { fileError } from '../core/src/errors';
import { CliError } from './args';

export function readTextFile(path: string): string {
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw asCliError(e, path);
  }
}

/** A file-system failure as the one-line error the CLI prints (exit 2: the argument is wrong). */
export function asCliError(e: unknown, path: string): CliError {
  if (e instanceof CliError) return e;
  return new CliError(fileError(e, path).message);
}
