// darknet/networkGraph through the language server (in process; test/lsp/in-process.ts): the graph of an open document from its
// current analysis (the version it was computed from included) with its layout, following edits (an
// edit that moves no edge keeps the layout, one that moves a route's edge is laid out for its new
// edges); null for a document the server does not have.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkGraph } from '../../core/src/protocol/graph';
import { NetworkGraphRequest } from '../../core/src/protocol/lsp';
import { readCfg } from '../corpus';
import { find, type LspSession } from './client';
import { startServer } from './in-process';

const uri = 'file:///graph/yolov4-tiny.cfg';
const text = readCfg('yolov4-tiny.cfg');
let client: LspSession;
let first: NetworkGraph;

before(async () => {
  client = await startServer({ settings: { diagnostics: { debounceMs: 0 } } });
  await client.open(uri, text);
});
after(async () => {
  await client?.stop();
});

test('the graph of an open cfg', async () => {
  const g = await client.conn.sendRequest(NetworkGraphRequest, { uri });
  assert.ok(g);
  assert.equal(g.uri, uri);
  assert.equal(g.version, 1);
  assert.equal(g.nodes.length, 38);
  assert.deepEqual(
    g.edges
      .filter((e) => e.to === 8)
      .map((e) => e.from)
      .sort((a, b) => a - b),
    [2, 7],
  );
  assert.equal(g.prune, undefined);
  assert.equal(g.layout.boxes.length, 38);
  assert.equal(g.layout.routes.length, g.edges.length);
  first = g;
});

test('an edit that moves no edge keeps the layout', async () => {
  const at = find(text, 'filters=64');
  await client.changeAndWait(uri, [
    { range: { start: at, end: { line: at.line, character: at.character + 'filters=64'.length } }, text: 'filters=60' },
  ]);
  const g = await client.conn.sendRequest(NetworkGraphRequest, { uri });
  assert.equal(g?.version, 2);
  assert.notDeepEqual(g.nodes, first.nodes);
  assert.deepEqual(g.layout, first.layout);
});

test("an edit of a route's layers= moves its edge in the next graph", async () => {
  const at = find(text, 'layers = -6,-1');
  await client.changeAndWait(uri, [
    { range: { start: at, end: { line: at.line, character: at.character + 'layers = -6,-1'.length } }, text: 'layers = -5,-1' },
  ]);
  const g = await client.conn.sendRequest(NetworkGraphRequest, { uri });
  assert.equal(g?.version, 3);
  assert.deepEqual(
    g.edges
      .filter((e) => e.to === 8)
      .map((e) => e.from)
      .sort((a, b) => a - b),
    [3, 7],
  );
  assert.notEqual(g.layout.key, first.layout.key);
  assert.equal(g.layout.routes.length, g.edges.length);
});

test('a document the server does not have: null', async () => {
  assert.equal(await client.conn.sendRequest(NetworkGraphRequest, { uri: 'file:///graph/none.cfg' }), null);
});
