// A layered (Sugiyama) layout of a directed acyclic graph, on flat arrays: ranks by longest path
// then pulled toward their outputs, long edges split into dummy nodes, crossings reduced by
// weighted barycenter sweeps, and x from Brandes & Köpf's four alignments ("Fast and Simple
// Horizontal Coordinate Assignment", 2001) as dagre does it. It does what dagre did for the graph
// panel at a few ms instead of hundreds (dagre's graph objects keyed by strings cost most of its
// time), so a structural edit is laid out again within the panel's budget (bench/graph.ts).

export interface LayeredEdge {
  from: number;
  to: number;
  /** Pull toward straight and short (barycenters, ranking). */
  weight: number;
}

export interface LayeredInput {
  widths: number[];
  heights: number[];
  /** Edges go from a lower node number to a higher one (a topological numbering); others are left out. */
  edges: LayeredEdge[];
  nodesep: number;
  edgesep: number;
  ranksep: number;
  margin: number;
}

export interface LayeredOutput {
  /** Node centres. */
  x: number[];
  y: number[];
  width: number;
  height: number;
  /** Per edge, the points where it crosses the ranks between its ends (none for an edge left out). */
  bends: { x: number; y: number }[][];
}

/** Most barycenter sweeps without a better crossing count before ordering stops. */
const PATIENCE = 4;
const MAX_SWEEPS = 24;

export function layered(input: LayeredInput): LayeredOutput {
  const n0 = input.widths.length;
  const forward = input.edges.map((e) => e.from < e.to && e.to < n0);
  const edges = input.edges.filter((_, k) => forward[k]);
  const rank = ranks(n0, edges);

  // Split edges that span ranks: node ids n0… are dummies, one per rank crossed.
  const rankOf = rank.slice();
  const width = input.widths.slice();
  const height = input.heights.slice();
  const up: number[][] = Array.from({ length: n0 }, () => []);
  const down: number[][] = Array.from({ length: n0 }, () => []);
  const upW: number[][] = Array.from({ length: n0 }, () => []);
  const downW: number[][] = Array.from({ length: n0 }, () => []);
  const chains: number[][] = [];
  const link = (u: number, v: number, w: number) => {
    up[v].push(u);
    upW[v].push(w);
    down[u].push(v);
    downW[u].push(w);
  };
  for (const e of edges) {
    const chain: number[] = [];
    let prev = e.from;
    for (let r = rank[e.from] + 1; r < rank[e.to]; r++) {
      const d = rankOf.length;
      rankOf.push(r);
      width.push(0);
      height.push(0);
      up.push([]);
      upW.push([]);
      down.push([]);
      downW.push([]);
      link(prev, d, e.weight);
      chain.push(d);
      prev = d;
    }
    link(prev, e.to, e.weight);
    chains.push(chain);
  }
  const n = rankOf.length;
  const dummy = (v: number) => v >= n0;

  const layers = order(n, rankOf, up, upW, down, downW);
  const x = positions(layers, up, down, width, dummy, input.nodesep, input.edgesep);

  // y: ranks stacked, each as tall as its tallest node, nodes centred in it.
  const y = new Array<number>(n).fill(0);
  let top = 0;
  for (const layer of layers) {
    const h = layer.reduce((m, v) => Math.max(m, height[v]), 0);
    for (const v of layer) y[v] = top + h / 2;
    top += h + input.ranksep;
  }
  let minX = Infinity,
    maxX = -Infinity,
    maxY = 0;
  for (let v = 0; v < n; v++) {
    minX = Math.min(minX, x[v] - width[v] / 2);
    maxX = Math.max(maxX, x[v] + width[v] / 2);
    maxY = Math.max(maxY, y[v] + height[v] / 2);
  }
  if (n === 0) minX = maxX = 0;
  const dx = input.margin - minX,
    dy = input.margin;
  for (let v = 0; v < n; v++) {
    x[v] += dx;
    y[v] += dy;
  }
  let laid = 0;
  return {
    x: x.slice(0, n0),
    y: y.slice(0, n0),
    width: maxX - minX + 2 * input.margin,
    height: maxY + 2 * input.margin,
    bends: forward.map((f) => (f ? chains[laid++].map((d) => ({ x: x[d], y: y[d] })) : [])),
  };
}

