// Thousands of mutated corpus cfgs, in process: parsing, analysis and every language feature answer
// without throwing, and what they answer stays inside the document.
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
import { corpusCfgs, readCfg } from '../corpus';
import { mutate, prng, randomPosition } from './mutate';

const CASES = 2000;

test(`${CASES} mutated corpus cfgs: parse, analyse and every feature never throw`, () => {
  const rnd = prng(0xc0ffee);
  const sources = corpusCfgs().map((name) => ({ name, text: readCfg(name), net: analyseText(readCfg(name)) }));
  const seen = new Set<string>();
  for (let i = 0; i < CASES; i++) {
    const src = sources[i % sources.length];
    const { text, applied } = mutate(src.text, rnd);
    applied.forEach((a) => seen.add(a));
    const where = `case ${i} (${src.name}: ${applied.join(', ')})`;
    try {
      const net = analyseText(text);
      const lineCount = net.doc.lineOffsets.length;
      for (const d of net.diagnostics)
        assert.ok(d.range.start.line < lineCount && d.range.end.line < lineCount, `${where}: diagnostic range inside the text`);
      const pos = randomPosition(text, rnd);
      hoverAt(net, pos);
      completionsAt(net, pos);
      definitionAt(net, pos);
      referencesAt(net, pos, true);
      inlayHints(net, undefined);
      codeLenses(net);
      foldingRanges(net);
      assert.equal(documentSymbols(net).length, net.doc.sections.length, where);
      // Reference repair against the original is the costly part: every fourth case.
      const shifted = i % 4 === 0 ? shiftedReferences(src.net, net) : undefined;
      codeActions(net, shifted, { start: pos, end: pos });
    } catch (e) {
      assert.fail(`${where}: ${(e as Error).stack}`);
    }
  }
  assert.ok(seen.size >= 15, `mutation kinds exercised: ${[...seen].join(', ')}`);
});
