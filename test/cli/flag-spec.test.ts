// Every command's flag spec (cli/args.ts) is both its parser and its --help: the help lists exactly
// the flags the parser accepts, the CLI prints that help, and an enum flag refuses a value it does
// not know with the one message (exit 2). The evaluation runtimes offered are the table's
// (core/src/eval/runtimes.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError, COMMON_FLAGS, helpText, parseArgs, type CommandSpec, type FlagSpec } from '../../cli/args';
import { COMMANDS } from '../../cli/main';
import { BENCH_RUNTIME_NAMES, EVAL_RUNTIMES, EVAL_RUNTIME_NAMES } from '../../core/src/eval/runtimes';
import { runCli } from './run';

async function allSpecs(): Promise<{ name: string; specs: readonly CommandSpec[] }[]> {
  const out = [];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const mod = await entry.load();
    assert.ok(mod.SPECS && mod.SPECS.length > 0, `${name} exports its SPECS`);
    out.push({ name, specs: mod.SPECS });
  }
  return out;
}

/** The flag spellings the help's options section lists (`--data <file.data>, --d` → --data, --d). */
function helpFlags(help: string): string[] {
  const lines = help.split('\n');
  const from = lines.indexOf('options:');
  assert.ok(from >= 0, 'an options section');
  const found: string[] = [];
  for (const line of lines.slice(from + 1)) {
    if (line === '') break;
    const m = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line);
    if (!m) continue; // a description wrapped under a long flag
    for (const part of m[1].split(', ')) found.push(part.split(' ')[0]);
  }
  return found;
}

const valueFor = (f: FlagSpec): string[] => {
  if (f.type === 'boolean') return [];
  if (f.type === 'enum') return [f.values[0]];
  if (f.type === 'number' || f.type === 'int') return [String(f.min ?? 0)];
  return ['x'];
};

/** Positionals and required flags that make a command line complete, so only `extra` is judged. */
function baseArgv(spec: CommandSpec): string[] {
  const argv = spec.checkPositionals === false ? [] : spec.positionals.filter((p) => !p.optional).map(() => 'x');
  for (const [n, f] of Object.entries(spec.flags)) if (f.required) argv.push(n.length === 1 ? `-${n}` : `--${n}`, ...valueFor(f));
  return argv;
}

test('every command: --help lists exactly the flags (and aliases) the parser accepts', async () => {
  for (const { name, specs } of await allSpecs()) {
    for (const spec of specs) {
      assert.ok(spec.command === name || spec.command.startsWith(`${name} `), `${spec.command} belongs to ${name}`);
      const listed = helpFlags(helpText(spec));
      assert.equal(new Set(listed).size, listed.length, `${spec.command}: a flag listed twice`);
      const declared = [...Object.entries(spec.flags), ...Object.entries(COMMON_FLAGS as Record<string, FlagSpec>)].flatMap(([n, f]) => [
        n,
        ...(f.aliases ?? []),
      ]);
      assert.equal(listed.length, new Set(declared).size, `${spec.command}: help lists ${listed.join(' ')}`);
      for (const flag of listed) {
        const bare = flag.replace(/^--?/, '');
        const f =
          spec.flags[bare] ??
          Object.values(spec.flags).find((x) => x.aliases?.includes(bare)) ??
          (COMMON_FLAGS as Record<string, FlagSpec>)[bare];
        assert.ok(f, `${spec.command}: ${flag} is listed but not declared`);
        assert.doesNotThrow(() => parseArgs([...baseArgv(spec), flag, ...valueFor(f)], spec), `${spec.command} accepts ${flag}`);
        assert.throws(
          () => parseArgs([...baseArgv(spec), `${flag}x`], spec),
          (e: Error) => e instanceof CliError && e.message === `unknown option ${flag}x`,
        );
      }
      for (const [n, f] of Object.entries(spec.flags)) assert.ok(f.description.length > 0, `${spec.command} --${n} has a description`);
    }
  }
});

test('every enum flag refuses an unknown value with one line, exit 2', async () => {
  let enums = 0;
  for (const { specs } of await allSpecs()) {
    for (const spec of specs) {
      for (const [n, f] of Object.entries(spec.flags)) {
        if (f.type !== 'enum') continue;
        enums++;
        const flag = n.length === 1 ? `-${n}` : `--${n}`;
        assert.throws(
          () => parseArgs([...baseArgv(spec), flag, 'nonsense'], spec),
          (e: Error) => {
            assert.ok(e instanceof CliError);
            assert.equal(e.exitCode, 2);
            assert.equal(e.message, `${flag}: expected one of ${f.values.join(', ')}, got "nonsense"`);
            return true;
          },
        );
      }
    }
  }
  assert.ok(enums >= 15, `${enums} enum flags`);
});

test('--runtime offers the evaluation runtimes of the table', async () => {
  assert.deepEqual([...EVAL_RUNTIME_NAMES], ['tfjs', 'onnx', 'openvino']);
  for (const r of EVAL_RUNTIMES) assert.ok(r.package && r.setup && r.runs, `${r.name}: what it needs and how to install it`);
  const byCommand = new Map((await allSpecs()).flatMap(({ specs }) => specs.map((s) => [s.command, s] as const)));
  for (const command of ['eval', 'detect', 'sweep']) {
    const f = byCommand.get(command)!.flags.runtime;
    assert.ok(f.type === 'enum');
    assert.deepEqual([...f.values], [...EVAL_RUNTIME_NAMES], command);
  }
  const bench = byCommand.get('bench')!.flags.runtime;
  assert.ok(bench.type === 'enum');
  assert.deepEqual([...bench.values], [...BENCH_RUNTIME_NAMES]);
});

test("the CLI prints the spec's help, and refuses an unknown --runtime in one line", { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-flags-'));
  try {
    for (const { name, specs } of await allSpecs()) {
      for (const spec of specs) {
        const r = runCli([...spec.command.split(' '), '--help'], dir);
        assert.equal(r.code, 0, `${spec.command} --help: ${r.err}`);
        assert.equal(r.out, `${helpText(spec)}\n`, `${spec.command} --help`);
        const runtime = spec.flags.runtime;
        if (runtime?.type !== 'enum') continue;
        const bad = runCli([...spec.command.split(' '), ...baseArgv(spec), '--runtime', 'tvm'], dir);
        assert.equal(bad.code, 2, `${name} --runtime tvm`);
        assert.equal(bad.err, `darknet-pruner: --runtime: expected one of ${runtime.values.join(', ')}, got "tvm"\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
