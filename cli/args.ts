// The command line of darknet-pruner: one declarative spec per command (cli/commands/*.ts, SPEC)
// from which both the parser and the `--help` text are made, so the two cannot drift apart.
// Tokens: positionals, `--flag`, `--key value`, `--key=value`, `-o value`.

import { UserError } from '../core/src/errors';

/** A command line the CLI cannot run (exit 2), or, with exitCode 1, input it refuses. */
export class CliError extends UserError {
  constructor(message: string, exitCode = 2) {
    super(message, exitCode);
  }
}

interface FlagBase {
  /** One line for --help. */
  description: string;
  /** Other spellings, without dashes (`output` for `o`, `p` for `global-percent`). */
  aliases?: readonly string[];
  /** The value's name in the usage line and help (`<file.data>`, `N`). */
  placeholder?: string;
  /** Given more than once, every value is kept (in order); otherwise the last one counts. */
  repeatable?: boolean;
  /** Missing is an error (`missing --data <file.data>` and the usage). */
  required?: boolean;
}
export interface StringFlagSpec extends FlagBase {
  type: 'string' | 'path';
  default?: string;
}
export interface NumberFlagSpec extends FlagBase {
  type: 'number' | 'int';
  min?: number;
  max?: number;
  default?: number;
}
export interface BooleanFlagSpec extends FlagBase {
  type: 'boolean';
}
export interface EnumFlagSpec<V extends string = string> extends FlagBase {
  type: 'enum';
  values: readonly V[];
  default?: V;
  /** Applied to the text before it is checked (`--device cpu` → CPU). */
  normalize?: (text: string) => string;
  /** A reason added to the refusal of a value the user may expect to work. */
  refusals?: Readonly<Record<string, string>>;
}
export type FlagSpec = StringFlagSpec | NumberFlagSpec | BooleanFlagSpec | EnumFlagSpec;

export interface PositionalSpec {
  /** As shown: `<cfg>`, `voc|coco|csv`. */
  name: string;
  description: string;
  optional?: boolean;
  /** One or more (zero or more when also optional); only the last positional. */
  variadic?: boolean;
}

export interface CommandSpec<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  /** The words after `darknet-pruner`: `eval`, `prune channel`. */
  command: string;
  summary: string;
  positionals: readonly PositionalSpec[];
  flags: F;
  /** Other ways to call the command (train --finetune, --resume), shown under the usage line. */
  forms?: readonly string[];
  /** Lines appended to --help (rules between flags, defaults that depend on others). */
  notes?: readonly string[];
  /** false: the command checks its positionals itself (alternative forms). */
  checkPositionals?: boolean;
}

/** Accepted by every command. */
export const COMMON_FLAGS = {
  json: { type: 'boolean', description: 'machine-readable result on stdout (one JSON document)' },
  'json-events': { type: 'boolean', description: 'one JSON event per line (progress, metrics, result) as the extension reads them' },
  help: { type: 'boolean', description: 'this help' },
} as const satisfies Record<string, FlagSpec>;

type ValueOf<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'enum'; values: readonly (infer V)[] }
    ? V
    : F extends { type: 'number' | 'int' }
      ? number
      : string;
type Repeated<F, T> = F extends { repeatable: true } ? T[] : T;
type Always<F> = F extends { type: 'boolean' }
  ? true
  : F extends { repeatable: true }
    ? true
    : F extends { default: unknown }
      ? true
      : F extends { required: true }
        ? true
        : false;
export type FlagValues<F extends Record<string, FlagSpec>> = {
  -readonly [K in keyof F]: Always<F[K]> extends true ? Repeated<F[K], ValueOf<F[K]>> : Repeated<F[K], ValueOf<F[K]>> | undefined;
} & { [K in keyof typeof COMMON_FLAGS]: boolean };

export interface ParsedArgs<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  positionals: string[];
  /** The flags given, by canonical name, as written (the last value of a repeated one). */
  flags: Map<string, string | true>;
  /** Every flag of the spec, checked and typed, defaults applied. */
  values: FlagValues<F>;
}

