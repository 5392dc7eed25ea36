// Messages between the extension host and the webview panels: one discriminated union each way,
// shared by both sides. Webviews receive data by message only.

import type { GraphEdge, GraphNode, NetworkGraph } from '../../../core/src/protocol/graph';

export type { GraphEdge, GraphNode, NetworkGraph };

export interface GammaLayerView { index: number; channels: number; min: number; mean: number; max: number }

export interface GammaView {
  title: string;
  layers: GammaLayerView[];
  /** Global ascending |γ| over the prunable set (what the threshold is taken from). */
  sorted: number[];
  /** Per-layer |γ| values (for the per-layer histogram). */
  perLayer: Record<number, number[]>;
  percent: number;
  layerKeep: number;
}

export interface PruneFigures {
  percent: number;
  threshold: number;
  channels: { kept: number; total: number };
  params: { before: number; after: number };
  bflops: { before: number; after: number };
  weightsBytes: { before: number; after: number };
  floored: number[];
  emptied: number[];
  elapsedMs: number;
}

export interface ReportLayerView { index: number; type: string; before: number; after: number }

export interface ReportView {
  title: string;
  method: string;
  parameters: Record<string, string | number | boolean | null>;
  layers: ReportLayerView[];
  totals: { params: { before: number; after: number }; bflops: { before: number; after: number }; weightsBytes: { before: number; after: number } };
  prunedCfg: string;
  originalCfg: string;
}

export interface SweepPointView { percent: number; params: number; bflops: number; weightsBytes: number; emptied: number; floored: number; mAP?: number }
export interface SweepView { title: string; points: SweepPointView[]; suggested?: number; rule: string }

/** The live γ-threshold overlay on the graph: fraction of channels kept per layer at a percent. */
export interface GammaOverlay { percent: number; threshold: number; kept: Record<number, number> }

/** What a panel shows (file paths), kept in the webview state so the host can revive it after a reload. */
export type PanelContext = Record<string, string>;

export type HostToView =
  | { type: 'gamma'; view: GammaView; context: PanelContext }
  | { type: 'figures'; figures: PruneFigures }
  | { type: 'report'; view: ReportView; context: PanelContext }
  | { type: 'sweep'; view: SweepView; context: PanelContext }
  | { type: 'graph'; view: NetworkGraph; context: PanelContext }
  /** The layer under the editor's cursor (null: outside any layer). */
  | { type: 'cursor'; index: number | null }
  | { type: 'gammaOverlay'; overlay: GammaOverlay | null }
  | { type: 'error'; message: string };

export type ViewToHost =
  | { type: 'ready' }
  | { type: 'percent'; percent: number; layerKeep: number }
  | { type: 'prune'; percent: number; layerKeep: number }
  | { type: 'open'; target: 'prunedCfg' | 'originalCfg' }
  | { type: 'compare' }
  /** Show this layer's section in the editor. */
  | { type: 'reveal'; index: number };

/** Validates what a webview posts before the host acts on it. */
export function parseViewMessage(m: unknown): ViewToHost | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const v = m as Record<string, unknown>;
  const num = (x: unknown, lo: number, hi: number) => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi;
  switch (v.type) {
    case 'ready': case 'compare': return { type: v.type };
    case 'percent': case 'prune':
      return num(v.percent, 0, 0.999) && num(v.layerKeep, 0, 1) ? { type: v.type, percent: v.percent as number, layerKeep: v.layerKeep as number } : undefined;
    case 'reveal': return Number.isInteger(v.index) && (v.index as number) >= 0 ? { type: 'reveal', index: v.index as number } : undefined;
    case 'open': return v.target === 'prunedCfg' || v.target === 'originalCfg' ? { type: 'open', target: v.target } : undefined;
    default: return undefined;
  }
}
