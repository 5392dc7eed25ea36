// Typed option access with darknet's defaults and C number parsing (parser.c option_find_*).
// Given a record's key table, a key without an explicit default takes the one written there (the
// only place defaults live); defaults that depend on other keys are passed explicitly.

import { COMMON_KEYS } from '../layers/keys';
import type { KeySpec } from '../layers/spec';
import { atof, atoi } from './cvalues';
import { findOption, type CfgSection } from './parse';

const f32 = Math.fround;

export class Options {
  constructor(readonly section: CfgSection, private readonly keys?: Record<string, KeySpec>) {}
  has(key: string): boolean { return findOption(this.section, key) !== undefined; }
  str(key: string, def?: string): string { return findOption(this.section, key)?.value ?? def ?? this.schemaDefault(key); }
  int(key: string, def?: number): number { const o = findOption(this.section, key); return o ? atoi(o.value!) : def ?? Number(this.schemaDefault(key)); }
  float(key: string, def?: number): number { const o = findOption(this.section, key); return o ? f32(atof(o.value!)) : def ?? Number(this.schemaDefault(key)); }
  /** Raw list items (route layers, shortcut from): empty items parse as 0, as in darknet. */
  intItems(key: string): number[] | undefined {
    const o = findOption(this.section, key);
    return o ? o.value!.split(',').map(atoi) : undefined;
  }

  private schemaDefault(key: string): string {
    const d = (this.keys?.[key] ?? COMMON_KEYS[key])?.default;
    if (d === undefined) throw new Error(`internal: [${this.section.name}] ${key} has no default in its key table`);
    return d;
  }
}
