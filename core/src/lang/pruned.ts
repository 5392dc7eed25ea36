// A pruned cfg seen against its original: per-layer "256 → 37 (−86%)" hints, hover details and a
// totals lens on [net]. The original is found through the prune-report.json beside the pruned cfg.

import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { analyseText } from '../cfg/analyse';
import { formatBflops, type Layer, type Network } from '../cfg/network';
import type { Range } from '../cfg/parse';
import { diffNetworks, type LayerDiff, type NetworkDiff } from '../prune/diff';
import { readPruneReport } from '../prune/diff-report';
import { formatInt } from './describe';
import type { Inlay } from './inlay';

export interface PrunedView {
  originalCfg: string;
  reportFile: string;
  diff: NetworkDiff;
  /** pruned layer index → its diff row */
  byLayer: Map<number, LayerDiff>;
}

const pct = (before: number, after: number) => (before > 0 ? `${after <= before ? '−' : '+'}${Math.round((Math.abs(before - after) / before) * 100)}%` : '');

/** Reads and analyses the original named by the report beside `cfgPath`; cached by file times. */
export class OriginalFinder {
  private cache = new Map<string, { key: string; original: Network; report: unknown; originalCfg: string }>();

  find(cfgPath: string): { original: Network; report: unknown; originalCfg: string; reportFile: string } | undefined {
    const reportFile = path.join(path.dirname(cfgPath), 'prune-report.json');
    if (!existsSync(reportFile)) return undefined;
    try {
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { source?: { cfg?: string }; output?: { cfg?: string } };
      const out = report.output?.cfg && path.resolve(path.dirname(reportFile), report.output.cfg);
      if (out && path.resolve(out) !== path.resolve(cfgPath)) return undefined;
      const originalCfg = report.source?.cfg && path.resolve(path.dirname(reportFile), report.source.cfg);
      if (!originalCfg || !existsSync(originalCfg)) return undefined;
      const key = `${statSync(reportFile).mtimeMs}:${statSync(originalCfg).mtimeMs}`;
      const hit = this.cache.get(cfgPath);
      if (hit && hit.key === key) return { ...hit, reportFile };
      const entry = { key, original: analyseText(readFileSync(originalCfg, 'utf8')), report, originalCfg };
      this.cache.set(cfgPath, entry);
      return { ...entry, reportFile };
    } catch {
      return undefined;
    }
  }
}

export function prunedView(finder: OriginalFinder, cfgPath: string, pruned: Network): PrunedView | undefined {
  const found = finder.find(cfgPath);
  if (!found) return undefined;
  try {
    const diff = diffNetworks(found.original, pruned, readPruneReport(found.report, found.reportFile), found.reportFile);
    return { originalCfg: found.originalCfg, reportFile: found.reportFile, diff, byLayer: new Map(diff.mapping.map((m) => [m.prunedIndex, m])) };
  } catch {
    return undefined; // the cfg was edited past what the report describes: show nothing rather than wrong figures
  }
}

export function prunedInlays(view: PrunedView, net: Network, within: Range | undefined): Inlay[] {
  const first = within?.start.line ?? 0, last = within?.end.line ?? Number.MAX_SAFE_INTEGER;
  const out: Inlay[] = [];
  for (const l of net.layers) {
    const s = l.section;
    if (s.line < first || s.line > last) continue;
    const d = view.byLayer.get(l.index);
    if (!d || d.filtersBefore === null || d.filtersAfter === null || d.filtersBefore === d.filtersAfter) continue;
    out.push({ position: s.headerRange.end, label: `${d.filtersBefore} → ${d.filtersAfter} (${pct(d.filtersBefore, d.filtersAfter)})`, kind: 'layer', tooltip: `Original layer ${d.originalIndex}: filters ${d.filtersBefore} → ${d.filtersAfter}` });
  }
  return out;
}

export function prunedHoverMarkdown(view: PrunedView, layer: Layer): string | undefined {
  const d = view.byLayer.get(layer.index);
  if (!d) return undefined;
  const lines = ['', `**Pruned** from layer ${d.originalIndex} of ${path.basename(view.originalCfg)}`, '', '| | before | after | change |', '|---|---|---|---|'];
  if (d.filtersBefore !== null && d.filtersAfter !== null) lines.push(`| filters | ${d.filtersBefore} | ${d.filtersAfter} | ${pct(d.filtersBefore, d.filtersAfter)} |`);
  lines.push(`| params | ${formatInt(d.paramsBefore)} | ${formatInt(d.paramsAfter)} | ${pct(d.paramsBefore, d.paramsAfter)} |`);
  lines.push(`| BFLOPs | ${formatBflops(d.bflopsBefore)} | ${formatBflops(d.bflopsAfter)} | ${pct(d.bflopsBefore, d.bflopsAfter)} |`);
  if (d.kept) lines.push('', `Kept channels: ${d.kept.length <= 32 ? d.kept.join(', ') : `${d.kept.slice(0, 32).join(', ')}, … (${d.kept.length})`}`);
  return lines.join('\n');
}

export function prunedLensTitle(view: PrunedView): string {
  const t = view.diff.totals;
  return `Pruned from ${path.basename(view.originalCfg)}: params ${formatInt(t.before.params)} → ${formatInt(t.after.params)} (${pct(t.before.params, t.after.params)}) · BFLOPs ${formatBflops(t.before.bflops)} → ${formatBflops(t.after.bflops)} (${pct(t.before.bflops, t.after.bflops)}) · layers ${t.before.layers} → ${t.after.layers}`;
}