/** Longest path from the sources, then each node with more (weighted) outputs than inputs moved down next to its nearest output. */
function ranks(n: number, edges: LayeredEdge[]): number[] {
  const rank = new Array<number>(n).fill(0);
  const ins: LayeredEdge[][] = Array.from({ length: n }, () => []),
    outs: LayeredEdge[][] = Array.from({ length: n }, () => []);
  for (const e of edges) {
    ins[e.to].push(e);
    outs[e.from].push(e);
  }
  for (let v = 0; v < n; v++) for (const e of ins[v]) rank[v] = Math.max(rank[v], rank[e.from] + 1);
  for (let v = n - 1; v >= 0; v--) {
    if (!outs[v].length) continue;
    const wIn = ins[v].reduce((s, e) => s + e.weight, 0),
      wOut = outs[v].reduce((s, e) => s + e.weight, 0);
    const hi = Math.min(...outs[v].map((e) => rank[e.to])) - 1;
    if (wOut > wIn && hi > rank[v]) rank[v] = hi;
  }
  // no empty ranks
  const used = [...new Set(rank)].sort((a, b) => a - b);
  const to = new Map(used.map((r, i) => [r, i]));
  return rank.map((r) => to.get(r)!);
}

/** Orders each rank: depth-first initial order, then weighted barycenter sweeps down and up, keeping the order with fewest crossings. */
function order(n: number, rankOf: number[], up: number[][], upW: number[][], down: number[][], downW: number[][]): number[][] {
  const ranksCount = n ? Math.max(...rankOf) + 1 : 0;
  let layers: number[][] = Array.from({ length: ranksCount }, () => []);
  const seen = new Uint8Array(n);
  const visit = (v: number) => {
    if (seen[v]) return;
    seen[v] = 1;
    layers[rankOf[v]].push(v);
    for (const w of down[v]) visit(w);
  };
  const starts = [...Array(n).keys()].sort((a, b) => rankOf[a] - rankOf[b] || a - b);
  for (const v of starts) visit(v);

  const pos = new Int32Array(n);
  const index = (ls: number[][]) => ls.forEach((l) => l.forEach((v, i) => (pos[v] = i)));
  index(layers);
  let best = layers.map((l) => l.slice()),
    bestCc = crossings(layers, down, downW, pos);
  for (let i = 0, stale = 0; stale < PATIENCE && i < MAX_SWEEPS && bestCc > 0; i++, stale++) {
    const downward = i % 2 === 0;
    const seq = downward ? layers.keys() : [...layers.keys()].reverse();
    for (const r of seq) {
      if (downward ? r === 0 : r === ranksCount - 1) continue;
      const nb = downward ? up : down,
        nbW = downward ? upW : downW;
      layers[r] = sortByBarycenter(layers[r], nb, nbW, pos, i % 4 >= 2);
      layers[r].forEach((v, k) => (pos[v] = k));
    }
    const cc = crossings(layers, down, downW, pos);
    if (cc < bestCc) {
      bestCc = cc;
      best = layers.map((l) => l.slice());
      stale = -1;
    }
  }
  layers = best;
  return layers;
}

