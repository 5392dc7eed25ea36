// Where a command may write. Every command that writes checks all its outputs here before the job
// starts: never over an input (symlinks and hard links resolved), never over an existing file
// without --force, only into a directory that exists. The checks also remove temporaries that
// killed jobs left beside the output.

import { existsSync, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CliError } from './args';
import { cleanStaleTemps } from '../core/src/io/atomic';

export interface OutputRules {
  /** Every file or directory the command reads. */
  inputs: string[];
  /** --force: an existing output may be replaced. */
  force: boolean;
  /** The option naming the output, for messages (`-o`, `--out`). */
  flag: string;
}

const lstatOrUndefined = (p: string): Stats | undefined => {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
};

const inside = (parent: string, child: string) => {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The path with symlinks resolved in its longest existing prefix; the rest appended unchanged. */
function realTarget(p: string): string {
  const abs = resolve(p);
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...rest.reverse());
    } catch {
      const up = dirname(head);
      if (up === head) return abs;
      rest.push(basename(head));
      head = up;
    }
  }
}

/** The input `dest` is (same resolved path or same inode), if any. */
function inputAt(dest: string, inputs: string[]): string | undefined {
  const real = realTarget(dest);
  const st = existsSync(real) ? statSync(real) : undefined;
  return inputs.find((input) => {
    if (realTarget(input) === real) return true;
    if (!st || !existsSync(input)) return false;
    const s = statSync(input);
    return s.ino === st.ino && s.dev === st.dev;
  });
}

/** The directory an output goes into must exist (or, with `mayCreate`, its own parent must). */
function checkParent(abs: string, shown: string, flag: string, mayCreate = false): void {
  const parent = dirname(abs);
  let st: Stats;
  try {
    st = statSync(parent);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new CliError(`${flag} ${shown}: a part of ${parent} is a file, not a directory`);
    if (mayCreate && code === 'ENOENT') return checkParent(parent, shown, flag);
    throw new CliError(`${flag} ${shown}: parent directory ${parent} does not exist`);
  }
  if (!st.isDirectory()) throw new CliError(`${flag} ${shown}: ${parent} is not a directory`);
}

/**
 * A file the command will write. `mayCreateParent`: its directory may be missing if that
 * directory's own parent exists (forward --out-dir).
 */
export function checkOutputFile(dest: string, rules: OutputRules, mayCreateParent = false): void {
  const abs = resolve(dest);
  checkParent(abs, dest, rules.flag, mayCreateParent);
  const input = inputAt(abs, rules.inputs);
  if (input !== undefined) throw new CliError(`${rules.flag} ${dest}: is the input ${input}; choose another output`);
  const st = lstatOrUndefined(abs);
  if (st) {
    if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`${rules.flag} ${dest}: is a directory`);
    if (!rules.force) throw new CliError(`${rules.flag} ${dest}: exists; pass --force to replace it`);
  }
  cleanStaleTemps(dirname(abs));
}

/** Several outputs of one command: each checked, and no two the same file. */
export function checkOutputFiles(dests: string[], rules: OutputRules, mayCreateParent = false): void {
  const seen = new Map<string, string>();
  for (const d of dests) {
    checkOutputFile(d, rules, mayCreateParent);
    const real = realTarget(d);
    const other = seen.get(real);
    if (other !== undefined) throw new CliError(`${rules.flag}: ${other} and ${d} are the same file`);
    seen.set(real, d);
  }
}

/** What `prune` writes into a model directory (`prune plan` adds plan.json); --force replaces nothing else. */
const MODEL_FILE = (name: string) => name === 'prune-report.json' || name === 'plan.json' || /\.(cfg|weights)$/i.test(name);

/**
 * A directory the command creates (a pruned model). Refused when it is or contains an input, when it
 * is not a directory, or when it has content — unless --force and that content is a previous model
 * directory (only .cfg, .weights and prune-report.json files).
 */
export function checkOutputDir(out: string, rules: OutputRules): void {
  const abs = resolve(out);
  checkParent(abs, out, rules.flag);
  const real = realTarget(abs);
  const input = rules.inputs.find((i) => inside(real, realTarget(i)));
  if (input !== undefined)
    throw new CliError(`${rules.flag} ${out}: would overwrite or contain the input ${input}; choose a new directory`);
  if (lstatOrUndefined(abs)) {
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new CliError(`${rules.flag} ${out}: exists and is not a directory`);
    const entries = readdirSync(abs);
    if (entries.length > 0) {
      if (!rules.force)
        throw new CliError(`${rules.flag} ${out}: directory exists and is not empty; choose a new one or pass --force to replace it`);
      const foreign = entries.filter((e) => !MODEL_FILE(e) || !statSync(join(abs, e)).isFile());
      if (foreign.length)
        throw new CliError(
          `${rules.flag} ${out}: --force replaces only a model directory (.cfg, .weights, prune-report.json, plan.json), and this one also holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}`,
        );
    }
  }
  cleanStaleTemps(dirname(abs));
}

/** --name becomes a file name inside the output directory: a plain name, nothing that leaves it. */
export function checkFileName(name: string, flag: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || name.includes('\0')) {
    throw new CliError(`${flag} "${name}": must be a plain file name (no "/", "\\" or "..")`);
  }
  return name;
}
