// One failing and one passing case per diagnostic code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { DIAGNOSTIC_CODES } from '../../core/src/cfg/validate';

const NET = '[net]\nwidth=64\nheight=64\nchannels=3\n';
const conv = (filters: number, extra = '') =>
  `[convolutional]\nbatch_normalize=1\nfilters=${filters}\nsize=3\nstride=1\npad=1\nactivation=leaky\n${extra}`;
const head = (filters: number, yolo = 'mask=0,1,2\nanchors=10,13, 16,30, 33,23\nclasses=2\nnum=3') =>
  `[convolutional]\nfilters=${filters}\nsize=1\nstride=1\nactivation=linear\n[yolo]\n${yolo}\n`;

const codesOf = (text: string) => analyseText(text).diagnostics.map((d) => d.code);

const CASES: Record<string, { bad: string; good: string; message?: RegExp }> = {
  'utf8-bom': { bad: `\uFEFF${NET}${conv(8)}`, good: NET + conv(8), message: /^UTF-8 BOM: darknet reads it as part of the first line/ },
  syntax: { bad: `filters=3\n${NET}${conv(8)}`, good: NET + conv(8), message: /before the first section/ },
  'no-sections': { bad: '# nothing\n', good: NET + conv(8) },
  'missing-net': { bad: conv(8), good: NET + conv(8), message: /first section must be \[net\]/ },
  'misplaced-net': { bad: NET + conv(8) + NET, good: NET + conv(8) },
  'unknown-section': { bad: `${NET}${conv(8)}[convolutionl]\nfilters=8\n`, good: NET + conv(8), message: /did you mean \[convolutional\]/ },
  'unsupported-layer': { bad: `${NET}[rnn]\noutput=8\n`, good: NET + conv(8) },
  'unknown-key': { bad: NET + conv(8, 'filtres=4\n'), good: NET + conv(8), message: /did you mean "filters"/ },
  'duplicate-key': { bad: NET + conv(8, 'filters=16\n'), good: NET + conv(8), message: /uses the first value/ },
  'bad-value': {
    bad: NET + conv(8).replace('activation=leaky', 'activation=leakey'),
    good: NET + conv(8),
    message: /did you mean "leaky"/,
  },
  'missing-key': { bad: `${NET}${conv(8)}[route]\n`, good: `${NET}${conv(8)}[route]\nlayers=-1\n` },
  'inline-comment': {
    bad: NET + conv(8).replace('activation=leaky', 'activation=leaky # slope 0.1'),
    good: NET + conv(8),
    message: /no inline comments/,
  },
  'ref-out-of-range': {
    bad: `${NET}${conv(8)}[route]\nlayers=-5\n`,
    good: `${NET}${conv(8)}[route]\nlayers=-1\n`,
    message: /there is no layer -4/,
  },
  'ref-forward': {
    bad: `${NET}${conv(8)}[route]\nlayers=2\n${conv(8)}`,
    good: `${NET}${conv(8)}[route]\nlayers=0\n${conv(8)}`,
    message: /lies ahead/,
  },
  'shortcut-shape': {
    bad: `${NET}${conv(8)}${conv(8).replace('stride=1', 'stride=2')}[shortcut]\nfrom=-2\n`,
    good: `${NET}${conv(8)}${conv(8)}[shortcut]\nfrom=-2\n`,
    message: /W×H differ/,
  },
  'route-size-mismatch': {
    bad: `${NET}${conv(8)}${conv(8).replace('stride=1', 'stride=2')}[route]\nlayers=-1,-2\n`,
    good: `${NET}${conv(8)}${conv(8)}[route]\nlayers=-1,-2\n`,
  },
  'route-groups': {
    bad: `${NET}${conv(9)}[route]\nlayers=-1\ngroups=2\ngroup_id=1\n`,
    good: `${NET}${conv(8)}[route]\nlayers=-1\ngroups=2\ngroup_id=1\n`,
  },
  'yolo-filters': {
    bad: NET + conv(8) + head(20),
    good: NET + conv(8) + head(21),
    message: /should be 21 = \|mask\|·\(classes \+ 5\) = 3·\(2 \+ 5\)/,
  },
  'mask-range': {
    bad: NET + conv(8) + head(21, 'mask=0,1,3\nanchors=10,13, 16,30, 33,23\nclasses=2\nnum=3'),
    good: NET + conv(8) + head(21),
    message: /mask index 3 must be in 0…2/,
  },
  'anchors-count': {
    bad: NET + conv(8) + head(21, 'mask=0,1,2\nanchors=10,13, 16,30, 33\nclasses=2\nnum=3'),
    good: NET + conv(8) + head(21),
    message: /holds 5 values but num=3 needs 6/,
  },
  'stride-multiple': {
    bad: NET.replace('width=64', 'width=63') + conv(8).replace('stride=1', 'stride=2') + head(21),
    good: NET + conv(8).replace('stride=1', 'stride=2') + head(21),
    message: /not a multiple of the network's total stride 2/,
  },
  'bad-shape': { bad: NET + conv(8).replace('size=3', 'size=99').replace('pad=1', 'pad=0'), good: NET + conv(8) },
  'shape-mismatch': {
    bad: `${NET}${conv(8)}${conv(8)}[sam]\nfrom=-2\n`.replace(
      /filters=8\nsize=3\nstride=1\npad=1\nactivation=leaky\n\[sam\]/,
      'filters=4\nsize=3\nstride=1\npad=1\nactivation=leaky\n[sam]',
    ),
    good: `${NET}${conv(8)}${conv(8)}[sam]\nfrom=-2\n`,
  },
  'too-large': {
    bad: NET + conv(2_000_000_000),
    good: NET + conv(8),
    message: /^Layer 0 \(convolutional\): its weights are 231 GiB, over the 4 GiB bound/,
  },
};

