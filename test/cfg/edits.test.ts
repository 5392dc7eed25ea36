import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { applyFix as applyEdits, convertReferences, repairReferences, setNetOptions } from '../../core/src/cfg/edits';
import { parseCfg } from '../../core/src/cfg/parse';
import { readCfg } from '../corpus';

const targets = (text: string) => analyseText(text).layers.map((l) => l.refs.map((r) => `${l.type}:${r.target}`).join(','));

test('inserting a section: Fix layer references restores every target (yolov3)', () => {
  const text = readCfg('yolov3.cfg');
  const before = analyseText(text);
  // Insert a conv block right after layer 10's section (a shortcut region) — shifts absolute and spanning refs.
  const at = before.layers[10].section.range.end.line + 1;
  const lines = text.split('\n');
  lines.splice(at, 0, '', '[convolutional]', 'batch_normalize=1', 'filters=128', 'size=1', 'stride=1', 'pad=1', 'activation=leaky');
  const inserted = lines.join('\n');
  const after = analyseText(inserted);
  const fix = repairReferences(before, after)!;
  assert.ok(fix, 'a repair is offered');
  const repaired = analyseText(applyEdits(inserted, fix.edits));
  // Every original layer's references point at the same original layers again.
  const mapOld = (i: number) => (i > 10 ? i + 1 : i);
  before.layers.forEach((l) => {
    const now = repaired.layers[mapOld(l.index)];
    assert.deepEqual(
      now.refs.map((r) => r.target),
      l.refs.map((r) => mapOld(r.target)),
      `layer ${l.index}`,
    );
  });
  assert.deepEqual(
    repaired.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  assert.ok(
    fix.changes.some((c) => c.key === 'layers' && c.from === '61' && c.to === '62'),
    'absolute route 61 → 62',
  );
  assert.ok(
    fix.changes.some((c) => c.key === 'from'),
    'the shortcut spanning the insertion is fixed',
  );
});

test('deleting a residual unit: references past it are renumbered', () => {
  const text = readCfg('yolov3.cfg');
  const before = analyseText(text);
  // Remove layers 12..14 (conv, conv, shortcut of a darknet53 residual unit).
  const lines = text.split('\n');
  const start = before.layers[12].section.line,
    end = before.layers[15].section.line;
  lines.splice(start, end - start);
  const after = analyseText(lines.join('\n'));
  const fix = repairReferences(before, after)!;
  const repaired = analyseText(applyEdits(lines.join('\n'), fix.edits));
  assert.deepEqual(
    repaired.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const route = repaired.layers.find((l) => l.type === 'route' && l.refs.length === 2 && l.refs[1].raw > 0)!;
  assert.equal(route.refs[1].raw, 58, 'route -1, 61 → -1, 58');
});

test('no repair is offered when nothing shifted', () => {
  const text = readCfg('yolov4-tiny.cfg');
  assert.equal(repairReferences(analyseText(text), analyseText(text.replace('filters=255', 'filters=255'))), undefined);
});

test('convert references to absolute and back to relative keeps targets', () => {
  const text = readCfg('yolov4.cfg');
  const abs = convertReferences(analyseText(text), 'absolute')!;
  const absText = applyEdits(text, abs.edits);
  assert.deepEqual(targets(absText), targets(text));
  assert.ok(analyseText(absText).layers.every((l) => l.refs.every((r) => r.raw >= 0)));
  const rel = convertReferences(analyseText(absText), 'relative')!;
  const relText = applyEdits(absText, rel.edits);
  assert.deepEqual(targets(relText), targets(text));
  assert.ok(analyseText(relText).layers.every((l) => l.refs.every((r) => r.raw < 0)));
});

test('[net] overrides: the first occurrence replaced, missing keys added after the header, nothing else changed', () => {
  const cfg =
    '[net]\r\nbatch=64\r\nsubdivisions=16\r\n# max_batches=5\r\nmax_batches = 500200\r\n\r\n[convolutional]\r\nbatch_normalize=1\r\n';
  const out = setNetOptions(cfg, { batch: 2, max_batches: 4, learning_rate: 0.01 });
  assert.equal(
    out,
    '[net]\r\nlearning_rate=0.01\r\nbatch=2\r\nsubdivisions=16\r\n# max_batches=5\r\nmax_batches=4\r\n\r\n[convolutional]\r\nbatch_normalize=1\r\n',
  );
  const net = parseCfg(out).sections[0];
  assert.deepEqual(
    net.options.map((o) => `${o.key}=${o.value}`),
    ['learning_rate=0.01', 'batch=2', 'subdivisions=16', 'max_batches=4'],
  );
  assert.equal(setNetOptions('[net]\nwidth=64', { batch: 1 }), '[net]\nbatch=1\nwidth=64');
});
