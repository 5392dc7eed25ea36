// Layered layout of the network graph (./layered.ts). Runs of layers that only feed each other (one
// output to the next layer, which has no other input) are laid out as one tall node, which halves
// what the layout works on for darknet's long conv chains (yolov4: 162 layers, 80 runs) and keeps
// each run straight. Nodes have one fixed size, so an edit that changes no edge (filters=,
// activation=, …) reuses the previous layout: only a changed structure (a `from=`/`layers=` edit,
// a section added or removed) is laid out again.
import type { GraphEdge, NetworkGraph } from '../shared/protocol';
import { layered } from './layered';

export const NODE_W = 150;
export const NODE_H = 38;
/** Vertical gap between the layers of a run. */
const RUN_GAP = 18;

export interface Point {
  x: number;
  y: number;
}
/** Centre and size. */
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
  const between = g.edges.filter((e) => runOf.get(e.from) !== runOf.get(e.to));
  const laid = layered({
    widths: runs.map(() => NODE_W),
    heights: runs.map((r) => runHeight(r.length)),
    edges: between.map((e) => ({ from: runOf.get(e.from)!, to: runOf.get(e.to)!, weight: e.kind === 'next' ? 4 : 1 })),
    nodesep: 28,
    edgesep: 10,
    ranksep: 26,
    margin: 16,
  });

  const nodes = new Map<number, Box>();
  runs.forEach((r, k) => {
    const top = laid.y[k] - runHeight(r.length) / 2;
    r.forEach((index, j) =>
      nodes.set(index, { x: laid.x[k], y: top + j * (NODE_H + RUN_GAP) + NODE_H / 2, width: NODE_W, height: NODE_H }),
    );
  });
  const bottom = (i: number): Point => {
    const b = nodes.get(i)!;
    return { x: b.x, y: b.y + b.height / 2 };
  };
  const top = (i: number): Point => {
    const b = nodes.get(i)!;
    return { x: b.x, y: b.y - b.height / 2 };
  };
  const bends = new Map(between.map((e, k) => [e, laid.bends[k]]));
  // An edge leaves its layer's bottom and enters its target's top, through a point per rank it crosses.
  const edges = g.edges.map((edge) => ({ edge, points: [bottom(edge.from), ...(bends.get(edge) ?? []), top(edge.to)] }));
  return { key: structureKey(g), width: laid.width, height: laid.height, nodes, edges };
}