/** A spec with its literal types kept (enum values, defaults) for typed `values`. */
export function defineCommand<const F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** The spec's flags and the common ones, in help order. */
export function allFlags(spec: CommandSpec): [string, FlagSpec][] {
  return [...Object.entries(spec.flags), ...Object.entries(COMMON_FLAGS).filter(([n]) => !(n in spec.flags))];
}

const dashed = (name: string) => (name.length === 1 ? `-${name}` : `--${name}`);

function placeholderOf(f: FlagSpec): string {
  if (f.type === 'boolean') return '';
  if (f.placeholder) return f.placeholder;
  if (f.type === 'enum') return f.values.join('|');
  if (f.type === 'int') return 'N';
  if (f.type === 'number') return 'X';
  return f.type === 'path' ? 'PATH' : 'TEXT';
}

/** `--data <file.data>`, `-o <dir>`, `--letterbox`. */
export function flagText(name: string, f: FlagSpec): string {
  const p = placeholderOf(f);
  return p ? `${dashed(name)} ${p}` : dashed(name);
}

/** The one-line synopsis: `darknet-pruner eval <cfg> <weights> --data <file.data> [--conf X] …`. */
export function synopsis(spec: CommandSpec): string {
  const pos = spec.positionals.map((p) => {
    const shown = p.variadic ? `${p.name}…` : p.name;
    return p.optional ? `[${shown}]` : shown;
  });
  const flags = allFlags(spec)
    .filter(([n]) => n !== 'help')
    .map(([n, f]) => (f.required ? flagText(n, f) : `[${flagText(n, f)}]`));
  return ['darknet-pruner', spec.command, ...pos, ...flags].join(' ');
}

const defaultText = (f: FlagSpec): string => ('default' in f && f.default !== undefined ? ` (default ${f.default})` : '');

