import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { diffNetworks, DiffError } from '../../core/src/prune/diff';
import { readPruneReport } from '../../core/src/prune/diff-report';
import { CFG_DIR, corpusCfgs, readCfg } from '../corpus';
import { removeLayers, removeLayersRepaired, setFilters } from './helpers';
import { runMain as cli } from '../cli/in-process';

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const identityExcept = (n: number, removed: number[]) => range(0, n - 1).filter((i) => !removed.includes(i));

test('every corpus cfg diffed with itself: identity, nothing removed, zero deltas', () => {
  for (const name of corpusCfgs()) {
    const net = analyseText(readCfg(name));
    const d = diffNetworks(net, analyseText(readCfg(name)));
    assert.deepEqual(
      d.mapping.map((m) => [m.prunedIndex, m.originalIndex]),
      net.layers.map((l) => [l.index, l.index]),
      name,
    );
    assert.deepEqual([d.removed, d.added, d.ambiguous, d.warnings], [[], [], [], []], name);
    assert.ok(
      d.mapping.every((m) => m.pctPruned === null || m.pctPruned === 0),
      name,
    );
    assert.deepEqual(d.totals.delta, { layers: 0, params: 0, weightFloats: 0, bflops: 0 }, name);
  }
});

test('channel-pruned yolov3 (filters edited in the text): same indices, exact filters and deltas', () => {
  const text = readCfg('yolov3.cfg');
  const pruned = analyseText(setFilters(text, { 13: 37, 16: 100, 75: 200, 100: 1 }));
  assert.deepEqual(
    pruned.diagnostics.filter((x) => x.severity === 'error'),
    [],
  );
  const original = analyseText(text);
  const d = diffNetworks(original, pruned);
  assert.equal(d.source, 'alignment');
  assert.deepEqual(d.removed, []);
  assert.deepEqual(
    d.mapping.map((m) => m.originalIndex),
    range(0, 106),
  );
  const m13 = d.mapping[13];
  assert.deepEqual([m13.type, m13.filtersBefore, m13.filtersAfter], ['convolutional', 128, 37]);
  assert.equal(m13.pctPruned, (91 / 128) * 100);
  // Layer 13 loses output filters; its consumer 14 loses input channels: both shrink.
  assert.equal(m13.paramsBefore, 256 * 128 + 2 * 128);
  assert.equal(m13.paramsAfter, 256 * 37 + 2 * 37);
  assert.equal(d.mapping[14].paramsAfter, 37 * 9 * 256 + 2 * 256);
  assert.equal(d.mapping[14].filtersAfter, 256);
  assert.equal(d.mapping[100].pctPruned, (255 / 256) * 100);
  const changed = d.mapping.filter((m) => m.filtersBefore !== m.filtersAfter).map((m) => m.originalIndex);
  assert.deepEqual(changed, [13, 16, 75, 100]);
  assert.equal(
    d.totals.delta.params,
    d.mapping.reduce((s, m) => s + m.paramsAfter - m.paramsBefore, 0),
  );
  assert.equal(d.totals.after.params, pruned.totals.params);
  assert.ok(d.totals.pctPruned.bflops > 0 && d.totals.pctPruned.params > 0);
});

test('layer-pruned yolov3, unit 2–4 (the only unit of its stage): removed and mapping exact', () => {
  const text = readCfg('yolov3.cfg');
  const prunedText = removeLayers(text, [2, 3, 4]);
  assert.equal(removeLayersRepaired(text, [2, 3, 4]), prunedText, "the editor's Fix layer references agrees");
  const pruned = analyseText(prunedText);
  assert.deepEqual(
    pruned.diagnostics.filter((x) => x.severity === 'error'),
    [],
  );
  const d = diffNetworks(analyseText(text), pruned);
  assert.deepEqual(d.removed, [2, 3, 4]);
  assert.deepEqual(
    d.mapping.map((m) => m.originalIndex),
    identityExcept(107, [2, 3, 4]),
  );
  assert.deepEqual([d.ambiguous, d.warnings, d.added], [[], [], []]);
  assert.equal(d.totals.delta.layers, -3);
  // Route 86 (`-1, 61`) became `-1, 58` and still reaches original 61.
  const route = d.mapping.find((m) => m.originalIndex === 86)!;
  assert.equal(pruned.layers[route.prunedIndex].refs[1].target, 58);
});

