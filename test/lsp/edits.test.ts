// Diagnostics after edits, quick fixes, reference repair after inserting/deleting sections, settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, InlayHint, CodeLens } from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { readCfg } from '../corpus';
import { LspClient, applyEdits, find } from './client';

const doc = (uri: string) => ({ textDocument: { uri } });
const targets = (t: string) => analyseText(t).layers.map((l) => l.refs.map((r) => r.target));
const edit = (line: number, from: number, to: number, text: string) => ({
  range: { start: { line, character: from }, end: { line, character: to } },
  text,
});

async function actionsAt(c: LspClient, uri: string, d: Diagnostic): Promise<CodeAction[]> {
  return c.request<CodeAction[]>('textDocument/codeAction', { ...doc(uri), range: d.range, context: { diagnostics: [d] } });
}

test('diagnostics after an edit: a planted yolo filters error appears, its quick fix clears it', async () => {
  const c = await LspClient.start();
  try {
    const uri = 'file:///corpus/yolov3-tiny.cfg';
    let text = readCfg('yolov3-tiny.cfg');
    const first = await c.open(uri, text);
    assert.equal(first.diagnostics.filter((d) => d.severity === 1).length, 0);
    const p = find(text, 'filters=255');
    const change = edit(p.line, p.character + 8, p.character + 11, '254');
    const after = await c.changeAndWait(uri, [change]);
    text = applyEdits(text, [{ range: change.range, newText: change.text }]);
    const err = after.diagnostics.find((d) => d.code === 'yolo-filters')!;
    assert.ok(err, 'yolo-filters reported');
    assert.equal(err.source, 'darknet');
    assert.equal(err.severity, 1);
    assert.equal(err.range.start.line, p.line);
    assert.match(err.message as string, /should be 255/);
    assert.deepEqual((err.data as { fix: { title: string } }).fix.title, 'Set filters=255');
    const fix = (await actionsAt(c, uri, err)).find((a) => a.title === 'Set filters=255')!;
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, true);
    const edits = fix.edit!.changes![uri];
    const cleared = await c.changeAndWait(
      uri,
      edits.map((e) => ({ range: e.range, text: e.newText })),
    );
    assert.deepEqual(
      cleared.diagnostics.filter((d) => d.severity === 1),
      [],
    );
    assert.equal(applyEdits(text, edits), readCfg('yolov3-tiny.cfg'));
  } finally {
    await c.stop();
  }
});

test('inserting a section: refs-shifted diagnostics and a working "Fix layer references"', async () => {
  const c = await LspClient.start();
  try {
    const uri = 'file:///corpus/yolov3.cfg';
    const original = readCfg('yolov3.cfg');
    const open = await c.open(uri, original);
    assert.ok(!open.diagnostics.some((d) => d.code === 'refs-shifted'));
    // Insert a conv block after layer 36 (the first route source of the neck is layer 36, layers=-1, 36).
    const net = analyseText(original);
    const line = net.layers[40].section.range.end.line + 1;
    const block = '\n[convolutional]\nbatch_normalize=1\nfilters=1024\nsize=3\nstride=1\npad=1\nactivation=leaky\n';
    const shifted = await c.changeAndWait(uri, [edit(line, 0, 0, block)]);
    let text = applyEdits(original, [{ range: edit(line, 0, 0, '').range, newText: block }]);
    const notes = shifted.diagnostics.filter((d) => d.code === 'refs-shifted');
    assert.ok(notes.length > 0, 'refs-shifted reported');
    assert.ok(notes.every((d) => d.severity === 3 && d.source === 'darknet'));
    assert.match(notes[0].message as string, new RegExp(`Inserting/deleting sections shifted ${notes.length} layer reference`));
    // What the insertion broke: targets differ from the original beyond the inserted layer.
    assert.notDeepEqual(targets(text).slice(42), targets(original).slice(41));

    const fix = (await actionsAt(c, uri, notes[0])).find((a) => a.title === 'Fix layer references')!;
    assert.ok(fix, 'Fix layer references offered');
    assert.equal(fix.kind, 'quickfix');
    const edits = fix.edit!.changes![uri];
    assert.equal(edits.length, notes.length);
    const repaired = await c.changeAndWait(
      uri,
      edits.map((e) => ({ range: e.range, text: e.newText })),
    );
    text = applyEdits(text, edits);
    assert.ok(!repaired.diagnostics.some((d) => d.code === 'refs-shifted'), 'repair clears the notes');
    // Every surviving layer references the same layers as before (the inserted layer is 41).
    const mapOld = (t: number) => (t >= 41 ? t + 1 : t);
    const want = targets(original).map((ts) => ts.map(mapOld));
    want.splice(41, 0, []);
    assert.deepEqual(targets(text), want);
    assert.deepEqual(
      repaired.diagnostics.filter((d) => d.severity === 1),
      [],
    );
  } finally {
    await c.stop();
  }
});

