// prune-report.json: what was pruned, from what, and the figures before and after.
// Field names match what prune/diff-report.ts reads (layers[].index/filtersBefore/filtersAfter/kept,
// removed, prunedToOriginal).

import type { Network } from '../cfg/network';
import { isChannelSource } from '../layers';
import type { ChannelPruneResult } from './channel';
import type { PruneTotals } from './evaluate';
import type { LayerPruneResult } from './layer';
export const PRUNE_REPORT_VERSION = 1;

export interface SourceInfo { cfg: string; cfgSha256: string; weights: string; weightsSha256: string }

export interface FiguresJson { params: number; weightFloats: number; weightsBytes: number; bflops: number }

export const figures = (t: Pick<PruneTotals, 'params' | 'weightFloats' | 'bflops'>, weightsBytes: number): FiguresJson =>
  ({ params: t.params, weightFloats: t.weightFloats, weightsBytes, bflops: Number(t.bflops.toFixed(6)) });

export function channelStageReport(r: ChannelPruneResult) {
  const e = r.evaluation, s = r.structure, net = s.net;
  const keptIdx = (m: Uint8Array) => { const o: number[] = []; m.forEach((v, k) => { if (v) o.push(k); }); return o; };
  return {
    stage: 'channel' as const,
    method: e.method,
    parameters: { globalPercent: e.globalPercent, layerKeep: e.method === 'slim' ? e.layerKeep : null },
    threshold: e.threshold,
    thresholdIndex: e.thresholdIndex,
    population: { layers: e.plan.population.length, gammas: e.populationSize },
    prunable: s.prunable,
    groups: s.groups,
    excluded: [...s.excluded].map(([layer, reason]) => ({ layer, reason })),
    emptied: e.emptied,
    floored: e.floored,
    layers: net.layers.filter(isChannelSource).map((l) => {
      const after = e.keptPerLayer[l.index];
      return { index: l.index, type: l.type, filtersBefore: l.attrs.filters!, filtersAfter: after, ...(after !== l.attrs.filters ? { kept: keptIdx(e.keep[l.index]) } : {}) };
    }),
    warnings: r.warnings,
  };
}

export function layerStageReport(r: LayerPruneResult, before: Network) {
  return {
    stage: 'layer' as const,
    parameters: { shortcuts: r.removedUnits.length },
    candidates: r.candidates.units.map((u) => ({ shortcut: u.shortcut, conv: u.conv, from: u.from, score: u.score })),
    rejected: r.candidates.rejected,
    removedUnits: r.removedUnits.map((u) => ({ shortcut: u.shortcut, conv: u.conv, layers: u.layers, score: u.score })),
    removed: r.removed,
    prunedToOriginal: r.prunedToOriginal,
    remapped: r.remapped,
    layersBefore: before.layers.length,
    layersAfter: r.net.layers.length,
    warnings: r.warnings,
  };
}

export type StageReport = ReturnType<typeof channelStageReport> | ReturnType<typeof layerStageReport>;

export interface PruneReport {
  tool: 'darknet-pruner';
  reportVersion: number;
  kind: 'channel' | 'layer' | 'channel+layer';
  createdAt: string;
  source: SourceInfo;
  /** The report of the directory this run started from (layer pruning of a channel-pruned model). */
  provenance?: unknown;
  output: { cfg: string; weights: string; cfgSha256: string; weightsSha256: string };
  stages: StageReport[];
  /** For the last stage (diff tools read these at the top level). */
  layers?: unknown;
  removed?: number[];
  prunedToOriginal?: number[];
  totals: { before: FiguresJson; after: FiguresJson };
}
