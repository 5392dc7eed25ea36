// A UTF-8 BOM is reported by the editor as by the CLI: VS Code strips it from the document text,
// so the server reads the first bytes of the file on disk (file: URIs). One `utf8-bom` diagnostic,
// the CLI's message, and a quick fix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Command } from 'vscode-languageserver-protocol';
import { CFG_DIR } from '../corpus';
import { runCli } from '../cli/run';
import { LspClient } from './client';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const text = readFileSync(join(CFG_DIR, 'yolov4-tiny.cfg'), 'utf8');
let dir = '';
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-bom-'));
  client = await LspClient.start();
});
after(async () => {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
});

const actionsAt = (uri: string) =>
  client.request<(CodeAction | Command)[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    context: { diagnostics: [] },
  });

test("a BOM only on disk (VS Code strips it from the text): the CLI's one diagnostic, and the encoding picker as its fix", async () => {
  const file = join(dir, 'on-disk.cfg');
  writeFileSync(file, Buffer.concat([BOM, Buffer.from(text)]));
  const cli = runCli(['check', file, '--json'], dir);
  const [expected] = JSON.parse(cli.out).diagnostics as { code: string; message: string; line: number; column: number }[];
  assert.equal(expected.code, 'utf8-bom');

  const uri = pathToFileURL(file).href;
  const d = await client.open(uri, text);
  assert.deepEqual(
    d.diagnostics.map((x) => [x.code, x.severity, x.message, x.range.start.line + 1, x.range.start.character + 1]),
    [[expected.code, 1, expected.message, expected.line, expected.column]],
  );

  const fix = (await actionsAt(uri)).find((a) => a.title.startsWith('Remove the UTF-8 BOM')) as CodeAction;
  assert.ok(fix, 'a quick fix for the BOM');
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.command?.command, 'workbench.action.editor.changeEncoding');

  // "Save with Encoding → UTF-8" rewrites the file without the BOM: the diagnostic goes on save.
  writeFileSync(file, text);
  const saved = client.nextDiagnostics(uri, (p) => !p.diagnostics.some((x) => x.code === 'utf8-bom'));
  await client.conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
  assert.deepEqual(
    (await saved).diagnostics.filter((x) => x.severity === 1),
    [],
  );
});

test('a BOM in the text (editors that keep it): the same diagnostic, fixed by deleting it', async () => {
  const uri = 'untitled:with-bom.cfg';
  const d = await client.open(uri, `\uFEFF${text}`);
  assert.deepEqual(
    d.diagnostics.map((x) => x.code),
    ['utf8-bom'],
  );
  const fix = (await actionsAt(uri)).find((a) => a.title === 'Remove the UTF-8 BOM') as CodeAction;
  assert.deepEqual(fix.edit?.changes?.[uri], [
    { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, newText: '' },
  ]);
});
