// Reading the files a command is given, with readable errors instead of stack traces. Writing
// goes through core/src/io/atomic.ts (temporary + rename; docs/reliability.md).

import { fileError } from '../core/src/errors';
import { readBoundedTextSync } from '../core/src/io/bounded-read';
import { CliError } from './args';

/** Text files given on the command line are cfgs, .data files, lists: never a device, a FIFO or gigabytes. */
const MAX_ARGUMENT_TEXT = 256 * 1024 * 1024;

/** A text file named on the command line: a regular file under the cap, read as UTF-8. */
export function readTextFile(path: string): string {
  try {
    return readBoundedTextSync(path, MAX_ARGUMENT_TEXT).text;
  } catch (e) {
    throw asCliError(e, path);
  }
}

/** A file-system failure as the one-line error the CLI prints (exit 2: the argument is wrong). */
export function asCliError(e: unknown, path: string): CliError {
  if (e instanceof CliError) return e;
  return new CliError(fileError(e, path).message);
}
