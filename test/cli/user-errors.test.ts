// Errors the user can fix reach the one mapping in cli/main.ts as UserErrors: no command translates
// a core error class into a CliError (`instanceof XError → new CliError(...)`); a command that knows
// where the error is locates it with cli/error-context.ts, and the printed line is `context: message (note)`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { UserError } from '../../core/src/errors';
import { withContext, withNote } from '../../cli/error-context';
import { REPO } from '../corpus';
import { runCli, type CliResult } from './run';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (n === 'out' || n === 'node_modules') return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every class that extends UserError, directly or not, declared in core/src or cli. */
function userErrorClasses(): Set<string> {
  const parent = new Map<string, string>();
  for (const f of [...tsFiles(join(REPO, 'core', 'src')), ...tsFiles(join(REPO, 'cli'))]) {
    for (const m of readFileSync(f, 'utf8').matchAll(/class (\w+) extends (\w+)/g)) parent.set(m[1], m[2]);
  }
  const isUser = (c: string, seen = 0): boolean => c === 'UserError' || (seen < 20 && parent.has(c) && isUser(parent.get(c)!, seen + 1));
  return new Set([...parent.keys()].filter((c) => c !== 'UserError' && isUser(c)));
}

// Tests of a subclass that do not translate it, each with why.
const ALLOWED = new Set([
  'cli/io.ts: CliError', // a CliError passes through asCliError unchanged
  'cli/commands/env.ts: BackendError', // a backend that cannot start is a row of env's table, not a failure
]);

test('no command translates a UserError subclass into a CliError', () => {
  const classes = userErrorClasses();
  for (const c of [
    'CliError',
    'WeightsError',
    'GammaError',
    'PruneError',
    'OnnxExportError',
    'DatasetError',
    'BenchModelError',
    'OpenvinoUnavailableError',
  ]) {
    assert.ok(classes.has(c), `${c} extends UserError`);
  }
  const found: string[] = [];
  for (const f of tsFiles(join(REPO, 'cli'))) {
    const rel = relative(REPO, f).split('\\').join('/');
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/instanceof (\w+)/g)) {
      if (classes.has(m[1]) && !ALLOWED.has(`${rel}: ${m[1]}`)) found.push(`${rel}: instanceof ${m[1]}`);
    }
    for (const m of text.matchAll(/new CliError\((e|err|error)\.message/g)) found.push(`${rel}: ${m[0]}`);
  }
  assert.deepEqual(found, [], 'let the UserError through (cli/main.ts prints it); locate it with withContext/withNote');
});

test('withContext and withNote locate a UserError escaping fn, sync or async, and nothing else', async () => {
  const raise = (e: Error) => () => {
    throw e;
  };
  const caught = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    assert.fail('fn did not throw');
  };
  const e = caught(() => withContext('a.cfg', raise(new UserError('layer 3: bad')))) as UserError;
  assert.equal(e.line, 'a.cfg: layer 3: bad');
  assert.equal(e.message, 'layer 3: bad');
  const inner = caught(() => withContext('outer', () => withContext('inner', raise(new UserError('x'))))) as UserError;
  assert.equal(inner.line, 'inner: x', 'the innermost location counts');
  const noted = caught(() => withNote('cfg m.cfg', raise(new UserError('m.weights: too short')))) as UserError;
  assert.equal(noted.line, 'm.weights: too short (cfg m.cfg)');
  const byError = caught(() => withContext((u) => (u.exitCode === 2 ? '--layers' : undefined), raise(new UserError('y', 2)))) as UserError;
  assert.equal(byError.line, '--layers: y');
  const bug = caught(() => withContext('a.cfg', raise(new TypeError('undefined is not a function'))));
  assert.equal(bug.message, 'undefined is not a function');
  assert.ok(!(bug instanceof UserError));
  await assert.rejects(
    withContext('p=0.5', async () => {
      await Promise.resolve();
      throw new UserError('pruned away');
    }),
    (err: UserError) => err.line === 'p=0.5: pruned away',
  );
  assert.equal(
    withContext('unused', () => 42),
    42,
  );
  assert.equal(await withContext('unused', async () => 43), 43);
});

let dir = '';
const at = (...p: string[]) => join(dir, ...p);
const cli = (...args: string[]): CliResult => runCli(args, dir);
const NET = '[net]\nwidth=32\nheight=32\nchannels=3\n\n';
const CONV = '[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n\n';
const HEAD =
  '[convolutional]\nfilters=18\nsize=1\nstride=1\nactivation=linear\n\n[yolo]\nmask=0,1,2\nanchors=10,13, 16,30, 33,23\nclasses=1\nnum=3\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-user-errors-'));
  writeFileSync(at('m.cfg'), NET + CONV + HEAD);
  writeFileSync(at('local.cfg'), NET + CONV + '[local]\nfilters=6\nsize=1\n\n' + HEAD);
  assert.equal(cli('weights', 'synth', 'm.cfg', '-o', 'm.weights').code, 0);
  assert.equal(cli('weights', 'synth', 'local.cfg', '-o', 'local.weights').code, 0);
  writeFileSync(at('short.weights'), readFileSync(at('m.weights')).subarray(0, 200));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The error line the CLI printed, without its `darknet-pruner: `. */
function failure(r: CliResult, code: number): string {
  assert.equal(r.code, code, r.err);
  // progress lines may come first; the error is the one last line
  const lines = r.err.trim().split('\n');
  assert.match(lines.at(-1)!, /^darknet-pruner: /);
  assert.equal(lines.filter((l) => l.startsWith('darknet-pruner: ')).length, 1, r.err);
  assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  return lines.at(-1)!.slice('darknet-pruner: '.length);
}

test('located errors print as one line with their location, exit 1 (the cfg of an export, the cfg a .weights was checked against)', () => {
  const onnx = failure(cli('export', 'onnx', 'local.cfg', 'local.weights', '-o', 'x.onnx'), 1);
  assert.match(onnx, /^local\.cfg: layer 1 \[local\] \(line \d+\): layer type \[local\] cannot be expressed in the ONNX export/);
  const events = cli('export', 'onnx', 'local.cfg', 'local.weights', '-o', 'x.onnx', '--json-events');
  const event = events.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; message?: string })
    .find((ev) => ev.type === 'error');
  assert.equal(event?.message, failure(events, 1), 'the error event says what stderr says');

  const pruned = failure(cli('prune', 'channel', 'm.cfg', 'short.weights', '-p', '0.5', '-o', 'out'), 1);
  assert.match(pruned, /^short\.weights: .* \(cfg m\.cfg\)$/);
});

test('a model argument that names no model is a usage error (exit 2); a bad --layers set too, located at --layers', () => {
  assert.equal(failure(cli('bench', 'nothing.cfg'), 2), 'nothing.cfg: no such file or folder');
  assert.equal(
    failure(cli('gamma', 'm.cfg', 'm.weights', '--layers', '1', '--json'), 2),
    '--layers: layer 1 (convolutional, 18 filters) has no batch-norm γ',
  );
});
