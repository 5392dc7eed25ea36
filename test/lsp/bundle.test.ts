// The shipped bundle (node server/out/server.js --stdio, built from server/src/main.ts): every
// handler createServer registers answers through it once. The many-case handler tests run in
// process (test/lsp/in-process.ts); edits, bom and untrusted-files also run over stdio.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  CodeAction,
  CodeLens,
  CompletionList,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InitializeResult,
  InlayHint,
  Location,
  MarkupContent,
} from 'vscode-languageserver-protocol';
import { NetworkGraphRequest } from '../../core/src/protocol/lsp';
import { readCfg } from '../corpus';
import { LspClient, find } from './client';

const uri = 'file:///bundle/yolov4-tiny.cfg';
const text = readCfg('yolov4-tiny.cfg');
const doc = { textDocument: { uri } };
const ref = find(text, 'layers = -6,-1');
const onRef = { line: ref.line, character: ref.character + 10 };
let client: LspClient;

before(async () => {
  client = await LspClient.start();
  const summary = client.nextSummary(uri);
  const d = await client.open(uri, text);
  assert.deepEqual(
    d.diagnostics.filter((x) => x.severity === 1),
    [],
  );
  assert.deepEqual(await summary, { text: '38 layers · 6.910 BFLOPs', detail: '416×416×3 · 6,056,606 params · no errors', errors: 0 });
});
after(async () => {
  await client?.stop();
});

test('the bundle starts over stdio, names itself and advertises every feature', async () => {
  const c = await LspClient.start();
  try {
    const init = await c.request<InitializeResult>('initialize', { processId: null, rootUri: null, capabilities: {} });
    assert.equal(init.serverInfo?.name, 'darknet-cfg-language-server');
    for (const k of [
      'hoverProvider',
      'definitionProvider',
      'referencesProvider',
      'documentSymbolProvider',
      'foldingRangeProvider',
      'inlayHintProvider',
      'codeLensProvider',
      'completionProvider',
      'codeActionProvider',
    ] as const)
      assert.ok(init.capabilities[k], k);
  } finally {
    await c.stop();
  }
});

test('every request handler answers through the bundle', async () => {
  const hover = await client.request<Hover>('textDocument/hover', { ...doc, position: find(text, '[convolutional]') });
  assert.match((hover.contents as MarkupContent).value, /Layer 0 · convolutional/);
  const def = await client.request<Location>('textDocument/definition', { ...doc, position: onRef });
  assert.equal(def.uri, uri);
  const refs = await client.request<Location[]>('textDocument/references', {
    ...doc,
    position: onRef,
    context: { includeDeclaration: false },
  });
  assert.equal(refs.length, 2);
  assert.equal((await client.request<DocumentSymbol[]>('textDocument/documentSymbol', doc)).length, 39);
  assert.equal((await client.request<FoldingRange[]>('textDocument/foldingRange', doc)).length, 39);
  const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
    ...doc,
    range: { start: { line: ref.line, character: 0 }, end: { line: ref.line, character: 99 } },
  });
  assert.deepEqual(
    hints.map((h) => h.label),
    ['→ 2', '→ 7'],
  );
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', doc);
  assert.equal(lenses[0].command!.title, '416×416×3 · 38 layers · 6,056,606 params · 6.910 BFLOPs');
  const completion = await client.request<CompletionList>('textDocument/completion', { ...doc, position: find(text, 'activation=leaky') });
  assert.ok(completion.items.length > 0);
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
    ...doc,
    range: { start: ref, end: ref },
    context: { diagnostics: [] },
  });
  assert.ok(actions.some((a) => a.title === 'Convert references to absolute'));
  const graph = await client.conn.sendRequest(NetworkGraphRequest, { uri });
  assert.equal(graph?.nodes.length, 38);
});
