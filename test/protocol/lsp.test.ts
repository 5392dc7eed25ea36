// The language server's LSP extensions, both sides: the bundled server sends the network summary
// on the method of the typed notification the extension's LanguageClient listens to, and its
// "Compare with original" lens names a command the extension registers and declares.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { main } from '../../cli/main';
import type { NetworkSummaryParams } from '../../core/src/lang/summary';
import { compareWithOriginalCommand, LENS_COMMANDS, NetworkSummaryNotification } from '../../core/src/protocol/lsp';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { COMMANDS } from '../../client/src/constants';
import { REPO, readCfg } from '../corpus';
import { LspClient } from '../lsp/client';

let dir = '',
  client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-lsp-protocol-'));
  const text = readCfg('yolov4-tiny.cfg');
  const net = analyseText(text);
  writeFileSync(join(dir, 'tiny.cfg'), text);
  writeFileSync(join(dir, 'tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
  const err: string[] = [];
  const code = await main(
    ['prune', 'channel', join(dir, 'tiny.cfg'), join(dir, 'tiny.weights'), '--global-percent', '0.5', '-o', join(dir, 'out')],
    { out: () => undefined, err: (t) => err.push(t) },
  );
  assert.equal(code, 0, err.join('\n'));
  client = await LspClient.start();
});
after(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the server sends the network summary as the typed notification', async () => {
  assert.equal(NetworkSummaryNotification.method, 'darknet/networkSummary');
  const uri = pathToFileURL(join(dir, 'tiny.cfg')).href;
  const received = new Promise<NetworkSummaryParams>((resolve) => {
    client.conn.onNotification(NetworkSummaryNotification, (p) => {
      if (p.uri === uri) resolve(p);
    });
  });
  await client.open(uri, readCfg('yolov4-tiny.cfg'));
  const p = await received;
  assert.deepEqual(p.summary, { text: '38 layers · 6.910 BFLOPs', detail: '416×416×3 · 6,056,606 params · no errors', errors: 0 });
});

test("the pruned cfg's lens runs a command of the extension's table, declared in package.json", async () => {
  const file = join(dir, 'out', 'tiny-pruned.cfg');
  const uri = pathToFileURL(file).href;
  await client.open(uri, readFileSync(file, 'utf8'));
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const compare = lenses.find((l) => l.command?.command === LENS_COMMANDS.compareWithOriginal);
  assert.deepEqual(compare?.command, compareWithOriginalCommand('Compare with original', uri));
  assert.equal(COMMANDS.compareWithOriginal, LENS_COMMANDS.compareWithOriginal);
  const declared = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } })
    .contributes.commands;
  assert.ok(declared.some((c) => c.command === LENS_COMMANDS.compareWithOriginal));
});
