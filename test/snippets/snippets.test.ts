// Every snippet, expanded with its placeholder defaults and appended to a small valid network,
// parses cleanly and analyses without error or warning diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { parseCfg } from '../../core/src/cfg/parse';
import { analyseText } from '../../core/src/cfg/analyse';
import { expandSnippet } from './expand';

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description: string;
}
const snippets = JSON.parse(readFileSync(join(REPO, 'snippets', 'darknet-cfg.json'), 'utf8')) as Record<string, Snippet>;

const conv = (filters: number) => `[convolutional]\nbatch_normalize=1\nfilters=${filters}\nsize=3\nstride=1\npad=1\nactivation=leaky\n`;
/** [net] and four 3×3 convolutions, so that relative references down to -4 have a target. */
const PREFIX = `[net]\nwidth=416\nheight=416\nchannels=3\n\n${[32, 64, 64, 64].map(conv).join('\n')}\n`;

test('expandSnippet follows VS Code snippet syntax', () => {
  assert.equal(
    expandSnippet(['a=${1:x}', 'b=$1', 'c=${2|p,q|}', 'd=$2', 'e=${3:${4:in}ner}', 'f=$4$0', 'g=\\$5']),
    'a=x\nb=x\nc=p\nd=p\ne=inner\nf=in\ng=$5',
  );
  assert.throws(() => expandSnippet('${1:open'));
});

test('the required snippets exist, each with a prefix and a description', () => {
  const required = ['Convolutional block', 'Residual unit', 'CSP block', 'SPP block', 'YOLO head', 'Route', 'Upsample'];
  assert.deepEqual(Object.keys(snippets).sort(), [...required].sort());
  for (const [name, s] of Object.entries(snippets)) {
    assert.ok([s.prefix].flat().length > 0 && [s.prefix].flat().every((p) => /^[a-z]+$/.test(p)), `${name}: prefix`);
    assert.ok(s.description.length > 10, `${name}: description`);
  }
});

test('the prefix network itself is clean', () => {
  assert.deepEqual(analyseText(PREFIX).diagnostics, []);
});

for (const [name, s] of Object.entries(snippets)) {
  test(`snippet "${name}" expands to a cfg fragment that parses and analyses cleanly`, () => {
    const fragment = expandSnippet(s.body);
    assert.doesNotMatch(fragment, /\$/, 'unexpanded snippet syntax');
    const alone = parseCfg(fragment);
    assert.deepEqual(alone.problems, [], 'syntax problems in the fragment');
    assert.equal(alone.orphanOptions.length, 0);
    assert.ok(alone.sections.length >= 1);

    const net = analyseText(PREFIX + fragment);
    const issues = net.diagnostics
      .filter((d) => d.severity === 'error' || d.severity === 'warning')
      .map((d) => `${d.severity} ${d.code} line ${d.range.start.line + 1}: ${d.message}`);
    assert.deepEqual(issues, []);
    assert.equal(net.layers.length, 4 + alone.sections.length);
    for (const l of net.layers) assert.ok(l.output && l.output.every((v) => v > 0), `layer ${l.index} (${l.type}) has no shape`);
  });
}
