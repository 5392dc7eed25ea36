// Layered layout of the network graph with dagre (@dagrejs/dagre). Runs of layers that only feed
// each other (one output to the next layer, which has no other input) are laid out as one tall
// node, which halves what dagre works on for darknet's long conv chains (yolov4: 162 layers, 80
// runs) and keeps each run straight. Nodes have one fixed size, so an edit that changes no edge
// (filters=, activation=, …) reuses the previous layout: only a changed structure (a `from=`/
// `layers=` edit, a section added or removed) is laid out again.
import dagre from '@dagrejs/dagre';
import type { GraphEdge, NetworkGraph } from '../shared/protocol';

export const NODE_W = 150;
export const NODE_H = 38;
/** Vertical gap between the layers of a run. */
const RUN_GAP = 18;

export interface Point {
  x: number;
  y: number;
}
/** Centre and size, as dagre gives them. */
export interface Box extends Point {
  width: number;
  height: number;
}

export interface Layout {
  key: string;
  width: number;
  height: number;
  nodes: Map<number, Box>;
  edges: { edge: GraphEdge; points: Point[] }[];
}

/** What the layout depends on: the layers and the edges between them. */
export function structureKey(g: NetworkGraph): string {
  return `${g.nodes.length}|${g.edges.map((e) => `${e.from}>${e.to}${e.kind[0]}`).join(',')}`;
}

/** Runs of layers joined by their only edge: run index per layer, and the layers of each run. */
export function runsOf(g: NetworkGraph): { runOf: Map<number, number>; runs: number[][] } {
  const outs = new Map<number, GraphEdge[]>(),
    ins = new Map<number, GraphEdge[]>();
  for (const e of g.edges) {
    outs.set(e.from, [...(outs.get(e.from) ?? []), e]);
    ins.set(e.to, [...(ins.get(e.to) ?? []), e]);
  }
  const runOf = new Map<number, number>();
  const runs: number[][] = [];
  let prev: number | undefined;
  for (const n of g.nodes) {
    const o = prev !== undefined ? outs.get(prev) : undefined,
      i = ins.get(n.index);
    const joins = prev !== undefined && o?.length === 1 && i?.length === 1 && o[0] === i[0];
    if (!joins) runs.push([]);
    runs[runs.length - 1].push(n.index);
    runOf.set(n.index, runs.length - 1);
    prev = n.index;
  }
  return { runOf, runs };
}

const runHeight = (n: number) => n * NODE_H + (n - 1) * RUN_GAP;

export function layoutGraph(g: NetworkGraph): Layout {
  const { runOf, runs } = runsOf(g);
  const d = new dagre.graphlib.Graph({ multigraph: true });
  d.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 26, edgesep: 10, marginx: 16, marginy: 16 });
  runs.forEach((r, k) => d.setNode(`r${k}`, { width: NODE_W, height: runHeight(r.length) }));
  const between = g.edges.filter((e) => runOf.get(e.from) !== runOf.get(e.to));
  for (const e of between) {
    d.setEdge(
      `r${runOf.get(e.from)}`,
      `r${runOf.get(e.to)}`,
      { weight: e.kind === 'next' ? 4 : 1, minlen: 1 },
      `${e.from}>${e.to}${e.kind}`,
    );
  }
  // The default ordering heuristic repeats the crossing reduction many times; one pass suffices for
  // these mostly sequential graphs at a fraction of the time (bench/graph.ts).
  dagre.layout(d, { disableOptimalOrderHeuristic: true });

  const nodes = new Map<number, Box>();
  runs.forEach((r, k) => {
    const b = d.node(`r${k}`) as Box;
    const top = b.y - b.height / 2;
    r.forEach((index, j) => nodes.set(index, { x: b.x, y: top + j * (NODE_H + RUN_GAP) + NODE_H / 2, width: NODE_W, height: NODE_H }));
  });
  const bottom = (i: number): Point => {
    const b = nodes.get(i)!;
    return { x: b.x, y: b.y + b.height / 2 };
  };
  const top = (i: number): Point => {
    const b = nodes.get(i)!;
    return { x: b.x, y: b.y - b.height / 2 };
  };
  const edges = g.edges.map((edge) => {
    if (runOf.get(edge.from) === runOf.get(edge.to)) return { edge, points: [bottom(edge.from), top(edge.to)] };
    const routed =
      (
        d.edge(`r${runOf.get(edge.from)}`, `r${runOf.get(edge.to)}`, `${edge.from}>${edge.to}${edge.kind}`) as
          { points?: Point[] } | undefined
      )?.points ?? [];
    // dagre ends an edge where it meets the run's box; it leaves the run's last layer and enters its first.
    const inner = routed.slice(1, -1).map((p) => ({ x: p.x, y: p.y }));
    return { edge, points: [bottom(edge.from), ...inner, top(edge.to)] };
  });
  const size = d.graph() as { width?: number; height?: number };
  return { key: structureKey(g), width: size.width ?? 0, height: size.height ?? 0, nodes, edges };
}