function sortByBarycenter(layer: number[], nb: number[][], nbW: number[][], pos: Int32Array, biasRight: boolean): number[] {
  const sortable: { v: number; bc: number; i: number }[] = [];
  const out = new Array<number>(layer.length).fill(-1);
  layer.forEach((v, i) => {
    let s = 0,
      w = 0;
    nb[v].forEach((u, k) => {
      s += nbW[v][k] * pos[u];
      w += nbW[v][k];
    });
    if (w) sortable.push({ v, bc: s / w, i });
    else out[i] = v; // no neighbour on that side: keeps its place
  });
  sortable.sort((a, b) => a.bc - b.bc || (biasRight ? b.i - a.i : a.i - b.i));
  let k = 0;
  for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = sortable[k++].v;
  return out;
}

/** Weighted crossings between consecutive ranks (Barth, Jünger & Mutzel's accumulator tree). */
function crossings(layers: number[][], down: number[][], downW: number[][], pos: Int32Array): number {
  let cc = 0;
  for (let r = 1; r < layers.length; r++) {
    const south = layers[r];
    const entries: { p: number; w: number }[] = [];
    for (const u of layers[r - 1]) {
      const es = down[u].map((v, k) => ({ p: pos[v], w: downW[u][k] })).sort((a, b) => a.p - b.p);
      entries.push(...es);
    }
    let first = 1;
    while (first < south.length) first <<= 1;
    const tree = new Float64Array(2 * first - 1);
    first -= 1;
    for (const { p, w } of entries) {
      let i = p + first;
      tree[i] += w;
      let sum = 0;
      while (i > 0) {
        if (i % 2) sum += tree[i + 1];
        i = (i - 1) >> 1;
        tree[i] += w;
      }
      cc += w * sum;
    }
  }
  return cc;
}

/** Brandes & Köpf: four alignments (up/down × left/right), aligned to the narrowest, then the average of the middle two. */
function positions(
  layers: number[][],
  up: number[][],
  down: number[][],
  width: number[],
  dummy: (v: number) => boolean,
  nodesep: number,
  edgesep: number,
): number[] {
  const n = width.length;
  const pos = new Int32Array(n);
  layers.forEach((l) => l.forEach((v, i) => (pos[v] = i)));
  const conflicts = type1Conflicts(layers, up, dummy, pos);
  const sep = (u: number, v: number) =>
    width[u] / 2 + (dummy(u) ? edgesep : nodesep) / 2 + (dummy(v) ? edgesep : nodesep) / 2 + width[v] / 2;

  const xss: { xs: number[]; right: boolean }[] = [];
  for (const vertical of ['u', 'd'] as const) {
    for (const right of [false, true]) {
      let ls = vertical === 'u' ? layers : layers.slice().reverse();
      if (right) ls = ls.map((l) => l.slice().reverse());
      const p = new Int32Array(n);
      ls.forEach((l) => l.forEach((v, i) => (p[v] = i)));
      const nb = vertical === 'u' ? up : down;
      let xs = compaction(ls, alignment(ls, nb, p, conflicts, n), sep, n);
      if (right) xs = xs.map((x) => -x);
      xss.push({ xs, right });
    }
  }
  const extent = (xs: number[]) => {
    let lo = Infinity,
      hi = -Infinity;
    xs.forEach((x, v) => {
      lo = Math.min(lo, x - width[v] / 2);
      hi = Math.max(hi, x + width[v] / 2);
    });
    return hi - lo;
  };
  const narrowest = xss.reduce((a, b) => (extent(b.xs) < extent(a.xs) ? b : a));
  const min = Math.min(...narrowest.xs),
    max = Math.max(...narrowest.xs);
  for (const a of xss) {
    if (a === narrowest) continue;
    const delta = a.right ? max - Math.max(...a.xs) : min - Math.min(...a.xs);
    if (delta) a.xs = a.xs.map((x) => x + delta);
  }
  const x = new Array<number>(n);
  for (let v = 0; v < n; v++) {
    const s = xss.map((a) => a.xs[v]).sort((a, b) => a - b);
    x[v] = (s[1] + s[2]) / 2;
  }
  return x;
}