test('layer-pruned yolov3, unit 13–15 inside a run of 8 identical units: ambiguous without a report, exact with one', () => {
  const text = readCfg('yolov3.cfg');
  const original = analyseText(text);
  const prunedText = removeLayers(text, [13, 14, 15]);
  const pruned = analyseText(prunedText);
  const truth = identityExcept(107, [13, 14, 15]);

  // The cfgs alone: any unit of the stage gives this text. The alignment picks the last and says so.
  const guess = diffNetworks(original, pruned);
  assert.deepEqual(guess.removed, [34, 35, 36]);
  assert.deepEqual(guess.ambiguous, [{ removed: [34, 35, 36], from: 13, to: 36 }]);
  assert.deepEqual(guess.warnings, []);
  const sections = (t: string) =>
    analyseText(t).doc.sections.map((x) => [x.name, ...x.options.map((o) => `${o.key}=${o.value}`)].join(' '));
  assert.deepEqual(sections(removeLayers(text, [34, 35, 36])), sections(prunedText), 'really indistinguishable (comments aside)');

  // A report settles it, in any of the accepted shapes.
  const shapes = [
    { removed: [13, 14, 15] },
    { layerPrune: { removed_layers: [[13, 14, 15]] } },
    { prunedToOriginal: truth },
    { originalToPruned: range(0, 106).map((o) => (o < 13 ? o : o <= 15 ? null : o - 3)) },
    { index_map: Object.fromEntries(truth.map((o, p) => [String(o), p])) },
    { mapping: truth.map((o, p) => ({ original: o, pruned: p })) },
  ];
  for (const report of shapes) {
    const d = diffNetworks(original, pruned, readPruneReport(report));
    assert.equal(d.source, 'report', JSON.stringify(report).slice(0, 40));
    assert.deepEqual(d.removed, [13, 14, 15]);
    assert.deepEqual(
      d.mapping.map((m) => m.originalIndex),
      truth,
    );
    assert.deepEqual([d.ambiguous, d.warnings], [[], []]);
  }
});

test('reference check: a route left pointing at the wrong layer is reported', () => {
  // The editor's LCS repair cannot tell which of 8 identical units went, so it leaves route 98's `36` as is.
  const text = readCfg('yolov3.cfg');
  const pruned = analyseText(removeLayersRepaired(text, [13, 14, 15]));
  const d = diffNetworks(analyseText(text), pruned, readPruneReport({ removed: [13, 14, 15] }));
  assert.deepEqual(d.warnings, ['pruned layer 95 (route) layers → 36 is original layer 39, the original layer 98 refers to 36']);
});

test('yolov4, units 28–30 and 31–33 removed (appendix fixture): routes 53 and 119 rewritten, mapping exact with the removed list', () => {
  const text = readCfg('yolov4.cfg');
  const original = analyseText(text);
  const pruned = analyseText(removeLayers(text, range(28, 33)));
  const r53 = pruned.layers[53 - 6],
    r119 = pruned.layers[119 - 6];
  assert.deepEqual(
    r53.refs.map((r) => r.raw),
    [-1, -22],
  );
  assert.deepEqual(
    r119.refs.map((r) => r.raw),
    [79],
  );
  const d = diffNetworks(original, pruned, readPruneReport({ removed: range(28, 33) }));
  assert.deepEqual(d.removed, range(28, 33));
  assert.deepEqual(d.warnings, []);
  const guess = diffNetworks(original, pruned);
  assert.equal(guess.removed.length, 6);
  assert.equal(guess.ambiguous.length, 1);
  assert.ok(guess.ambiguous[0].from <= 28 && guess.ambiguous[0].to >= 33, 'the true units lie in the ambiguous window');
});

test('layer + channel pruning together: units removed and filters changed', () => {
  const text = readCfg('yolov3.cfg');
  const layerPruned = removeLayers(text, [2, 3, 4]);
  const pruned = analyseText(setFilters(layerPruned, { 0: 20, 10: 50 })); // pruned 10 = original 13
  const d = diffNetworks(analyseText(text), pruned);
  assert.deepEqual(d.removed, [2, 3, 4]);
  const m = d.mapping.find((x) => x.prunedIndex === 10)!;
  assert.deepEqual([m.originalIndex, m.filtersBefore, m.filtersAfter], [13, 128, 50]);
});