test('deleting a section, then saving, accepts the text as intended', async () => {
  const c = await LspClient.start();
  try {
    const uri = 'file:///corpus/yolov4-tiny.cfg';
    const original = readCfg('yolov4-tiny.cfg');
    await c.open(uri, original);
    const net = analyseText(original);
    const s = net.layers[9].section; // a maxpool: later relative references that span it now miss their layer
    const del = { range: { start: { line: s.line, character: 0 }, end: { line: s.range.end.line + 1, character: 0 } }, text: '' };
    const after = await c.changeAndWait(uri, [del]);
    assert.ok(after.diagnostics.some((d) => d.code === 'refs-shifted'));
    const saved = c.nextDiagnostics(uri, (p) => p.version === 2 && !p.diagnostics.some((d) => d.code === 'refs-shifted'));
    await c.conn.sendNotification('textDocument/didSave', doc(uri));
    await saved;
  } finally {
    await c.stop();
  }
});

test('settings: darknet.inlayHints.*, darknet.codeLens.enable and darknet.diagnostics.debounceMs are read through workspace/configuration', async () => {
  const c = await LspClient.start({
    settings: {
      inlayHints: { layerIndex: true, outputShape: false, references: false },
      codeLens: { enable: false },
      diagnostics: { debounceMs: 0 },
    },
  });
  try {
    const uri = 'file:///corpus/yolov4-tiny.cfg';
    const text = readCfg('yolov4-tiny.cfg');
    await c.open(uri, text);
    // Settings are requested after `initialized`; a round trip later they are in force.
    await c.request('textDocument/documentSymbol', doc(uri));
    const hints = await c.request<InlayHint[]>('textDocument/inlayHint', {
      ...doc(uri),
      range: { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } },
    });
    assert.equal(hints.length, 38);
    assert.equal(hints[0].label, '0');
    const lenses = await c.request<CodeLens[]>('textDocument/codeLens', doc(uri));
    assert.deepEqual(lenses, []);
    // debounceMs 0: every change is published, none is skipped.
    const versions: number[] = [];
    const p = find(text, 'filters=32');
    const all = c.nextDiagnostics(uri, (d) => {
      versions.push(d.version!);
      return d.version === 6;
    });
    for (let i = 0; i < 5; i++) await c.change(uri, [edit(p.line, p.character + 8, p.character + 10, String(32 + i))]);
    await all;
    assert.deepEqual(versions, [2, 3, 4, 5, 6]);
  } finally {
    await c.stop();
  }
});

test('default debounce coalesces a burst of changes into one publish of the last version', async () => {
  const c = await LspClient.start();
  try {
    const uri = 'file:///corpus/yolov4-tiny.cfg';
    const text = readCfg('yolov4-tiny.cfg');
    await c.open(uri, text);
    const versions: number[] = [];
    const p = find(text, 'filters=32');
    const last = c.nextDiagnostics(uri, (d) => {
      versions.push(d.version!);
      return d.version === 11;
    });
    for (let i = 0; i < 10; i++) await c.change(uri, [edit(p.line, p.character + 8, p.character + 10, String(40 + i))]);
    await last;
    assert.deepEqual(versions, [11]);
    assert.ok(c.alive);
  } finally {
    await c.stop();
  }
});
