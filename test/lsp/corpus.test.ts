// Every corpus cfg through the language server's handlers (in process; test/lsp/in-process.ts),
// checked against darknet's own account of the network (<name>.layers.json beside each cfg):
// diagnostics and summary, inlay hints, hover, outline, code lens and the graph request; and a
// planted yolo filters error reported where it is, with the quick fix that clears it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CodeAction, CodeLens, DocumentSymbol, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { NetworkGraphRequest } from '../../core/src/protocol/lsp';
import { CFG_DIR, corpusCfgs, readCfg, readLayersJson } from '../corpus';
import { applyEdits, type LspSession } from './client';
import { startServer } from './in-process';

const ALL = { start: { line: 0, character: 0 }, end: { line: 999_999, character: 0 } };
const label = (h: InlayHint) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
let client: LspSession;

before(async () => {
  client = await startServer({ settings: { diagnostics: { debounceMs: 0 } } });
});
after(async () => {
  await client?.stop();
});

for (const name of corpusCfgs()) {
  test(`${name}: every handler agrees with darknet's layers`, async () => {
    const want = readLayersJson(join(CFG_DIR, name.replace(/\.cfg$/, '.layers.json')));
    const n = want.layers.length;
    const text = readCfg(name);
    const uri = `file:///corpus/${name}`;
    const summary = client.nextSummary(uri);
    const diags = await client.open(uri, text);
    assert.deepEqual(
      diags.diagnostics.filter((d) => d.severity === 1),
      [],
      'no errors on a cfg darknet loads',
    );
    assert.match(
      ((await summary) as { text: string }).text,
      new RegExp(`^${n} layers · ${want.total_bflops_float32_accumulated.toFixed(3)} BFLOPs$`),
    );

    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: ALL });
    const headerHints = hints.filter((h) => /^\d+ → /.test(label(h))).map(label);
    assert.deepEqual(
      headerHints,
      want.layers.map((l) => `${l.index} → ${l.out.join('×')}`),
    );

    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols.length, n + 1, '[net] and one symbol per layer');
    const layerSymbols = symbols.slice(1);
    assert.deepEqual(
      layerSymbols.map((s) => s.name),
      want.layers.map((l) => `${l.index} ${l.type} ${l.out.join('×')}`),
    );

    for (const [i, s] of layerSymbols.entries()) {
      const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: s.selectionRange.start });
      assert.ok((h.contents as MarkupContent).value.startsWith(`**Layer ${i} · ${want.layers[i].type}**`), `hover on layer ${i}`);
    }

    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 1);
    assert.match(
      lenses[0].command!.title,
      new RegExp(` · ${n} layers · [\\d,]+ params · ${want.total_bflops_float32_accumulated.toFixed(3)} BFLOPs$`),
    );

    const g = await client.conn.sendRequest(NetworkGraphRequest, { uri });
    assert.ok(g, 'a graph for an open document');
    assert.equal(g.nodes.length, n);
    for (const l of want.layers) {
      if (!Array.isArray(l.input_layers)) continue;
      const from = g.edges
        .filter((e) => e.to === l.index)
        .map((e) => e.from)
        .sort((a, b) => a - b);
      // A route reads only the layers it names; a shortcut (or sam, scale_channels) also the layer before it.
      const inputs = l.type === 'route' ? (l.input_layers as number[]) : [l.index - 1, ...(l.input_layers as number[])];
      assert.deepEqual(
        from,
        [...new Set(inputs)].sort((a, b) => a - b),
        `edges into layer ${l.index} (${l.type})`,
      );
    }
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  });
}

const withYolo = corpusCfgs().filter((c) => /^\[yolo\]/m.test(readCfg(c)));

test(`a wrong filters= before the first [yolo] of each of ${withYolo.length} cfgs: one located error and its fix`, async () => {
  for (const name of withYolo) {
    const text = readCfg(name);
    const lines = text.split('\n');
    const yolo = lines.findIndex((l) => l.trim() === '[yolo]');
    let line = yolo;
    while (!/^filters\s*=/.test(lines[line])) line--;
    const right = Number(/=\s*(\d+)/.exec(lines[line])![1]);
    const uri = `file:///planted/${name}`;
    const planted = lines.map((l, i) => (i === line ? `filters=${right + 1}` : l)).join('\n');
    const d = await client.open(uri, planted);
    const errors = d.diagnostics.filter((x) => x.severity === 1);
    assert.deepEqual(
      errors.map((e) => [e.code, e.range.start.line]),
      [['yolo-filters', line]],
      name,
    );
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: errors[0].range,
      context: { diagnostics: errors },
    });
    const fix = actions.find((a) => a.title === `Set filters=${right}`);
    assert.ok(fix, `${name}: ${actions.map((a) => a.title).join(' | ')}`);
    const fixed = applyEdits(planted, fix.edit!.changes![uri]);
    const cleared = await client.changeAndWait(
      uri,
      fix.edit!.changes![uri].map((e) => ({ range: e.range, text: e.newText })),
    );
    assert.deepEqual(
      cleared.diagnostics.filter((x) => x.severity === 1),
      [],
      name,
    );
    assert.equal(fixed.split('\n')[line].replace(/\s/g, ''), `filters=${right}`);
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }
});