/** Edges that cross an inner segment (dummy to dummy) and so must not be aligned; keys u * n + v with u < v. */
function type1Conflicts(layers: number[][], up: number[][], dummy: (v: number) => boolean, pos: Int32Array): Set<number> {
  const n = pos.length;
  const conflicts = new Set<number>();
  for (let r = 1; r < layers.length; r++) {
    const layer = layers[r],
      prevLength = layers[r - 1].length;
    let k0 = 0,
      scan = 0;
    layer.forEach((v, l1) => {
      const inner = dummy(v) ? up[v].find(dummy) : undefined;
      if (inner === undefined && l1 !== layer.length - 1) return;
      const k1 = inner !== undefined ? pos[inner] : prevLength;
      for (; scan <= l1; scan++) {
        const s = layer[scan];
        for (const u of up[s]) {
          if ((pos[u] < k0 || k1 < pos[u]) && !(dummy(u) && dummy(s))) conflicts.add(Math.min(u, s) * n + Math.max(u, s));
        }
      }
      k0 = k1;
    });
  }
  return conflicts;
}

function alignment(layers: number[][], nb: number[][], p: Int32Array, conflicts: Set<number>, n: number) {
  const root = Array.from({ length: n }, (_, v) => v),
    align = root.slice();
  for (const layer of layers) {
    let r = -1;
    for (const v of layer) {
      const ws = nb[v];
      if (!ws.length) continue;
      const sorted = ws.slice().sort((a, b) => p[a] - p[b]);
      const mp = (sorted.length - 1) / 2;
      for (let m = Math.floor(mp); m <= Math.ceil(mp); m++) {
        const w = sorted[m];
        if (align[v] === v && r < p[w] && !conflicts.has(Math.min(v, w) * n + Math.max(v, w))) {
          align[w] = v;
          align[v] = root[v] = root[w];
          r = p[w];
        }
      }
    }
  }
  return root;
}

/** Blocks (aligned chains) placed left to right as close as their separations allow, then pulled right toward their right neighbours. */
function compaction(layers: number[][], root: number[], sep: (u: number, v: number) => number, n: number): number[] {
  const outs = new Map<number, Map<number, number>>(),
    inDeg = new Map<number, number>(),
    ins = new Map<number, Map<number, number>>();
  for (const layer of layers) {
    for (let i = 1; i < layer.length; i++) {
      const a = root[layer[i - 1]],
        b = root[layer[i]];
      const s = sep(layer[i], layer[i - 1]);
      const o = outs.get(a) ?? new Map<number, number>();
      outs.set(a, o);
      if (!o.has(b)) inDeg.set(b, (inDeg.get(b) ?? 0) + 1);
      o.set(b, Math.max(o.get(b) ?? 0, s));
      const m = ins.get(b) ?? new Map<number, number>();
      ins.set(b, m);
      m.set(a, Math.max(m.get(a) ?? 0, s));
    }
  }
  const blocks = [...new Set(root)];
  const queue = blocks.filter((b) => !inDeg.get(b));
  const topo: number[] = [];
  while (queue.length) {
    const b = queue.pop()!;
    topo.push(b);
    for (const c of outs.get(b)?.keys() ?? []) {
      const d = inDeg.get(c)! - 1;
      inDeg.set(c, d);
      if (!d) queue.push(c);
    }
  }
  const xb = new Map<number, number>();
  for (const b of topo) {
    let x = 0;
    for (const [a, s] of ins.get(b) ?? []) x = Math.max(x, xb.get(a)! + s);
    xb.set(b, x);
  }
  for (let i = topo.length - 1; i >= 0; i--) {
    const b = topo[i],
      o = outs.get(b);
    if (!o?.size) continue;
    let m = Infinity;
    for (const [c, s] of o) m = Math.min(m, xb.get(c)! - s);
    xb.set(b, Math.max(xb.get(b)!, m));
  }
  return Array.from({ length: n }, (_, v) => xb.get(root[v]) ?? 0);
}
