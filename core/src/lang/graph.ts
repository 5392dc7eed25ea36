// The network as a graph for the graph panel: one node per layer, one edge per input it reads
// (the previous layer, [route] layers, [shortcut]/[sam]/[scale_channels] from), detection heads
// marked, and for a pruned cfg the channels kept per layer and where residual units were removed.
// Computed by the language server from its one analysed network (darknet/networkGraph), which adds
// the layout (./graph-layout.ts).

import { shapeText, type Layer, type Network } from '../cfg/network';
import type { GraphEdge, GraphEdgeKind, GraphNode, NetworkGraph, PruneOverlay, PrunedLayerOverlay } from '../protocol/graph';
import type { PrunedView } from './pruned';
import { isBoxHead, specOf } from '../layers';
import { isExcluded } from '../layers/spec';

export function nodeLabel(l: Layer): string {
  const g = specOf(l)?.graph,
    short = g?.short ?? l.type;
  return g?.label ? g.label(l, short) : short;
}

function edgesOf(l: Layer): GraphEdge[] {
  const out: GraphEdge[] = [];
  const refs = l.refs.filter((r) => r.valid && (r.key === 'layers' || r.key === 'from'));
  const spec = specOf(l),
    kind: GraphEdgeKind = spec?.graph?.edge ?? 'next';
  if (kind === 'route') {
    const groups = l.attrs.groups ?? 1;
    const label = groups > 1 ? `group ${l.attrs.groupId ?? 0}/${groups}` : undefined;
    for (const r of refs) out.push({ from: r.target, to: l.index, kind: 'route', ...(label ? { label } : {}) });
    return out;
  }
  const refTargets = new Set(refs.map((r) => r.target));
  const readsPrevious = spec && !isExcluded(spec.analysis) ? spec.analysis.readsPrevious !== false : true;
  if (l.index > 0 && readsPrevious && !refTargets.has(l.index - 1)) out.push({ from: l.index - 1, to: l.index, kind: 'next' });
  for (const t of refTargets) out.push({ from: t, to: l.index, kind });
  return out;
}

/** The graph of `net`, all but its layout. */
export function networkGraph(net: Network, uri: string, version: number, pruned?: PrunedView): Omit<NetworkGraph, 'layout'> {
  const errorLines = net.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line);
  const nodes = net.layers.map((l): GraphNode => {
    const { line } = l.section;
    const endLine = l.section.range.end.line;
    return {
      index: l.index,
      type: l.type,
      label: nodeLabel(l),
      line,
      endLine,
      output: l.output ? shapeText(l.output) : null,
      params: l.params,
      bflops: l.bflops,
      head: isBoxHead(l),
      error: errorLines.some((e) => e >= line && e <= endLine),
    };
  });
  const graph: Omit<NetworkGraph, 'layout'> = {
    uri,
    version,
    nodes,
    edges: net.layers.flatMap(edgesOf),
    input: net.net.width > 0 ? `${net.net.width}×${net.net.height}×${net.net.channels}` : 'input size unknown',
    totals: { layers: net.totals.layers, params: net.totals.params, bflops: net.totals.bflops },
  };
  if (pruned) graph.prune = pruneOverlay(pruned, net);
  return graph;
}

export function pruneOverlay(view: PrunedView, net: Network): PruneOverlay {
  const layers = view.diff.mapping
    .filter((m) => m.prunedIndex < net.layers.length)
    .map((m): PrunedLayerOverlay => ({
      index: m.prunedIndex,
      originalIndex: m.originalIndex,
      kept: m.filtersBefore && m.filtersAfter !== null ? m.filtersAfter / m.filtersBefore : null,
      filtersBefore: m.filtersBefore,
      filtersAfter: m.filtersAfter,
    }));
  // Each removed original layer belongs before the first kept layer with a larger original index.
  const removed = new Map<number, number[]>();
  const byOriginal = [...layers].sort((a, b) => a.originalIndex - b.originalIndex);
  for (const o of [...view.diff.removed].sort((a, b) => a - b)) {
    const next = byOriginal.find((l) => l.originalIndex > o);
    if (!next) continue;
    const list = removed.get(next.index) ?? [];
    list.push(o);
    removed.set(next.index, list);
  }
  return {
    original: view.originalCfg.split(/[\\/]/).pop() ?? view.originalCfg,
    layers,
    removed: [...removed].map(([before, originalLayers]) => ({ before, originalLayers })),
  };
}