test('every diagnostic code has a failing and a passing case', () => {
  const engineOnly = new Set(['refs-shifted']); // produced by the language server, tested there
  for (const code of Object.keys(DIAGNOSTIC_CODES)) if (!engineOnly.has(code)) assert.ok(CASES[code], `no test case for ${code}`);
});

for (const [code, c] of Object.entries(CASES)) {
  test(`diagnostic ${code}`, () => {
    const bad = analyseText(c.bad).diagnostics.filter((d) => d.code === code);
    assert.ok(bad.length > 0, `expected ${code} in:\n${c.bad}\n got ${codesOf(c.bad).join(', ')}`);
    for (const d of bad) {
      assert.ok(d.range.start.line >= 0 && d.range.end.line >= d.range.start.line, 'has a range');
      assert.ok(d.message.length > 10);
    }
    if (c.message) assert.match(bad.map((d) => d.message).join('\n'), c.message);
    assert.deepEqual(
      codesOf(c.good).filter((x) => x === code),
      [],
      `unexpected ${code} in the passing case`,
    );
  });
}

test('quick fixes are attached where determined', () => {
  const net = analyseText(NET + conv(8) + head(20));
  const d = net.diagnostics.find((x) => x.code === 'yolo-filters')!;
  assert.equal(d.fix?.edits[0].newText, '21');
  const lines = (NET + conv(8) + head(20)).split('\n');
  assert.equal(lines[d.range.start.line].slice(d.range.start.character, d.range.end.character), '20');
});

test('diagnostic ranges point at the offending text', () => {
  const text = `${NET}${conv(8)}[route]\nlayers = -1, 7\n`;
  const d = analyseText(text).diagnostics.find((x) => x.code === 'ref-out-of-range' || x.code === 'ref-forward')!;
  const line = text.split('\n')[d.range.start.line];
  assert.equal(line.slice(d.range.start.character, d.range.end.character), '7');
});
