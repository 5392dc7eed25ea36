// A pruned cfg opened in the language server shows per-layer "before → after" hints, hover details
// and a totals lens against its original (found through prune-report.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { REPO, readCfg } from '../corpus';
import { NetworkGraphRequest } from '../../core/src/protocol/lsp';
import { find, type LspSession } from './client';
import { startServer } from './in-process';

let dir: string, client: LspSession, prunedText: string, uri: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-lsp-pruned-'));
  const text = readCfg('yolov4-tiny.cfg');
  writeFileSync(join(dir, 'tiny.cfg'), text);
  const net = analyseText(text);
  writeFileSync(join(dir, 'tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
  execFileSync(
    process.execPath,
    [join(REPO, 'bin', 'darknet-pruner.js'), 'prune', 'channel', 'tiny.cfg', 'tiny.weights', '--global-percent', '0.5', '-o', 'out'],
    { cwd: dir, stdio: 'pipe' },
  );
  const prunedPath = join(dir, 'out', 'tiny-pruned.cfg');
  prunedText = readFileSync(prunedPath, 'utf8');
  uri = pathToFileURL(prunedPath).href;
  client = await startServer();
  await client.open(uri, prunedText);
});
after(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('inlay hints show filters before → after on pruned layers', async () => {
  const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } },
  });
  const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
  const pruned = labels.filter((l) => /^\d+ → \d+ \(−\d+%\)$/.test(l));
  assert.ok(pruned.length >= 5, `pruned-layer hints: ${pruned.join(' | ')}`);
  assert.ok(
    pruned.some((l) => l.startsWith('32 → ')),
    'the first conv (32 filters) is narrowed',
  );
});

test('hover on a pruned section adds the before/after table', async () => {
  const pos = find(prunedText, '[convolutional]');
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: pos });
  const value = (h.contents as MarkupContent).value;
  assert.match(value, /\*\*Pruned\*\* from layer 0 of tiny\\\.cfg/); // the file name escaped as Markdown
  assert.match(value, /\| filters \| 32 \| \d+ \| −\d+% \|/);
});

test('code lens on [net]: totals against the original and Compare with original', async () => {
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const titles = lenses.map((l) => l.command?.title ?? '');
  assert.ok(
    titles.some((t) =>
      /^Pruned from tiny\.cfg: params 6,056,606 → [\d,]+ \(−\d+%\) · BFLOPs 6\.910 → [\d.]+ \(−\d+%\) · layers 38 → 38$/.test(t),
    ),
    titles.join('\n'),
  );
  const compare = lenses.find((l) => l.command?.command === 'darknet.compareWithOriginal');
  assert.deepEqual(compare?.command?.arguments, [uri]);
});

test('an ordinary cfg gets none of this', async () => {
  const plain = pathToFileURL(join(dir, 'tiny.cfg')).href;
  await client.open(plain, readCfg('yolov4-tiny.cfg'));
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: plain } });
  assert.equal(lenses.filter((l) => /Pruned from|Compare/.test(l.command?.title ?? '')).length, 0);
});

test('with its diagnostics the server sends the network summary the status item shows', async () => {
  const plain = pathToFileURL(join(dir, 'summary.cfg')).href;
  const summary = client.nextSummary(plain);
  await client.open(plain, readCfg('yolov4-tiny.cfg').replace('filters=255', 'filters=254'));
  assert.deepEqual(await summary, { text: '38 layers · 6.910 BFLOPs', detail: '416×416×3 · 6,056,093 params · 1 error', errors: 1 });
});

test('the network graph of a pruned cfg carries the overlay: channels kept per layer', async () => {
  const g = await client.conn.sendRequest(NetworkGraphRequest, { uri });
  assert.ok(g?.prune, 'no pruning overlay');
  assert.equal(g.prune.original, 'tiny.cfg');
  const first = g.prune.layers.find((l) => l.index === 0)!;
  assert.equal(first.filtersBefore, 32);
  assert.ok(first.kept !== null && first.kept > 0 && first.kept < 1, `layer 0 kept ${first.kept}`);
  assert.deepEqual(g.prune.removed, [], 'channel pruning removes no layer');
});