/** `darknet-pruner <command> --help`: the usage line, the arguments, every flag with its description. */
export function helpText(spec: CommandSpec): string {
  const lines = [`usage: ${synopsis(spec)}`];
  for (const form of spec.forms ?? []) lines.push(`       ${form}`);
  lines.push('', spec.summary);
  const rows: [string, string][] = [];
  for (const p of spec.positionals) rows.push([p.name, p.description]);
  const flagRows: [string, string][] = allFlags(spec).map(([n, f]) => {
    const aliases = (f.aliases ?? []).map(dashed);
    const names = [flagText(n, f), ...aliases].join(', ');
    const tags = [f.required ? 'required' : '', f.repeatable ? 'repeatable' : ''].filter(Boolean);
    return [names, `${f.description}${defaultText(f)}${tags.length ? ` [${tags.join(', ')}]` : ''}`];
  });
  const w = Math.min(34, Math.max(...[...rows, ...flagRows].map(([a]) => a.length)));
  const fmt = ([a, b]: [string, string]) => (a.length > w ? `  ${a}\n  ${''.padEnd(w)}  ${b}` : `  ${a.padEnd(w)}  ${b}`);
  if (rows.length) lines.push('', 'arguments:', ...rows.map(fmt));
  lines.push('', 'options:', ...flagRows.map(fmt));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** Help for `darknet-pruner <name> … --help`: the subcommand named in `rest`, else every form of the command. */
export function commandHelp(name: string, specs: readonly CommandSpec[], rest: readonly string[]): string {
  const sub = specs.find((s) => s.command === `${name} ${rest[0]}`);
  if (sub) return helpText(sub);
  if (specs.length === 1) return helpText(specs[0]);
  return [
    `usage: ${specs.map(synopsis).join('\n       ')}`,
    '',
    ...specs.map((s) => `  ${s.command.padEnd(20)}  ${s.summary}`),
    '',
    `darknet-pruner ${name} <subcommand> --help lists its options`,
  ].join('\n');
}

/** The one refusal of an enum value: `--runtime: expected one of tfjs, onnx, openvino, got "x"`. */
export function checkEnum<V extends string>(
  what: string,
  text: string,
  values: readonly V[],
  refusals?: Readonly<Record<string, string>>,
): V {
  if ((values as readonly string[]).includes(text)) return text as V;
  const note = refusals?.[text];
  throw new CliError(`${what}: expected one of ${values.join(', ')}, got "${text}"${note ? ` (${note})` : ''}`);
}

function convert(name: string, f: FlagSpec, text: string): string | number {
  const what = dashed(name);
  switch (f.type) {
    case 'number':
    case 'int':
      return parseNumber(text, what, { min: f.min, max: f.max, integer: f.type === 'int' });
    case 'enum': {
      const normal = f.normalize ? f.normalize(text) : text;
      // refused as typed
      return f.values.includes(normal) ? normal : checkEnum(what, text, f.values, f.refusals);
    }
    default:
      return text;
  }
}

/** `missing --data <file.data>` with the usage line. */
export function missingFlag(spec: CommandSpec, name: string): CliError {
  return new CliError(`missing ${flagText(name, allFlags(spec).find(([n]) => n === name)![1])}\nusage: ${synopsis(spec)}`);
}

/** The positionals `names` exactly (for commands with alternative forms, checkPositionals: false). */
export function requirePositionals(args: ParsedArgs, names: string[], spec: CommandSpec): string[] {
  const usage = synopsis(spec);
  if (args.positionals.length < names.length)
    throw new CliError(`missing ${names.slice(args.positionals.length).join(', ')}\nusage: ${usage}`);
  if (args.positionals.length > names.length)
    throw new CliError(`unexpected argument "${args.positionals[names.length]}"\nusage: ${usage}`);
  return args.positionals;
}

export function parseArgs<F extends Record<string, FlagSpec>>(argv: string[], spec: CommandSpec<F>): ParsedArgs<F>;
export function parseArgs(argv: string[], spec: CommandSpec): ParsedArgs {
  const flagList = allFlags(spec);
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [n, f] of flagList) {
    byName.set(n, [n, f]);
    for (const a of f.aliases ?? []) byName.set(a, [n, f]);
  }
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const given: [string, FlagSpec, string | true][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    let name = arg.replace(/^--?/, '');
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const entry = byName.get(name);
    if (!entry) throw new CliError(`unknown option ${arg}`);
    const [canonical, f] = entry;
    if (f.type === 'boolean') {
      flags.set(canonical, true);
      given.push([canonical, f, true]);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new CliError(`option --${canonical} needs a value`);
    flags.set(canonical, v);
    given.push([canonical, f, v]);
  }
  if (spec.checkPositionals !== false) checkPositionalCount(positionals, spec);

  const values: Record<string, unknown> = {};
  for (const [n, f] of flagList) {
    if (f.type === 'boolean') values[n] = false;
    else if (f.repeatable) values[n] = [];
    else values[n] = 'default' in f ? f.default : undefined;
  }
  for (const [n, f, v] of given) {
    if (v === true) {
      values[n] = true;
      continue;
    }
    const x = convert(n, f, v);
    if (f.repeatable) (values[n] as unknown[]).push(x);
    else values[n] = x;
  }
  for (const [n, f] of flagList) if (f.required && !flags.has(n)) throw missingFlag(spec, n);
  return { positionals, flags, values: values as ParsedArgs['values'] };
}

function checkPositionalCount(positionals: string[], spec: CommandSpec): void {
  const list = spec.positionals;
  const last = list[list.length - 1];
  const required = list.filter((p) => !p.optional);
  if (positionals.length < required.length) {
    throw new CliError(
      `missing ${required
        .slice(positionals.length)
        .map((p) => p.name)
        .join(', ')}\nusage: ${synopsis(spec)}`,
    );
  }
  if (!last?.variadic && positionals.length > list.length) {
    throw new CliError(`unexpected argument "${positionals[list.length]}"\nusage: ${synopsis(spec)}`);
  }
}

const DECIMAL = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/;

export interface NumberRules {
  min?: number;
  max?: number;
  integer?: boolean;
}

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
