// Typed option access with darknet's defaults and C number parsing (parser.c option_find_*).

import { atof, atoi } from './cvalues';
import { findOption, type CfgSection } from './parse';

const f32 = Math.fround;

export class Options {
  constructor(readonly section: CfgSection) {}
  has(key: string): boolean { return findOption(this.section, key) !== undefined; }
  str(key: string, def: string): string { return findOption(this.section, key)?.value ?? def; }
  int(key: string, def: number): number { const o = findOption(this.section, key); return o ? atoi(o.value!) : def; }
  float(key: string, def: number): number { const o = findOption(this.section, key); return o ? f32(atof(o.value!)) : def; }
  /** Raw list items (route layers, shortcut from): empty items parse as 0, as in darknet. */
  intItems(key: string): number[] | undefined {
    const o = findOption(this.section, key);
    return o ? o.value!.split(',').map(atoi) : undefined;
  }
}
