// The network graph the language server sends to the graph panel (darknet/networkGraph, typed in
// ./lsp.ts; built by core/src/lang/graph.ts). Plain data with no imports, so the webview can use it.

export type GraphEdgeKind = 'next' | 'route' | 'shortcut' | 'sam' | 'scale_channels';

export interface GraphNode {
  index: number;
  type: string;
  /** Short text drawn in the node, e.g. `conv 64 3×3/2`. */
  label: string;
  /** 0-based line of the section header, and the section's last line. */
  line: number;
  endLine: number;
  /** `W×H×C`, or null when unknown. */
  output: string | null;
  params: number;
  bflops: number;
  /** A detection head ([yolo], [Gaussian_yolo], [region], [detection]). */
  head: boolean;
  /** An error diagnostic lies in the section. */
  error: boolean;
}

export interface GraphEdge {
  from: number;
  to: number;
  kind: GraphEdgeKind;
  /** e.g. `group 1/2` for a [route] with groups. */
  label?: string;
}

export interface PrunedLayerOverlay {
  index: number;
  originalIndex: number;
  /** Filters kept / filters before (null for layers without filters). */
  kept: number | null;
  filtersBefore: number | null;
  filtersAfter: number | null;
}

export interface PruneOverlay {
  /** File name of the original cfg. */
  original: string;
  layers: PrunedLayerOverlay[];
  /** Original layers removed by layer pruning, each run attached to the pruned layer that follows it. */
  removed: { before: number; originalLayers: number[] }[];
}

export interface GraphPoint {
  x: number;
  y: number;
}

/** Centre and size. */
export interface GraphBox extends GraphPoint {
  width: number;
  height: number;
}

/** Where the panel draws the graph (made by the server, core/src/lang/graph-layout.ts). */
export interface GraphLayout {
  /** The layers and edges it was made for. */
  key: string;
  width: number;
  height: number;
  /** One box per node, in the order of `nodes` (which is layer order). */
  boxes: GraphBox[];
  /** One polyline per edge, in the order of `edges`, from the source's bottom to the target's top. */
  routes: GraphPoint[][];
}

export interface NetworkGraph {
  uri: string;
  version: number;
  input: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  layout: GraphLayout;
  totals: { layers: number; params: number; bflops: number };
  prune?: PruneOverlay;
}
