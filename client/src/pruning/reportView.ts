// prune-report.json → the report panel's view.

import * as path from 'node:path';
import { readPruneReportFile, type PruneReport } from '../../../core/src/prune/report';
import type { ReportView } from '../../../webviews/src/shared/protocol';

/** Validated, and read only as a regular file under a size cap (it may come from a cloned repository). */
export const readReport = (reportPath: string): PruneReport => readPruneReportFile(reportPath);

/** Paths in the report are relative to the report's folder or absolute. */
export function reportPath(reportFile: string, p: string): string {
  return path.resolve(path.dirname(reportFile), p);
}

export function reportView(reportFile: string, r: PruneReport): ReportView {
  const stages = r.stages;
  const channel = stages.find((s) => s.stage === 'channel');
  const layer = stages.find((s) => s.stage === 'layer');
  const parameters: ReportView['parameters'] = {};
  if (channel && channel.stage === 'channel') {
    parameters.globalPercent = channel.parameters.globalPercent;
    if (channel.parameters.layerKeep !== null) parameters.layerKeep = channel.parameters.layerKeep;
  }
  if (layer && layer.stage === 'layer') parameters.shortcuts = layer.parameters.shortcuts;
  const layers =
    channel && channel.stage === 'channel'
      ? channel.layers.map((l) => ({ index: l.index, type: l.type, before: l.filtersBefore, after: l.filtersAfter }))
      : [];
  return {
    title: path.basename(reportPath(reportFile, r.output.cfg)),
    method: [channel && channel.stage === 'channel' ? `channel (${channel.method})` : '', layer ? 'layer' : ''].filter(Boolean).join(' + '),
    parameters,
    layers,
    totals: {
      params: { before: r.totals.before.params, after: r.totals.after.params },
      bflops: { before: r.totals.before.bflops, after: r.totals.after.bflops },
      weightsBytes: { before: r.totals.before.weightsBytes, after: r.totals.after.weightsBytes },
    },
    prunedCfg: reportPath(reportFile, r.output.cfg),
    originalCfg: reportPath(reportFile, r.source.cfg),
  };
}
