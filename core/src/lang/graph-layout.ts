// Layered layout of the network graph with dagre (@dagrejs/dagre), made by the language server with
// the graph it sends, so dagre runs warm there and the panel only paints (docs/network-graph.md
// §Performance). Runs of layers that only feed each other (one output to the next layer, which has
// no other input) are laid out as one tall node, which halves what dagre works on for darknet's
// long conv chains (yolov4: 162 layers, 80 runs) and keeps each run straight. Nodes have one fixed
// size, so an edit that changes no edge (filters=, activation=, …) reuses the previous layout; an
// edit that only moves edges between the same layers (a `from=`/`layers=` edit) keeps the layers
// where they are and routes the edges again when that stays readable; anything else is laid out anew.
import dagre from '@dagrejs/dagre';
import type { GraphBox, GraphEdge, GraphLayout, GraphNode, GraphPoint } from '../protocol/graph';

const NODE_W = 150;
const NODE_H = 38;
/** Vertical gap between the layers of a run. */
const RUN_GAP = 18;

/** The layers and edges a layout is made for. */
export interface Structure {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A graph and its layout (the previous one of the same document). */
export interface LaidOut extends Structure {
  layout: GraphLayout;
}

type Box = GraphBox;
type Point = GraphPoint;

/** What the layout depends on: the layers and the edges between them. */
export function structureKey(g: Structure): string {
  return `${g.nodes.length}|${g.edges.map((e) => `${e.from}>${e.to}${e.kind[0]}`).join(',')}`;
}

/** Runs of layers joined by their only edge: run index per layer, and the layers of each run. */
export function runsOf(g: Structure): { runOf: Map<number, number>; runs: number[][] } {
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
const MARGIN = 16;
/** Distance of an edge's lane from the boxes it passes (edge routing of a kept layout). */
const LANE_GAP = 14;

const bottomOf = (b: Box): Point => ({ x: b.x, y: b.y + b.height / 2 });
const topOf = (b: Box): Point => ({ x: b.x, y: b.y - b.height / 2 });
const edgeId = (e: GraphEdge) => `${e.from}>${e.to}${e.kind}`;

/**
 * The graph laid out. The previous layout is reused when the layers and edges are the same; when an
 * edit moved only edges, its boxes stay where they were and the edges are routed again (no new
 * ranking: the picture does not jump, and it costs no dagre run); see keptLayout for when that is
 * refused.
 */
export function layoutGraph(g: Structure, previous?: LaidOut): GraphLayout {
  if (previous?.layout.key === structureKey(g)) return previous.layout;
  return (previous && keptLayout(g, previous)) ?? dagreLayout(g);
}

function dagreLayout(g: Structure): GraphLayout {
  const { runOf, runs } = runsOf(g);
  const d = new dagre.graphlib.Graph({ multigraph: true });
  // longest-path ranking: the cheapest of dagre's rankers on these graphs, and as compact for them
  // as network-simplex (bench figures in docs/network-graph.md §Performance).
  d.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 26, edgesep: 10, marginx: MARGIN, marginy: MARGIN, ranker: 'longest-path' });
  runs.forEach((r, k) => d.setNode(`r${k}`, { width: NODE_W, height: runHeight(r.length) }));
  const between = g.edges.filter((e) => runOf.get(e.from) !== runOf.get(e.to));
  for (const e of between)
    d.setEdge(`r${runOf.get(e.from)}`, `r${runOf.get(e.to)}`, { weight: e.kind === 'next' ? 4 : 1, minlen: 1 }, edgeId(e));
  // The default ordering heuristic repeats the crossing reduction many times; one pass suffices for
  // these mostly sequential graphs at a fraction of the time.
  dagre.layout(d, { disableOptimalOrderHeuristic: true });

  const boxes: Box[] = [];
  runs.forEach((r, k) => {
    const b = d.node(`r${k}`) as Box;
    const top = b.y - b.height / 2;
    r.forEach((index, j) => (boxes[index] = { x: b.x, y: top + j * (NODE_H + RUN_GAP) + NODE_H / 2, width: NODE_W, height: NODE_H }));
  });
  let routes = g.edges.map((edge) => {
    const from = bottomOf(boxes[edge.from]),
      to = topOf(boxes[edge.to]);
    if (runOf.get(edge.from) === runOf.get(edge.to)) return [from, to];
    const routed =
      (d.edge(`r${runOf.get(edge.from)}`, `r${runOf.get(edge.to)}`, edgeId(edge)) as { points?: Point[] } | undefined)?.points ?? [];
    // dagre ends an edge where it meets the run's box; it leaves the run's last layer and enters its first.
    const inner = routed.slice(1, -1).map((p) => ({ x: p.x, y: p.y }));
    return [from, ...inner, to];
  });
  const size = d.graph() as { width?: number; height?: number };
  // dagre sizes the drawing by its nodes only; an edge's bend can lie in the left margin or past the right.
  const xs = routes.flatMap((points) => points.map((p) => p.x));
  const shift = Math.max(0, MARGIN - Math.min(...xs));
  if (shift) {
    for (const b of boxes) b.x += shift;
    routes = routes.map((points) => points.map((p) => ({ x: p.x + shift, y: p.y })));
  }
  const width = Math.max((size.width ?? 0) + shift, Math.max(...xs) + shift + MARGIN);
  return { key: structureKey(g), width, height: size.height ?? 0, boxes, routes };
}

/**
 * The previous layout's boxes with g's edges, or undefined when that would not read well: other
 * layers, an edge that would not run downward, or a run of g that is not one column there. An edge
 * kept from before keeps its route; a new one goes straight when no box is in its way, else down a
 * lane to the right of every box beside it.
 */
function keptLayout(g: Structure, previous: LaidOut): GraphLayout | undefined {
  const boxes = previous.layout.boxes;
  if (boxes.length !== g.nodes.length || g.nodes.some((n, k) => n.index !== k)) return undefined;
  for (const e of g.edges) if (bottomOf(boxes[e.from]).y >= topOf(boxes[e.to]).y) return undefined;
  for (const run of runsOf(g).runs) if (run.some((i) => boxes[i].x !== boxes[run[0]].x)) return undefined;

  const before = new Map(previous.edges.map((e, k) => [edgeId(e), previous.layout.routes[k]]));
  let width = previous.layout.width;
  const routes: Point[][] = [];
  for (const edge of g.edges) {
    const kept = before.get(edgeId(edge));
    if (kept) {
      routes.push(kept);
      continue;
    }
    const from = bottomOf(boxes[edge.from]),
      to = topOf(boxes[edge.to]);
    const beside = boxes.filter((b) => b.y + b.height / 2 > from.y && b.y - b.height / 2 < to.y);
    const lo = Math.min(from.x, to.x) - NODE_W / 2,
      hi = Math.max(from.x, to.x) + NODE_W / 2;
    if (!beside.some((b) => b.x + b.width / 2 > lo && b.x - b.width / 2 < hi)) {
      routes.push([from, to]);
      continue;
    }
    if (to.y - from.y <= 2 * LANE_GAP) return undefined;
    const lane = Math.max(...beside.map((b) => b.x + b.width / 2)) + LANE_GAP;
    width = Math.max(width, lane + MARGIN);
    routes.push([from, { x: lane, y: from.y + LANE_GAP }, { x: lane, y: to.y - LANE_GAP }, to]);
  }
  return { key: structureKey(g), width, height: previous.layout.height, boxes, routes };
}
