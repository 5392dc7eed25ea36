// Pruning rewrites the cfg text in one pass (it rebuilt the whole string per edit: 8k layers took
// 5 s, 100k layers over 14 min; bench/cfg-edits.ts prints the times). The results are the same as
// applying the edits one by one, also on a 20k-layer network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { applyFix } from '../../core/src/cfg/edits';
import { applyEdits, filtersEdits, type TextEdit } from '../../core/src/prune/compact';
import { removalEdits } from '../../core/src/prune/layer';
import { PruneError } from '../../core/src/prune/plan';
import { generatedCfg, unitLayers } from './generated-cfg';

/** The previous implementation: one edit at a time, from the last position to the first. */
function oneByOne(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text,
    limit = Infinity;
  for (const e of sorted) {
    if (e.end > limit) throw new PruneError('internal: overlapping cfg edits');
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

test('random edits (insertions at one offset, replacements, deletions) give what one-by-one application gives', () => {
  const text = generatedCfg({ units: 300 });
  const r = rng(7);
  const outcome = (f: () => string) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof PruneError) return 'overlap';
      throw e;
    }
  };
  let applied = 0;
  for (let round = 0; round < 50; round++) {
    const edits: TextEdit[] = [];
    let pos = 0;
    while (pos < text.length) {
      pos = Math.min(text.length, pos + r(400));
      const kind = r(4);
      if (kind === 0)
        edits.push({ start: pos, end: pos, text: `<${edits.length}>` }, { start: pos, end: pos, text: `<${edits.length + 1}>` });
      else {
        const end = Math.min(text.length, pos + r(30));
        edits.push({ start: pos, end, text: kind === 1 ? '' : `[${edits.length}]` });
        pos = end;
      }
    }
    for (let i = edits.length - 1; i > 0; i--) {
      const j = r(i + 1);
      [edits[i], edits[j]] = [edits[j], edits[i]];
    }
    const want = outcome(() => oneByOne(text, edits));
    assert.equal(
      outcome(() => applyEdits(text, edits)),
      want,
      `round ${round}`,
    );
    if (want !== 'overlap') applied++;
  }
  assert.ok(applied > 40, `${applied} of 50 rounds without overlaps`);
  assert.throws(
    () =>
      applyEdits(text, [
        { start: 10, end: 20, text: 'a' },
        { start: 15, end: 16, text: 'b' },
      ]),
    (e: Error) => e instanceof PruneError && /overlapping/.test(e.message),
  );
  assert.equal(applyEdits('abc', []), 'abc');
});

test('a 20k-layer network: channel pruning edits give the cfg written with the new filters', () => {
  const units = 6_500;
  const text = generatedCfg({ units });
  const net = analyseText(text);
  assert.ok(net.layers.length > 20_000, `${net.layers.length} layers`);
  const kept = (i: number) => 1 + ((i * 7) % 15);
  const out = applyEdits(
    text,
    filtersEdits(
      net,
      net.layers.map((l) => (l.type === 'convolutional' ? kept(l.index) : 0)),
    ),
  );
  assert.equal(out, generatedCfg({ units, filters: kept }));
});

test('a 20k-layer network: removing units deletes their sections and renumbers absolute references', () => {
  const units = 6_500;
  const text = generatedCfg({ units });
  const net = analyseText(text);
  const without = new Set(Array.from({ length: units }, (_, u) => u).filter((u) => u % 10 !== 9 && u % 3 === 1));
  const removed = new Set([...without].flatMap(unitLayers));
  // a removed unit's shortcut stands for its input, as in layer pruning
  const alias = (t: number): number => (removed.has(t) && net.layers[t].type === 'shortcut' ? alias(t - 3) : t);
  const { edits, remapped } = removalEdits(net, removed, alias);
  const out = applyEdits(text, edits);
  assert.equal(out, generatedCfg({ units, without }));
  assert.equal(remapped.length, units / 10, 'every route lies after a removed unit and moved');
  assert.deepEqual(
    analyseText(out).diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
});

test('LSP-style range edits (applyFix) on a 20k-layer network: one pass, same text', () => {
  const text = generatedCfg({ units: 6_500 });
  const net = analyseText(text);
  const edits = net.layers.filter((l) => l.type === 'shortcut').map((l) => ({ range: l.refs[0].range, newText: String(l.refs[0].target) }));
  const out = applyFix(text, edits);
  const relative = generatedCfg({ units: 6_500 }).split('\n');
  const lines = out.split('\n');
  assert.equal(lines.length, relative.length);
  const changed = lines.filter((l, i) => l !== relative[i]);
  assert.equal(changed.length, edits.length);
  assert.ok(changed.every((l) => /^from=\d+$/.test(l)));
  assert.deepEqual(
    analyseText(out).layers.map((l) => l.refs.map((r) => r.target)),
    net.layers.map((l) => l.refs.map((r) => r.target)),
  );
});
