// The network graph the server sends to the graph panel: one node per layer with its section lines,
// an edge for every input a layer reads (kinds by layer type, route groups labelled), heads marked,
// and the pruning overlay (kept fractions, removed residual units) from a prune diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { networkGraph, pruneOverlay } from '../../core/src/lang/graph';
import type { PrunedView } from '../../core/src/lang/pruned';
import type { NetworkDiff } from '../../core/src/prune/diff';
import { corpusCfgs, readCfg } from '../corpus';
import { layerAtLine } from '../../client/src/graph/layerAtLine';

test('yolov4-tiny: nodes, edges by kind, route groups and heads', () => {
  const net = analyseText(readCfg('yolov4-tiny.cfg'));
  const g = networkGraph(net, 'file:///tiny.cfg', 3);
  assert.equal(g.nodes.length, 38);
  assert.equal(g.version, 3);
  assert.deepEqual(
    g.nodes.filter((n) => n.head).map((n) => n.index),
    [30, 37],
  );
  assert.equal(g.nodes[0].label, 'conv 32 3×3/2');
  assert.equal(g.nodes[0].output, '208×208×32');
  // [route] layers=-1 groups=2 group_id=1 at 3: one route edge from 2, labelled with its group.
  assert.deepEqual(
    g.edges.filter((e) => e.to === 3),
    [{ from: 2, to: 3, kind: 'route', label: 'group 1/2' }],
  );
  // [route] layers=-1,-2 at 6: two route edges, no sequential one; layers=-6,-1 at 8.
  assert.deepEqual(
    g.edges
      .filter((e) => e.to === 6)
      .map((e) => [e.from, e.kind])
      .sort(),
    [
      [4, 'route'],
      [5, 'route'],
    ],
  );
  assert.deepEqual(
    g.edges
      .filter((e) => e.to === 8)
      .map((e) => [e.from, e.kind])
      .sort(),
    [
      [2, 'route'],
      [7, 'route'],
    ],
  );
  for (const e of g.edges) assert.ok(e.from < e.to && e.from >= 0, JSON.stringify(e));
  // Every node's lines point at its own section header.
  const lines = readCfg('yolov4-tiny.cfg').split('\n');
  for (const n of g.nodes) assert.match(lines[n.line], /^\[/, `layer ${n.index}`);
  assert.equal(g.totals.layers, 38);
});

test('every corpus cfg: edges are exactly the analysed sources', () => {
  for (const name of corpusCfgs()) {
    const net = analyseText(readCfg(name));
    const g = networkGraph(net, 'x', 1);
    const fromEdges = (i: number) =>
      g.edges
        .filter((e) => e.to === i)
        .map((e) => e.from)
        .sort((a, b) => a - b);
    for (const l of net.layers) {
      const sources = [...new Set(l.sources)].sort((a, b) => a - b);
      assert.deepEqual(fromEdges(l.index), sources, `${name} layer ${l.index} (${l.type})`);
    }
  }
});

test('[shortcut], [sam] and [scale_channels] edges carry their kind; the previous layer stays an input', () => {
  const cfg = [
    '[net]',
    'width=32',
    'height=32',
    'channels=3',
    '',
    '[convolutional]',
    'filters=8',
    'size=3',
    'stride=1',
    'pad=1',
    'activation=leaky',
    '',
    '[convolutional]',
    'filters=8',
    'size=1',
    'stride=1',
    'activation=logistic',
    '',
    '[sam]',
    'from=-2',
    '',
    '[avgpool]',
    '',
    '[scale_channels]',
    'from=-2',
    '',
    '[shortcut]',
    'from=-5',
    'activation=linear',
    '',
  ].join('\n');
  const g = networkGraph(analyseText(cfg), 'x', 1);
  const kinds = (to: number) =>
    g.edges
      .filter((e) => e.to === to)
      .map((e) => `${e.from}:${e.kind}`)
      .sort();
  assert.deepEqual(kinds(2), ['0:sam', '1:next']);
  assert.deepEqual(kinds(4), ['2:scale_channels', '3:next']);
  assert.deepEqual(kinds(5), ['0:shortcut', '4:next']);
});

test('an error in a section marks its node', () => {
  const text = readCfg('yolov4-tiny.cfg').replace(/filters=255/, 'filters=254');
  const g = networkGraph(analyseText(text), 'x', 1);
  assert.deepEqual(
    g.nodes.filter((n) => n.error).map((n) => n.index),
    [29],
  );
});

test('pruning overlay: kept fractions and removed original layers attached to the next kept layer', () => {
  const net = analyseText(readCfg('yolov4-tiny.cfg'));
  const row = (prunedIndex: number, originalIndex: number, before: number | null, after: number | null) => ({
    prunedIndex,
    originalIndex,
    type: 'convolutional',
    filtersBefore: before,
    filtersAfter: after,
    pctPruned: null,
    channelsBefore: null,
    channelsAfter: null,
    paramsBefore: 0,
    paramsAfter: 0,
    bflopsBefore: 0,
    bflopsAfter: 0,
  });
  const diff = { mapping: [row(0, 0, 32, 8), row(1, 1, 64, 64), row(2, 5, null, null)], removed: [2, 3, 4] } as unknown as NetworkDiff;
  const view = { originalCfg: '/m/yolov4-tiny.cfg', reportFile: '/m/out/prune-report.json', diff, byLayer: new Map() } as PrunedView;
  const o = pruneOverlay(view, net);
  assert.equal(o.original, 'yolov4-tiny.cfg');
  assert.deepEqual(
    o.layers.map((l) => [l.index, l.kept]),
    [
      [0, 0.25],
      [1, 1],
      [2, null],
    ],
  );
  assert.deepEqual(o.removed, [{ before: 2, originalLayers: [2, 3, 4] }]);
});

test('the cursor line maps to the layer whose section holds it', () => {
  const nodes = [
    { index: 0, line: 20 },
    { index: 1, line: 28 },
    { index: 2, line: 35 },
  ];
  assert.equal(layerAtLine(nodes, 3), null);
  assert.equal(layerAtLine(nodes, 20), 0);
  assert.equal(layerAtLine(nodes, 27), 0);
  assert.equal(layerAtLine(nodes, 28), 1);
  assert.equal(layerAtLine(nodes, 1000), 2);
});
