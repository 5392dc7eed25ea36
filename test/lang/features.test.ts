// The pure language features of core/src/lang, in process, on small inline cfgs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { codeActions } from '../../core/src/lang/actions';
import { completionsAt } from '../../core/src/lang/completion';
import { hoverAt } from '../../core/src/lang/hover';
import { inlayHints } from '../../core/src/lang/inlay';
import { codeLenses } from '../../core/src/lang/lens';
import { definitionAt, referencesAt } from '../../core/src/lang/navigation';
import { documentSymbols, foldingRanges } from '../../core/src/lang/outline';
import { shiftedReferences } from '../../core/src/lang/repair';

const SMALL = [
  '[net]',
  'width=64',
  'height=64',
  'channels=3',
  '',
  '[convolutional]',
  'filters=8',
  'size=3',
  'stride=1',
  'pad=1',
  'activation=leaky',
  '', // 0  (line 5)
  '[convolutional]',
  'filters=8',
  'size=3',
  'stride=2',
  'pad=1',
  'activation=leaky',
  '', // 1  (line 12)
  '[upsample]',
  'stride=2',
  '', // 2  (line 19)
  '[route]',
  'layers=-1, 0',
  '', // 3  (line 22)
  '[bogus]',
  'x=1',
  '', // 4  (line 25)
].join('\n');
const pos = (line: number, character: number) => ({ line, character });

test('hover on [net] gives the totals; on a [net] key its documentation', () => {
  const net = analyseText(SMALL);
  assert.match(hoverAt(net, pos(0, 1))!.markdown, /Input 64×64×3 · 5 layers · 808 params · 0\.003 BFLOPs/);
  assert.match(hoverAt(net, pos(1, 2))!.markdown, /\*\*width\*\* \(int\) in `\[net\]`/);
  assert.equal(hoverAt(net, pos(4, 0)), undefined, 'blank line');
  assert.match(hoverAt(net, pos(25, 1))!.markdown, /Darknet does not know `\[bogus\]`/);
  assert.equal(hoverAt(net, pos(26, 0)), undefined, 'keys of an unknown section are not documented');
});

test('route references: definition, hover, inlay, references', () => {
  const net = analyseText(SMALL);
  assert.deepEqual(definitionAt(net, pos(23, 7))?.layer, 2);
  assert.deepEqual(definitionAt(net, pos(23, 11))?.layer, 0);
  assert.match(hoverAt(net, pos(23, 7))!.markdown, /-1 → layer 2: upsample 64×64×8/);
  assert.deepEqual(
    inlayHints(net, undefined)
      .filter((h) => h.kind === 'reference')
      .map((h) => h.label),
    ['→ 2'],
  );
  assert.deepEqual(
    inlayHints(net, undefined, { layerIndex: false, outputShape: true, references: false }).map((h) => h.label),
    ['→ 64×64×8', '→ 32×32×8', '→ 64×64×8', '→ 64×64×16', '→ ?'],
  );
  // Layer 0 is read by layer 1 (implicitly) and by the route (written).
  assert.deepEqual(
    referencesAt(net, pos(5, 3), false).map((r) => r.layer),
    [1, 3],
  );
});

test('outline, folding and lens', () => {
  const net = analyseText(SMALL);
  assert.deepEqual(
    documentSymbols(net).map((s) => s.name),
    ['net 64×64×3', '0 convolutional 64×64×8', '1 convolutional 32×32×8', '2 upsample 64×64×8', '3 route 64×64×16', '4 bogus'],
  );
  assert.deepEqual(
    documentSymbols(net).map((s) => s.kind),
    ['net', 'layer', 'layer', 'layer', 'merge', 'unknown'],
  );
  assert.deepEqual(foldingRanges(net)[1], { startLine: 5, endLine: 10 });
  assert.deepEqual(
    codeLenses(net).map((l) => l.title),
    ['64×64×3 · 5 layers · 808 params · 0.003 BFLOPs'],
  ); // 3·3·3·8+8 + 3·3·8·8+8
});

test('completion: a blank line in a section offers its keys first, then section headers', () => {
  const net = analyseText(SMALL);
  const items = completionsAt(net, pos(21, 0));
  const keys = items.filter((i) => i.kind === 'key').map((i) => i.label);
  assert.ok(keys.includes('scale') && !keys.includes('stride'), 'upsample keys, minus those set');
  assert.ok(items.some((i) => i.kind === 'section' && i.label === '[yolo]'));
  assert.ok(items.filter((i) => i.kind === 'key').every((i) => i.sortText! < items.find((s) => s.kind === 'section')!.sortText!));
  // A partly typed key is replaced whole; on a line that already has "=", only the key is inserted.
  const partial = analyseText(SMALL.replace('filters=8\nsize=3\nstride=1', 'filters=8\nsize=3\nstri=1'));
  const stride = completionsAt(partial, pos(8, 2)).find((i) => i.label === 'stride')!;
  assert.deepEqual(stride.range, { start: pos(8, 0), end: pos(8, 4) });
  assert.equal(stride.insertText, 'stride');
  // Enum values after "=": the whole value is replaced.
  const values = completionsAt(net, pos(10, 12));
  assert.ok(values.every((v) => v.kind === 'value'));
  assert.deepEqual(values[0].range, { start: pos(10, 11), end: pos(10, 16) });
  assert.deepEqual(completionsAt(net, pos(6, 8)), [], 'no values for an int key');
  // References: the earlier layers, nearest first; only the item under the cursor is replaced.
  const refs = completionsAt(net, pos(23, 11));
  assert.deepEqual(
    refs.map((r) => `${r.label} ${r.detail}`),
    ['-1 layer 2: upsample 64×64×8', '-2 layer 1: convolutional 32×32×8', '-3 layer 0: convolutional 64×64×8'],
  );
  assert.deepEqual(refs[0].range, { start: pos(23, 11), end: pos(23, 12) });
  assert.deepEqual(completionsAt(analyseText('# [con'), pos(0, 5)), [], 'nothing in comments');
});

test('repair: inserting a layer before layer 0 shifts the absolute reference; the fix restores its target', () => {
  const before = analyseText(SMALL);
  const lines = SMALL.split('\n');
  lines.splice(5, 0, '[maxpool]', 'size=1', 'stride=1', '');
  const text = lines.join('\n');
  const after = analyseText(text);
  const shifted = shiftedReferences(before, after)!;
  assert.equal(shifted.diagnostics.length, 1, 'only the absolute 0 moved; -1 still names the upsample');
  assert.equal(shifted.diagnostics[0].code, 'refs-shifted');
  assert.match(shifted.diagnostics[0].message, /layers=0 in layer 4 should now be 1/);
  const fix = codeActions(after, shifted, { start: pos(0, 0), end: pos(0, 0) }).find((a) => a.title === 'Fix layer references')!;
  assert.deepEqual(fix.edits, [{ range: { start: pos(27, 11), end: pos(27, 12) }, newText: '1' }]);
  assert.equal(shiftedReferences(before, before), undefined);
});

test('convert actions: on a section with references and for the whole file', () => {
  const net = analyseText(SMALL);
  const titles = codeActions(net, undefined, { start: pos(23, 0), end: pos(23, 0) }).map((a) => `${a.kind}: ${a.title}`);
  assert.deepEqual(titles, ['refactor.rewrite: Convert references to absolute', 'refactor.rewrite: Convert references to relative']);
  const elsewhere = codeActions(net, undefined, { start: pos(1, 0), end: pos(1, 0) }).map((a) => a.title);
  assert.deepEqual(elsewhere, ['Convert all references in the file to absolute', 'Convert all references in the file to relative']);
});