test('report problems are located errors; report details are cross-checked', () => {
  const text = readCfg('yolov3-tiny.cfg');
  const original = analyseText(text);
  const pruned = analyseText(setFilters(text, { 2: 20 }));
  assert.throws(
    () => diffNetworks(original, pruned, readPruneReport({ removed: [3] }), 'r.json'),
    (e: Error) => e instanceof DiffError && /r\.json: .* leaving 23; the pruned cfg has 24/.test(e.message),
  );
  assert.throws(
    () => diffNetworks(original, pruned, readPruneReport({ prunedToOriginal: [0, 2, 1, ...range(3, 23)] }), 'r.json'),
    /r\.json: pruned layer 1 \(maxpool\) maps to original layer 2 \(convolutional\)/,
  );
  assert.throws(
    () => diffNetworks(original, pruned, readPruneReport({ prunedToOriginal: range(0, 22) }), 'r.json'),
    /covers 23 pruned layers, the pruned cfg has 24/,
  );
  assert.throws(() => readPruneReport({ removed: ['x'] }, 'r.json'), /r\.json: removed\[0\]: expected a layer index/);
  assert.throws(() => readPruneReport([1, 2], 'r.json'), /not a JSON object/);
  const d = diffNetworks(
    original,
    pruned,
    readPruneReport({ layers: [{ index: 2, filtersBefore: 32, filtersAfter: 21, kept: range(0, 19) }] }),
  );
  assert.equal(d.source, 'alignment', 'per-layer details alone do not fix the map');
  assert.deepEqual(d.mapping[2].kept, range(0, 19));
  assert.deepEqual(d.warnings, ['prune-report.json: layer 2: report says 21 filters after, the pruned cfg has 20']);
});

test('CLI diff: table, --json, report beside the pruned cfg, bad reports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diff-'));
  try {
    const orig = join(CFG_DIR, 'yolov3.cfg');
    const prunedCfg = join(dir, 'pruned.cfg');
    writeFileSync(prunedCfg, setFilters(removeLayers(readCfg('yolov3.cfg'), [13, 14, 15]), { 9: 37 }));

    const plain = await cli(['diff', orig, prunedCfg]);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /layer +9 +conv +64 → 37 +\(−42%\)/);
    assert.match(plain.out, /removed 3 layer\(s\): 34 conv, 35 conv, 36 short/);
    assert.match(plain.out, /note: removed 34–36 lies among identical layers 13–36: the two cfgs cannot tell which of them were removed/);
    assert.match(plain.out, /layers +107 → 104/);

    writeFileSync(join(dir, 'prune-report.json'), JSON.stringify({ removed: [13, 14, 15] }));
    const withReport = await cli(['diff', orig, prunedCfg, '--json']);
    const data = JSON.parse(withReport.out);
    assert.equal(data.report, join(dir, 'prune-report.json'));
    assert.deepEqual(data.removed, [13, 14, 15]);
    assert.equal(data.mapping[13].originalIndex, 16);

    writeFileSync(join(dir, 'prune-report.json'), JSON.stringify({ removed: [1, 2] }));
    const stale = await cli(['diff', orig, prunedCfg, '--json']);
    assert.equal(stale.code, 0);
    const s = JSON.parse(stale.out);
    assert.equal(s.source, 'alignment');
    assert.match(s.warnings[0], /ignored .*prune-report\.json: .*leaving 105; the pruned cfg has 104/);

    const explicit = await cli(['diff', orig, prunedCfg, '--report', join(dir, 'prune-report.json')]);
    assert.equal(explicit.code, 1);
    assert.match(explicit.err, /prune-report\.json: the original has 107 layers/);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    const badJson = await cli(['diff', orig, prunedCfg, '--report', join(dir, 'bad.json')]);
    assert.equal(badJson.code, 1);
    assert.match(badJson.err, /bad\.json: not valid JSON/);
    const broken = join(dir, 'broken.cfg');
    writeFileSync(broken, '[net]\nwidth=416\nheight=416\nchannels=3\n[route]\nlayers=-5\n');
    const bad = await cli(['diff', orig, broken]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /broken\.cfg:\d+:\d+: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CLI diff reads the report `darknet-pruner prune channel` writes: kept channels agree, no warnings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'diff-prune-'));
  try {
    const cfg = join(CFG_DIR, 'yolov4-tiny.cfg');
    const weights = join(dir, 'in.weights');
    assert.equal((await cli(['weights', 'synth', cfg, '-o', weights])).code, 0);
    const out = join(dir, 'pruned');
    const p = await cli(['prune', 'channel', cfg, weights, '--global-percent', '0.6', '-o', out, '--name', 'tiny']);
    assert.equal(p.code, 0, p.err);
    const r = await cli(['diff', cfg, join(out, 'tiny.cfg'), '--json']);
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out);
    assert.equal(d.report, join(out, 'prune-report.json'));
    assert.deepEqual([d.removed, d.warnings], [[], []]);
    const narrowed = d.mapping.filter((m: { filtersBefore: number; filtersAfter: number }) => m.filtersAfter !== m.filtersBefore);
    assert.ok(narrowed.length > 0);
    for (const m of narrowed) assert.equal(m.kept?.length, m.filtersAfter, `layer ${m.originalIndex}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
