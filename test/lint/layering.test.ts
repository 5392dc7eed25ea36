// The layering rules fail the build: `npm run lint` (eslint.config.mjs) rejects core importing
// from server/, client/, webviews/ or a top-level cli/, or an editor/LSP library, and webviews
// importing Node built-ins or host code; `npm run typecheck` (core/tsconfig.json,
// webviews/tsconfig.json) rejects DOM globals in core and Node globals in the webviews. Each rule
// is shown failing on a deliberately violating file, and passing on the allowed imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { REPO } from '../corpus';

const eslint = new ESLint({ cwd: REPO });

/** Rule ids and messages eslint reports for code placed (virtually) at a repository path. */
async function lint(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: join(REPO, file) });
  return r.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('lint: core imports nothing from server, client, webviews or a top-level cli, nor editor/LSP libraries', async () => {
  const bad = [
    "import { DEFAULT_SETTINGS } from '../../../server/src/settings';",
    "import { COMMANDS } from '../../../client/src/constants';",
    "import type { GammaView } from '../../../webviews/src/shared/protocol';",
    "export { main } from '../../../cli/main';",
    "import * as vscode from 'vscode';",
    "import { LanguageClient } from 'vscode-languageclient/node';",
    "import { NotificationType } from 'vscode-languageserver-protocol';",
  ];
  for (const line of bad) {
    const messages = await lint('core/src/prune/layering-probe.ts', `${line}\nexport const x = 1;\n`);
    assert.ok(
      messages.some((m) => /^(layering\/no-folder-imports|no-restricted-imports):/.test(m)),
      `not rejected: ${line}\n${messages.join('\n')}`,
    );
  }
  const lazy = await lint('core/src/cli/layering-probe.ts', "export const load = () => import('../../../webviews/src/shared/protocol');\n");
  assert.ok(
    lazy.some((m) => m.startsWith('layering/no-folder-imports')),
    'a dynamic import is checked too',
  );
  const allowed = await lint(
    'core/src/prune/layering-probe.ts',
    "import { parseArgs } from '../cli/args';\nimport type { Network } from '../cfg/network';\nexport const x: [typeof parseArgs, Network?] = [parseArgs];\n",
  );
  assert.deepEqual(allowed, [], "core/src/cli is core's own folder, not the top-level cli/");
  assert.deepEqual(
    await lint(
      'core/src/protocol/layering-probe.ts',
      "import { NotificationType } from 'vscode-languageserver-protocol';\nexport const n = new NotificationType<string>('x');\n",
    ),
    [],
    'LSP types in core/src/protocol',
  );
});

test('lint: webviews import no Node built-ins, editor API or host code', async () => {
  for (const line of [
    "import { readFileSync } from 'node:fs';",
    "import * as path from 'path';",
    "import * as vscode from 'vscode';",
    "import { COMMANDS } from '../../client/src/constants';",
    "import { DEFAULT_SETTINGS } from '../../server/src/settings';",
  ]) {
    const messages = await lint('webviews/src/layering-probe.ts', `${line}\nexport const x = 1;\n`);
    assert.ok(
      messages.some((m) => /^(layering\/no-folder-imports|no-restricted-imports):/.test(m)),
      `not rejected: ${line}\n${messages.join('\n')}`,
    );
  }
  assert.deepEqual(
    await lint(
      'webviews/src/layering-probe.ts',
      "import { thresholdIndex } from '../../core/src/prune/threshold';\nexport const k = thresholdIndex(10, 0.5);\n",
    ),
    [],
  );
});

test('lint: the language server does not import the extension host', async () => {
  for (const line of ["import * as vscode from 'vscode';", "import { COMMANDS } from '../../client/src/constants';"]) {
    assert.ok((await lint('server/src/layering-probe.ts', `${line}\nexport const x = 1;\n`)).length > 0, line);
  }
});

/** tsc errors for a probe file checked with a folder's tsconfig settings. */
function typecheck(folderConfig: string, code: string): string {
  const dir = mkdtempSync(join(REPO, '.test-artifacts', 'layering-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), code);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: relative(dir, join(REPO, folderConfig)), include: ['probe.ts'] }));
    const r = spawnSync(
      process.execPath,
      [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json'), '--noEmit'],
      { encoding: 'utf8' },
    );
    return r.stdout + r.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('typecheck: core has no DOM globals, the webviews have no Node globals', { timeout: 120_000 }, () => {
  mkdirSync(join(REPO, '.test-artifacts'), { recursive: true });
  const core = typecheck(
    'core/tsconfig.json',
    'export const title = document.title;\nexport const w = window.innerWidth;\nexport const home = process.env.HOME;\n',
  );
  assert.match(core, /probe\.ts\(1,\d+\): error TS\d+: Cannot find name 'document'/);
  assert.match(core, /probe\.ts\(2,\d+\): error TS\d+: Cannot find name 'window'/);
  assert.doesNotMatch(core, /'process'/, "Node globals are core's");
  const web = typecheck(
    'webviews/tsconfig.json',
    'export const home = process.env.HOME;\nexport const b = Buffer.from("x");\nexport const t = document.title;\n',
  );
  assert.match(web, /probe\.ts\(1,\d+\): error TS\d+: Cannot find name 'process'/);
  assert.match(web, /probe\.ts\(2,\d+\): error TS\d+: Cannot find name 'Buffer'/);
  assert.doesNotMatch(web, /'document'/, "DOM globals are the webviews'");
});

test('npm run typecheck checks core and webviews with their own settings', () => {
  const script = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.typecheck;
  for (const config of ['tsconfig.json', 'core/tsconfig.json', 'webviews/tsconfig.json'])
    assert.ok(script.includes(`tsc -p ${config} --noEmit`), `${config} in "${script}"`);
});
