// The graph's layout (core/src/lang/graph-layout.ts: dagre over runs of layers) on every corpus
// cfg: each layer has a box, no two boxes overlap, a run of layers is one straight column, every
// edge runs downward from its source's bottom to its target's top, the drawing's size holds it all,
// and the same graph gives the same layout. A `layers=` edit keeps the boxes and routes the edges
// again, as readable; an edit that moves no edge reuses the layout; an edit it cannot keep readable
// is laid out anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { networkGraph } from '../../core/src/lang/graph';
import type { GraphBox as Box, GraphLayout as Layout } from '../../core/src/protocol/graph';
import { layoutGraph, runsOf, type LaidOut, type Structure } from '../../core/src/lang/graph-layout';
import { corpusCfgs, readCfg } from '../corpus';

const overlap = (a: Box, b: Box) => Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < (a.height + b.height) / 2;

/** Asserts that layout draws g readably. */
function assertReadable(name: string, g: Structure, layout: Layout): void {
  assert.equal(layout.boxes.length, g.nodes.length);
  const boxes = g.nodes.map((n) => {
    const b = layout.boxes[n.index];
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
    const xs = new Set(run.map((i) => layout.boxes[i].x));
    assert.equal(xs.size, 1, `${name}: run ${run[0]}–${run.at(-1)} is one column`);
  }
  assert.equal(layout.routes.length, g.edges.length);
  for (const [k, edge] of g.edges.entries()) {
    const points = layout.routes[k];
    const from = layout.boxes[edge.from],
      to = layout.boxes[edge.to];
    const where = `${name}: edge ${edge.from} → ${edge.to}`;
    assert.deepEqual(points[0], { x: from.x, y: from.y + from.height / 2 }, `${where} leaves its source's bottom`);
    assert.deepEqual(points.at(-1), { x: to.x, y: to.y - to.height / 2 }, `${where} enters its target's top`);
    for (let k = 1; k < points.length; k++) assert.ok(points[k].y > points[k - 1].y, `${where} runs downward`);
    for (const p of points) assert.ok(p.x >= 0 && p.x <= layout.width, `${where} inside the width`);
  }
}

/** A cfg's graph, laid out. */
function graphOf(text: string): LaidOut {
  const { nodes, edges } = networkGraph(analyseText(text), 'x', 1);
  return { nodes, edges, layout: layoutGraph({ nodes, edges }) };
}
/** The layers and edges only: laid out from scratch, or from a previous graph. */
const structureOf = (g: LaidOut): Structure => ({ nodes: g.nodes, edges: g.edges });

test('every corpus cfg: boxes apart, runs straight, edges downward between their ends, inside the drawing', () => {
  const cfgs = corpusCfgs();
  assert.ok(cfgs.length > 0);
  for (const name of cfgs) {
    const g = graphOf(readCfg(name));
    assertReadable(name, g, g.layout);
    assert.deepEqual(layoutGraph(structureOf(g)), g.layout, `${name}: the same graph, the same layout`);
  }
});

/** yolov4.cfg with its first `layers=-1,-N` route past the backbone (in the neck) reading the layer before the previous instead (-1,-2). */
function routeEdited(): { before: LaidOut; after: LaidOut } {
  const lines = readCfg('yolov4.cfg').split('\n');
  const at = lines.findIndex((l, i) => i > lines.length / 2 && /^layers\s*=\s*-1,\s*-\d+$/.test(l.trim()));
  assert.ok(at > 0, 'yolov4.cfg has a layers=-1,-N route in its second half');
  const edited = lines.slice();
  edited[at] = 'layers=-1,-2';
  return { before: graphOf(lines.join('\n')), after: graphOf(edited.join('\n')) };
}

test('an edit that moves no edge keeps the layout as it was', () => {
  const text = readCfg('yolov4.cfg');
  const before = graphOf(text);
  const edited = graphOf(text.replace(/filters=512/, 'filters=500'));
  assert.notDeepEqual(edited.nodes, before.nodes);
  assert.equal(layoutGraph(structureOf(edited), before), before.layout);
});

test('a layers= edit keeps every box where it was and routes the moved edge readably', () => {
  const { before, after } = routeEdited();
  const previous = before.layout;
  const kept = layoutGraph(structureOf(after), before);
  assert.notEqual(kept.key, previous.key, 'the edit moved an edge');
  assert.deepEqual(kept.boxes, previous.boxes);
  assertReadable('yolov4.cfg edited', after, kept);
  const id = (e: { from: number; to: number; kind: string }) => `${e.from}>${e.to}${e.kind}`;
  const routes = new Map(before.edges.map((e, k) => [id(e), previous.routes[k]]));
  const edges = after.edges.map((edge, k) => ({ edge, points: kept.routes[k] }));
  const moved = edges.filter((r) => !routes.has(id(r.edge)));
  assert.ok(moved.length > 0);
  for (const r of edges.filter((r) => !moved.includes(r))) assert.deepEqual(r.points, routes.get(id(r.edge)));
  // no new edge passes over a box between its ends
  for (const { edge, points } of moved)
    for (const [i, b] of kept.boxes.entries())
      for (let k = 1; k < points.length; k++) {
        const [p, q] = [points[k - 1], points[k]];
        if (i === edge.from || i === edge.to || p.x !== q.x) continue;
        assert.ok(
          !(Math.abs(p.x - b.x) < b.width / 2 && Math.max(p.y, q.y) > b.y - b.height / 2 && Math.min(p.y, q.y) < b.y + b.height / 2),
          `edge ${edge.from} → ${edge.to} crosses layer ${i}`,
        );
      }
});

test('an edit that adds a layer, or another file, is laid out anew', () => {
  const { before } = routeEdited();
  const added = structureOf(graphOf(readCfg('yolov4.cfg') + '\n[convolutional]\nfilters=8\nsize=1\nstride=1\npad=1\nactivation=leaky\n'));
  assert.deepEqual(layoutGraph(added, before), layoutGraph(added));
  const other = structureOf(graphOf(readCfg('yolov3-tiny.cfg')));
  assert.deepEqual(layoutGraph(other, before), layoutGraph(other));
});
