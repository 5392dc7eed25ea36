// Reading the <cfg> argument of a command. A binary file there is almost always a .weights given
// in the cfg's place (swapped arguments): say so, rather than print its bytes as cfg errors.

import { CliError } from './args';
import { readTextFile } from './io';

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
  const text = readTextFile(path);
  if (looksBinary(Buffer.from(text.slice(0, SAMPLE), 'latin1'))) {
    const hint = /\.weights$/i.test(path) ? 'a .weights file' : 'binary data';
    throw new CliError(`${path}: ${hint}, not a cfg (did you swap cfg and weights?)`);
  }
  return text;
}
