// Runs the grammar's syntax tests (test/grammar/*.test.cfg, `#` assertion lines) with the
// vscode-tmgrammar-test CLI, which tokenizes with the same TextMate engine as VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { GRAMMAR_PATH, SCOPES } from '../../scripts/grammar';

const CLI = join(REPO, 'node_modules', '.bin', 'vscode-tmgrammar-test');
const DIR = join(REPO, 'test', 'grammar');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.test.cfg'))
  .sort();

function run(glob: string) {
  const r = spawnSync(CLI, ['--compact', '-g', GRAMMAR_PATH, glob], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, error: r.error };
}

test('grammar syntax tests pass (vscode-tmgrammar-test)', () => {
  assert.ok(cases.length >= 4, `expected the syntax test files, found ${cases.join(', ')}`);
  const r = run('test/grammar/*.test.cfg');
  assert.equal(r.error, undefined);
  assert.equal(r.status, 0, r.output);
  for (const c of cases) assert.match(r.output, new RegExp(`${c.replace(/\./g, '\\.')} run successfuly`), r.output);
});

test('every scope the grammar assigns is asserted by some syntax test', () => {
  const text = cases.map((c) => readFileSync(join(DIR, c), 'utf8')).join('\n');
  const asserted = new Set(
    text
      .split('\n')
      .filter((l) => /^#\s*(\^|<~*-)/.test(l))
      .flatMap((l) => l.split(/\s+/)),
  );
  const missing = Object.entries(SCOPES)
    .filter(([, scope]) => !asserted.has(scope))
    .map(([role, scope]) => `${role}: ${scope}`);
  assert.deepEqual(missing, []);
});

test('the runner reports a wrong assertion as a failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tmgrammar-'));
  try {
    writeFileSync(
      join(dir, 'wrong.test.cfg'),
      '# SYNTAX TEST "source.darknet-cfg"\n[net]\n#^^^ invalid.illegal.section.unknown.darknet-cfg\n',
    );
    const r = run(join(dir, 'wrong.test.cfg'));
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /invalid\.illegal\.section\.unknown/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
