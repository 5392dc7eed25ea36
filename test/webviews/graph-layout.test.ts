// The graph panel's layered layout (webviews/src/graph/layout.ts, ./layered.ts) on every corpus cfg:
// each layer has a box, no two boxes overlap, a run of layers is one straight column, every edge
// runs downward from its source's bottom to its target's top, the drawing's size holds it all, and
// the same graph gives the same layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { networkGraph } from '../../core/src/lang/graph';
import { layoutGraph, runsOf, type Box } from '../../webviews/src/graph/layout';
import { layered } from '../../webviews/src/graph/layered';
import { corpusCfgs, readCfg } from '../corpus';

const overlap = (a: Box, b: Box) => Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2;

test('every corpus cfg: boxes apart, runs straight, edges downward between their ends, inside the drawing', () => {
  const cfgs = corpusCfgs();
  assert.ok(cfgs.length > 0);
  for (const name of cfgs) {
    const g = networkGraph(analyseText(readCfg(name)), 'x', 1);
    const layout = layoutGraph(g);
    const boxes = g.nodes.map((n) => {
      const b = layout.nodes.get(n.index);
      assert.ok(b, `${name}: layer ${n.index} has a box`);
      return [n.index, b] as const;
    });
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        assert.ok(!overlap(boxes[i][1], boxes[j][1]), `${name}: layers ${boxes[i][0]} and ${boxes[j][0]} overlap`);
    for (const [i, b] of boxes) {
      assert.ok(b.x - b.width / 2 >= 0 && b.x + b.width / 2 <= layout.width, `${name}: layer ${i} inside the width`);
      assert.ok(b.y - b.height / 2 >= 0 && b.y + b.height / 2 <= layout.height, `${name}: layer ${i} inside the height`);
    }
    for (const run of runsOf(g).runs) {
      const xs = new Set(run.map((i) => layout.nodes.get(i)!.x));
      assert.equal(xs.size, 1, `${name}: run ${run[0]}–${run.at(-1)} is one column`);
    }
    assert.equal(layout.edges.length, g.edges.length);
    for (const { edge, points } of layout.edges) {
      const from = layout.nodes.get(edge.from)!,
        to = layout.nodes.get(edge.to)!;
      const where = `${name}: edge ${edge.from} → ${edge.to}`;
      assert.deepEqual(points[0], { x: from.x, y: from.y + from.height / 2 }, `${where} leaves its source's bottom`);
      assert.deepEqual(points.at(-1), { x: to.x, y: to.y - to.height / 2 }, `${where} enters its target's top`);
      for (let k = 1; k < points.length; k++) assert.ok(points[k].y > points[k - 1].y, `${where} runs downward`);
      for (const p of points) assert.ok(p.x >= 0 && p.x <= layout.width, `${where} inside the width`);
    }
    assert.deepEqual(layoutGraph(g), layout, `${name}: the same graph, the same layout`);
  }
});

test('layered: long edges split per rank, bending around the middle of the chain on one side', () => {
  // 0 → 1 → 2 → 3 (the spine, weight 4), 0 → 3 across two ranks, 1 → 3
  const out = layered({
    widths: [10, 10, 10, 10],
    heights: [10, 10, 10, 10],
    edges: [
      { from: 0, to: 1, weight: 4 },
      { from: 1, to: 2, weight: 4 },
      { from: 2, to: 3, weight: 4 },
      { from: 0, to: 3, weight: 1 },
      { from: 1, to: 3, weight: 1 },
    ],
    nodesep: 20,
    edgesep: 10,
    ranksep: 10,
    margin: 5,
  });
  assert.deepEqual(
    out.y.map((y) => Math.round(y)),
    [10, 30, 50, 70],
  );
  // the long edges bend around the chain's middle node, both on one side of it (no crossing)
  assert.equal(out.bends[3].length, 2);
  assert.equal(out.bends[4].length, 1);
  for (const b of [...out.bends[3], ...out.bends[4]]) assert.notEqual(b.x, out.x[2]);
  assert.equal(Math.sign(out.bends[3][1].x - out.x[2]), Math.sign(out.bends[4][0].x - out.x[2]));
});

test('layered: an edge against the numbering is left out of the layout, the rest is laid out', () => {
  const out = layered({
    widths: [10, 10, 10],
    heights: [10, 10, 10],
    edges: [
      { from: 0, to: 1, weight: 1 },
      { from: 2, to: 0, weight: 1 },
      { from: 1, to: 2, weight: 1 },
    ],
    nodesep: 20,
    edgesep: 10,
    ranksep: 10,
    margin: 5,
  });
  assert.ok([...out.x, ...out.y].every(Number.isFinite));
  assert.ok(out.y[0] < out.y[1] && out.y[1] < out.y[2]);
  assert.deepEqual(out.bends, [[], [], []]);
});
