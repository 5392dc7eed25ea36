import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOption, parseCfg } from '../../core/src/cfg/parse';
import { atof, atoi } from '../../core/src/cfg/cvalues';
import { analyseText } from '../../core/src/cfg/analyse';
import { readCfg } from '../corpus';

const slice = (text: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
  text.split(/\r\n|\r|\n/)[r.start.line].slice(r.start.character, r.end.character);

test('sections, options and ranges survive CRLF, tabs and inner whitespace', () => {
  const text = '# comment\r\n[ net ]\r\n\twidth = 4 16\r\n; another\r\n\r\n[conv]\r\nfilters=8\r\nsize =3\r\n';
  const doc = parseCfg(text);
  assert.deepEqual(
    doc.sections.map((s) => s.name),
    ['net', 'conv'],
  );
  const w = findOption(doc.sections[0], 'width')!;
  assert.equal(w.value, '416'); // darknet deletes every whitespace character
  assert.equal(slice(text, w.keyRange), 'width');
  assert.equal(slice(text, w.valueRange), '4 16');
  assert.equal(doc.sections[0].range.end.line, 2);
  assert.equal(slice(text, doc.sections[1].headerRange), '[conv]');
});

test('duplicate keys: the first wins; key= is empty; no = is a problem', () => {
  const doc = parseCfg('[net]\nbatch=1\nbatch=64\nwidth=\nbatch_normalize\n');
  assert.equal(findOption(doc.sections[0], 'batch')!.value, '1');
  assert.equal(findOption(doc.sections[0], 'width'), undefined);
  assert.deepEqual(
    doc.problems.map((p) => p.kind),
    ['empty-value', 'missing-equals'],
  );
});

test('keys before the first section and unknown sections are kept', () => {
  const doc = parseCfg('x=1\n[wat]\ny=2\n');
  assert.equal(doc.orphanOptions[0].key, 'x');
  assert.equal(doc.sections[0].name, 'wat');
  assert.equal(doc.problems[0].kind, 'option-before-section');
});

test('values are split at the first = and keep inline #', () => {
  const doc = parseCfg('[net]\npath=a=b\nactivation=leaky#x\n');
  assert.equal(findOption(doc.sections[0], 'path')!.value, 'a=b');
  assert.equal(findOption(doc.sections[0], 'activation')!.value, 'leaky#x');
});

test('C number parsing', () => {
  assert.equal(atoi('3.7'), 3);
  assert.equal(atoi('abc'), 0);
  assert.equal(atoi('-12x'), -12);
  assert.equal(atof('.5'), 0.5);
  assert.equal(atof('1e-3abc'), 0.001);
  assert.equal(atof('x'), 0);
  assert.equal(atof('0x1p3'), 8);
  assert.equal(Math.fround(atof('1.05')), 1.0499999523162842);
});

test('the parser and analysis never throw on hostile input', () => {
  const base = readCfg('yolov4-tiny.cfg');
  const samples = [
    '',
    '\0\0\0',
    '[',
    ']',
    '[net]\nwidth=1e400\nheight=-5\nchannels=0\n',
    '[net]\n[route]\nlayers=,,,\n',
    '[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nsize=0\nstride=0\n',
    base.replace(/\n/g, '\r'),
    base.slice(0, 1234),
    '\uFEFF' + base,
    base.replace(/=/g, '=='),
  ];
  for (const s of samples) assert.doesNotThrow(() => analyseText(s));
});
