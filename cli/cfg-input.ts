// Reading the <cfg> argument of a command. A binary file there is almost always a .weights given
// in the cfg's place (swapped arguments): say so, rather than print its bytes as cfg errors.

import { readFileSync, statSync } from 'node:fs';
import { CliError } from './args';
import { asCliError } from './io';

const SAMPLE = 65536;

/** NUL bytes, or more than 1% control characters other than whitespace, in the first 64 KiB. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SAMPLE);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 32 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13) control++;
  }
  return control > n / 100;
}

export function readCfgFile(path: string): string {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    bytes = readFileSync(path);
  } catch (e) {
    throw asCliError(e, path);
  }
  if (looksBinary(bytes)) {
    const hint = /\.weights$/i.test(path) ? 'a .weights file' : 'binary data';
    throw new CliError(`${path}: ${hint}, not a cfg (did you swap cfg and weights?)`);
  }
  return bytes.toString('utf8');
}
