// Minimal argument parsing for darknet-pruner: positionals, `--flag`, `--key value`, `-o value`.

import { UserError } from '../core/src/errors';

/** A command line the CLI cannot run (exit 2), or, with exitCode 1, input it refuses. */
export class CliError extends UserError {
  constructor(message: string, exitCode = 2) {
    super(message, exitCode);
  }
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export interface ArgSpec {
  /** Options that take a value (without leading dashes); aliases map short to long. */
  values?: string[];
  booleans?: string[];
  aliases?: Record<string, string>;
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const booleans = new Set([...(spec.booleans ?? []), 'json', 'json-events', 'help']);
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) { positionals.push(arg); continue; }
    let name = arg.replace(/^--?/, '');
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { inline = name.slice(eq + 1); name = name.slice(0, eq); }
    name = spec.aliases?.[name] ?? name;
    if (values.has(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new CliError(`option --${name} needs a value`);
      flags.set(name, v);
    } else if (booleans.has(name)) {
      flags.set(name, true);
    } else {
      throw new CliError(`unknown option ${arg}`);
    }
  }
  return { positionals, flags };
}

const DECIMAL = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

export interface NumberRules { min?: number; max?: number; integer?: boolean }

/**
 * The one way the CLI reads a number: a plain decimal (no hex, no "", no Infinity) that a double
 * holds — `1e-400` is refused rather than read as 0, `1e400` rather than read as Infinity.
 * `what` names the value in messages (`--global-percent`).
 */
export function parseNumber(text: string, what: string, rules: NumberRules = {}): number {
  const kind = rules.integer ? 'an integer' : 'a number';
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new CliError(`${what} expects ${kind}, got "${text}"`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw new CliError(`${what}: ${text} is too large`);
  if (n === 0 && /[1-9]/.test(m[2])) throw new CliError(`${what}: ${text} is too small to tell from 0`);
  if (rules.integer && !Number.isInteger(n)) throw new CliError(`${what} expects ${kind}, got "${text}"`);
  if (rules.min !== undefined && n < rules.min) throw new CliError(`${what} must be ≥ ${rules.min}, got ${n}`);
  if (rules.max !== undefined && n > rules.max) throw new CliError(`${what} must be ≤ ${rules.max}, got ${n}`);
  return n;
}

/** Digits after the decimal point that `text` (a number parseNumber accepted) needs: "1e-4" → 4. */
export function decimalPlaces(text: string): number {
  const m = DECIMAL.exec(text.trim());
  if (!m) return 0;
  const dot = m[2].indexOf('.');
  const frac = dot < 0 ? 0 : m[2].length - dot - 1;
  return Math.max(0, frac - Number(m[3] ?? 0));
}

export function numberFlag(args: ParsedArgs, name: string, rules: NumberRules = {}): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  return parseNumber(v === true ? '' : v, `--${name}`, rules);
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function requirePositionals(args: ParsedArgs, names: string[], usage: string): string[] {
  if (args.positionals.length < names.length) throw new CliError(`missing ${names.slice(args.positionals.length).join(', ')}\nusage: ${usage}`);
  if (args.positionals.length > names.length) throw new CliError(`unexpected argument "${args.positionals[names.length]}"\nusage: ${usage}`);
  return args.positionals;
}
