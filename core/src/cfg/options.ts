// Typed option access with darknet's defaults and C number parsing (parser.c option_find_*).
// Given a record's key table, a key without an explicit default takes the one written there (the
// only place defaults live); defaults that depend on other keys are passed explicitly.

import { COMMON_KEYS } from '../layers/keys';
import type { KeySpec } from '../layers/spec';
import { atof, atoi } from './cvalues';
import { findOption, type CfgSection } from './parse';

const f32 = Math.fround;

type Defaults = Map<string, { text: string; value: number }>;
/** Each key table's defaults, parsed once (analysis runs on every keystroke). */
const DEFAULTS = new WeakMap<Record<string, KeySpec>, Defaults>();

function defaultsOf(keys: Record<string, KeySpec>): Defaults {
  let d = DEFAULTS.get(keys);
  if (!d) {
    d = new Map();
    for (const [k, ks] of [...Object.entries(COMMON_KEYS), ...Object.entries(keys)]) {
      if (ks.default !== undefined) d.set(k, { text: ks.default, value: Number(ks.default) });
    }
    DEFAULTS.set(keys, d);
  }
  return d;
}

const NONE: Defaults = new Map();

export class Options {
  private readonly defaults: Defaults;
  constructor(
    readonly section: CfgSection,
    keys?: Record<string, KeySpec>,
  ) {
    this.defaults = keys ? defaultsOf(keys) : NONE;
  }
  has(key: string): boolean {
    return findOption(this.section, key) !== undefined;
  }
  str(key: string, def?: string): string {
    return findOption(this.section, key)?.value ?? def ?? this.schemaDefault(key).text;
  }
  int(key: string, def?: number): number {
    const o = findOption(this.section, key);
    return o ? atoi(o.value!) : (def ?? this.schemaDefault(key).value);
  }
  float(key: string, def?: number): number {
    const o = findOption(this.section, key);
    return o ? f32(atof(o.value!)) : (def ?? this.schemaDefault(key).value);
  }
  /** Raw list items (route layers, shortcut from): empty items parse as 0, as in darknet. */
  intItems(key: string): number[] | undefined {
    const o = findOption(this.section, key);
    return o ? o.value!.split(',').map(atoi) : undefined;
  }

  private schemaDefault(key: string): { text: string; value: number } {
    const d = this.defaults.get(key);
    if (d === undefined) throw new Error(`internal: [${this.section.name}] ${key} has no default in its key table`);
    return d;
  }
}
