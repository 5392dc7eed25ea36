// The language server's handlers (in process; test/lsp/in-process.ts), driven by a real JSON-RPC client, on real corpus cfgs.
import { after, before, describe, test } from 'node:test';
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
  TextEdit,
} from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { readCfg } from '../corpus';
import { applyEdits, find, type LspSession } from './client';
import { startServer } from './in-process';

const TINY = 'file:///corpus/yolov4-tiny.cfg';
const tiny = readCfg('yolov4-tiny.cfg');
const doc = (uri: string) => ({ textDocument: { uri } });
const md = (h: Hover | null) => (h?.contents as MarkupContent).value;

let client: LspSession;
before(async () => {
  client = await startServer();
  const d = await client.open(TINY, tiny);
  assert.deepEqual(
    d.diagnostics.filter((x) => x.severity === 1),
    [],
    'yolov4-tiny.cfg has no errors',
  );
});
after(async () => {
  await client.stop();
});

describe('language server on yolov4-tiny.cfg', () => {
  test('advertises incremental sync and every feature', async () => {
    const c = await startServer();
    try {
      const init = await c.request<InitializeResult>('initialize', { processId: null, rootUri: null, capabilities: {} });
      const caps = init.capabilities;
      assert.equal((caps.textDocumentSync as { change: number }).change, 2, 'incremental');
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
        assert.ok(caps[k], k);
    } finally {
      await c.stop();
    }
  });

  test('hover on a section header: index, type, in→out shape, params, BFLOPs, resolved inputs', async () => {
    const route8 = find(tiny, '[route]', find(tiny, 'layers = -6,-1').line - 1);
    const h = md(await client.request<Hover>('textDocument/hover', { ...doc(TINY), position: route8 }));
    assert.match(h, /Layer 8 · route/);
    assert.match(h, /104×104×64 → 104×104×128|104×104×128 → 104×104×128/);
    assert.match(h, /inputs \| 2 \(convolutional 104×104×64\), 7 \(convolutional 104×104×64\)/);
    const conv0 = find(tiny, '[convolutional]');
    const h0 = md(await client.request<Hover>('textDocument/hover', { ...doc(TINY), position: conv0 }));
    assert.match(h0, /Layer 0 · convolutional/);
    assert.match(h0, /416×416×3 → 208×208×32/);
    assert.match(h0, /params \| 928 \|/); // 3·3·3·32 weights + 32 biases + 32 BN scales
    assert.match(h0, /\.weights floats \| 992 \|/); // + 2·32 BN rolling statistics
    assert.match(h0, /BFLOPs \| 0\.075 \|/); // darknet: 0.075 BF
    assert.match(h0, /inputs \| network input/);
  });

  test('hover on a key: its documentation and default', async () => {
    const h = md(await client.request<Hover>('textDocument/hover', { ...doc(TINY), position: find(tiny, 'filters=32') }));
    assert.match(h, /\*\*filters\*\*/);
    assert.match(h, /Default: `1`/);
    const a = md(await client.request<Hover>('textDocument/hover', { ...doc(TINY), position: find(tiny, 'activation=leaky') }));
    assert.match(a, /Default: `logistic`/);
    assert.match(a, /`mish`/);
  });

  test('hover on a reference names the layer it resolves to', async () => {
    const p = find(tiny, 'layers = -6,-1');
    const h = md(
      await client.request<Hover>('textDocument/hover', { ...doc(TINY), position: { line: p.line, character: p.character + 10 } }),
    );
    assert.match(h, /-6 → layer 2: convolutional 104×104×64/);
  });

  test('go to definition on a reference', async () => {
    const p = find(tiny, 'layers = -6,-1');
    const loc = await client.request<Location>('textDocument/definition', {
      ...doc(TINY),
      position: { line: p.line, character: p.character + 10 },
    });
    const net = analyseText(tiny);
    assert.equal(loc.uri, TINY);
    assert.deepEqual(loc.range, net.layers[2].section.headerRange);
    const none = await client.request<Location | null>('textDocument/definition', { ...doc(TINY), position: find(tiny, 'filters=32') });
    assert.equal(none, null);
  });

  test('find references: who consumes a layer', async () => {
    const net = analyseText(tiny);
    const header2 = net.layers[2].section.headerRange.start;
    const refs = await client.request<Location[]>('textDocument/references', {
      ...doc(TINY),
      position: header2,
      context: { includeDeclaration: false },
    });
    // Layer 2 feeds layer 3 (route layers=-1) and layer 8 (route layers=-6,-1).
    const lines = refs.map((r) => r.range.start.line).sort((a, b) => a - b);
    assert.deepEqual(lines, [net.layers[3].section.options[0].line, net.layers[8].section.options[0].line]);
    const withDecl = await client.request<Location[]>('textDocument/references', {
      ...doc(TINY),
      position: header2,
      context: { includeDeclaration: true },
    });
    assert.equal(withDecl.length, 3);
    // Asked on the reference itself, the answer is about the referenced layer.
    const p = find(tiny, 'layers = -6,-1');
    const fromRef = await client.request<Location[]>('textDocument/references', {
      ...doc(TINY),
      position: { line: p.line, character: p.character + 10 },
      context: { includeDeclaration: false },
    });
    assert.deepEqual(
      fromRef.map((r) => r.range.start.line).sort((a, b) => a - b),
      lines,
    );
    // A plain conv layer is consumed by the next one through its header.
    const r0 = await client.request<Location[]>('textDocument/references', {
      ...doc(TINY),
      position: net.layers[0].section.headerRange.start,
      context: { includeDeclaration: false },
    });
    assert.deepEqual(
      r0.map((r) => r.range),
      [net.layers[1].section.headerRange],
    );
  });

  test('document symbols: the outline', async () => {
    const syms = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', doc(TINY));
    assert.equal(syms.length, 39);
    assert.equal(syms[0].name, 'net 416×416×3');
    assert.equal(syms[1].name, '0 convolutional 208×208×32');
    assert.equal(syms[9].name, '8 route 104×104×128');
    assert.equal(syms[31].name, '30 yolo 13×13×255');
    assert.ok(syms[1].children!.some((c) => c.name === 'filters' && c.detail === '32'));
  });

  test('folding: one range per section', async () => {
    const folds = await client.request<FoldingRange[]>('textDocument/foldingRange', doc(TINY));
    const net = analyseText(tiny);
    assert.equal(folds.length, 39);
    assert.deepEqual(folds[1], { startLine: net.layers[0].section.line, endLine: net.layers[0].section.range.end.line });
  });

  test('inlay hints: index and output shape after headers, absolute target after relative references', async () => {
    const lines = tiny.split('\n').length;
    const hints = await client.request<InlayHint[]>('textDocument/inlayHint', {
      ...doc(TINY),
      range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } },
    });
    const net = analyseText(tiny);
    const h0 = hints.find((h) => h.position.line === net.layers[0].section.line)!;
    assert.equal(h0.label, '0 → 208×208×32');
    assert.deepEqual(h0.position, net.layers[0].section.headerRange.end);
    const p = find(tiny, 'layers = -6,-1');
    const refHints = hints.filter((h) => h.position.line === p.line).map((h) => h.label);
    assert.deepEqual(refHints, ['→ 2', '→ 7']);
    // Only the requested range.
    const some = await client.request<InlayHint[]>('textDocument/inlayHint', {
      ...doc(TINY),
      range: { start: { line: p.line, character: 0 }, end: { line: p.line, character: 99 } },
    });
    assert.deepEqual(
      some.map((h) => h.label),
      ['→ 2', '→ 7'],
    );
  });

  test('code lens on [net]: layers, params, BFLOPs', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', doc(TINY));
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 0);
    assert.equal(lenses[0].command!.title, '416×416×3 · 38 layers · 6,056,606 params · 6.910 BFLOPs');
  });

  test('completion: section names, keys of the section with defaults, enum values', async () => {
    const uri = 'file:///inline/complete.cfg';
    const text = '[net]\nwidth=416\nheight=416\nchannels=3\n\n[convolutional]\nfilters=16\nsize=3\nactivation=\n\n[\n';
    await client.open(uri, text);
    const sections = await client.request<CompletionList>('textDocument/completion', { ...doc(uri), position: { line: 10, character: 1 } });
    const labels = sections.items.map((i) => i.label);
    for (const s of ['[convolutional]', '[conv]', '[route]', '[shortcut]', '[yolo]', '[maxpool]']) assert.ok(labels.includes(s), s);
    const route = sections.items.find((i) => i.label === '[route]')!;
    assert.deepEqual(route.textEdit, { range: { start: { line: 10, character: 0 }, end: { line: 10, character: 1 } }, newText: '[route]' });

    const keys = await client.request<CompletionList>('textDocument/completion', { ...doc(uri), position: { line: 9, character: 0 } });
    const pad = keys.items.find((i) => i.label === 'pad')!;
    assert.ok(pad, 'pad offered');
    assert.equal((pad.textEdit as TextEdit).newText, 'pad=${1:0}');
    assert.equal(pad.insertTextFormat, 2);
    assert.ok(!keys.items.some((i) => i.label === 'filters'), 'keys already set are not offered again');
    const act = keys.items.find((i) => i.label === 'batch_normalize')!;
    assert.match(act.detail!, /= 0/);

    const values = await client.request<CompletionList>('textDocument/completion', { ...doc(uri), position: { line: 8, character: 11 } });
    const vl = values.items.map((i) => i.label);
    for (const v of ['leaky', 'mish', 'linear', 'logistic', 'swish']) assert.ok(vl.includes(v), v);
    assert.deepEqual((values.items[0].textEdit as TextEdit).range, { start: { line: 8, character: 11 }, end: { line: 8, character: 11 } });
  });

  test('code actions: convert references to absolute and back', async () => {
    const p = find(tiny, 'layers = -6,-1');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      ...doc(TINY),
      range: { start: p, end: p },
      context: { diagnostics: [] },
    });
    const abs = actions.find((a) => a.title === 'Convert references to absolute')!;
    assert.equal(abs.kind, 'refactor.rewrite');
    assert.deepEqual(
      abs.edit!.changes![TINY].map((e) => e.newText),
      ['2', '7'],
    );
    const all = actions.find((a) => a.title === 'Convert all references in the file to absolute')!;
    const converted = applyEdits(tiny, all.edit!.changes![TINY]);
    const targets = (t: string) => analyseText(t).layers.map((l) => l.refs.map((r) => r.target));
    assert.deepEqual(targets(converted), targets(tiny));
    assert.ok(
      analyseText(converted).layers.every((l) => l.refs.every((r) => r.raw >= 0)),
      'all absolute',
    );
    // And back to relative, through the server.
    const uri = 'file:///inline/absolute.cfg';
    await client.open(uri, converted);
    const back = await client.request<CodeAction[]>('textDocument/codeAction', {
      ...doc(uri),
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    const rel = back.find((a) => a.title === 'Convert all references in the file to relative')!;
    const relText = applyEdits(converted, rel.edit!.changes![uri]);
    assert.deepEqual(targets(relText), targets(tiny));
    assert.ok(
      analyseText(relText).layers.every((l) => l.refs.every((r) => r.raw < 0)),
      'all relative',
    );
  });
});
