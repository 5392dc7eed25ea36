// Minimal argument parsing for darknet-pruner: positionals, `--flag`, `--key value`, `-o value`.

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
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

export function numberFlag(args: ParsedArgs, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) throw new CliError(`--${name} expects ${opts.integer ? 'an integer' : 'a number'}, got "${v === true ? '' : v}"`);
  if (opts.min !== undefined && n < opts.min) throw new CliError(`--${name} must be ≥ ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new CliError(`--${name} must be ≤ ${opts.max}, got ${n}`);
  return n;
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
