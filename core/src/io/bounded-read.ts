// Reading a file that someone else chose (a path inside a cloned repository's prune-report.json,
// or the report itself): only a regular file, only up to a size cap. A device such as /dev/zero,
// a FIFO or a 250 MB file is refused from its fstat, before anything is read.

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { formatBytes } from '../text/bytes';
import { UserError } from '../errors';

export class FileReadError extends UserError {}

export interface BoundedText {
  text: string;
  /** The path with symlinks resolved. */
  realPath: string;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function refuse(path: string, st: Stats, maxBytes: number): void {
  if (st.isDirectory()) throw new FileReadError(`${path}: is a directory`);
  if (!st.isFile()) throw new FileReadError(`${path}: not a regular file`);
  if (st.size > maxBytes) {
    const [size, max] =
      formatBytes(st.size) === formatBytes(maxBytes)
        ? [`${st.size} bytes`, `${maxBytes} bytes`]
        : [formatBytes(st.size), formatBytes(maxBytes)];
    throw new FileReadError(`${path}: ${size} is more than the ${max} read from such a file`);
  }
}

const tooLong = (path: string, maxBytes: number) =>
  new FileReadError(`${path}: grew past the ${formatBytes(maxBytes)} read from such a file`);

function located(e: unknown, path: string): FileReadError {
  if (e instanceof FileReadError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FileReadError(`${path}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new FileReadError(`${path}: permission denied`);
  if (code === 'ELOOP') return new FileReadError(`${path}: too many levels of symbolic links`);
  return new FileReadError(`${path}: ${(e as Error).message}`);
}

export function readBoundedTextSync(path: string, maxBytes: number): BoundedText {
  try {
    const realPath = realpathSync.native(path);
    const fd = openSync(realPath, FLAGS);
    try {
      const st = fstatSync(fd);
      refuse(path, st, maxBytes);
      // One byte more than the cap tells a file that grew since fstat.
      const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, null);
        if (got === 0) break;
        n += got;
      }
      if (n > maxBytes) throw tooLong(path, maxBytes);
      return { text: buf.toString('utf8', 0, n), realPath };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw located(e, path);
  }
}

export async function readBoundedText(path: string, maxBytes: number): Promise<BoundedText> {
  try {
    const realPath = await realpath(path);
    const fh = await open(realPath, FLAGS);
    try {
      const st = await fh.stat();
      refuse(path, st, maxBytes);
      const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
      let n = 0;
      while (n < buf.length) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      if (n > maxBytes) throw tooLong(path, maxBytes);
      return { text: buf.toString('utf8', 0, n), realPath };
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw located(e, path);
  }
}
