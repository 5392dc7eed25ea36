// A pruned cfg seen against its original: per-layer "256 → 37 (−86%)" hints, hover details and a
// totals lens on [net]. The original is found through the prune-report.json beside the pruned cfg.
// Both files may come from a cloned repository: they are read asynchronously, only as regular files
// under a size cap, and every outcome (failures included) is cached until the file changes.

import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { analyseText } from '../cfg/analyse';
import { formatBflops, type Layer, type Network } from '../cfg/network';
import type { Range } from '../cfg/parse';
import { readBoundedText } from '../io/bounded-read';
import { diffNetworks, type LayerDiff, type NetworkDiff } from '../prune/diff';
import { readPruneReport } from '../prune/diff-report';
import { PRUNE_REPORT_FILE, readPruneReportFileAsync, type PruneReport } from '../prune/report';
import { escapeLensTitle, escapeMarkdown } from '../text/escape';
import { formatInt } from './describe';
import type { Inlay } from './inlay';

/** An original cfg is analysed on the server's thread: larger ones are not compared. */
export const MAX_ORIGINAL_CFG_BYTES = 2 * 2 ** 20;

export interface PrunedView {
  originalCfg: string;
  reportFile: string;
  diff: NetworkDiff;
  /** pruned layer index → its diff row */
  byLayer: Map<number, LayerDiff>;
}

const pct = (before: number, after: number) =>
  before > 0 ? `${after <= before ? '−' : '+'}${Math.round((Math.abs(before - after) / before) * 100)}%` : '';

type Outcome<T> = { value: T } | { problem: string };

/** What identifies a file's content without reading it; undefined when there is nothing there. */
async function fileKey(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.mode}`;
  } catch {
    return undefined;
  }
}

/** One outcome per file version, computed once; failures are kept like successes. */
class FileCache<T> {
  private readonly entries = new Map<string, { key: string; outcome: Promise<Outcome<T>> }>();
  constructor(
    private readonly load: (file: string) => Promise<T>,
    private readonly onProblem: (message: string) => void,
  ) {}

  async get(file: string): Promise<Outcome<T> | undefined> {
    const key = await fileKey(file);
    if (key === undefined) {
      this.entries.delete(file);
      return undefined;
    }
    const hit = this.entries.get(file);
    if (hit?.key === key) return hit.outcome;
    const outcome = this.load(file).then(
      (value) => ({ value }),
      (e: unknown) => {
        const problem = (e as Error).message;
        this.onProblem(problem);
        return { problem };
      },
    );
    this.entries.set(file, { key, outcome });
    return outcome;
  }
}

/** Reads and analyses the original named by the report beside a pruned cfg. */
export class OriginalFinder {
  private readonly reports: FileCache<PruneReport>;
  private readonly originals: FileCache<Network>;

  /** `onProblem` hears once about each report or original that cannot be used (until it changes). */
  constructor(onProblem: (message: string) => void = () => undefined) {
    this.reports = new FileCache(readPruneReportFileAsync, (m) => onProblem(`ignoring a pruned-model report: ${m}`));
    this.originals = new FileCache(
      async (file) => analyseText((await readBoundedText(file, MAX_ORIGINAL_CFG_BYTES)).text),
      (m) => onProblem(`not comparing with the original cfg: ${m}`),
    );
  }

  async find(cfgPath: string): Promise<{ original: Network; report: PruneReport; originalCfg: string; reportFile: string } | undefined> {
    const reportFile = path.join(path.dirname(cfgPath), PRUNE_REPORT_FILE);
    const report = await this.reports.get(reportFile);
    if (!report || !('value' in report)) return undefined;
    const dir = path.dirname(reportFile);
    if (path.resolve(dir, report.value.output.cfg) !== path.resolve(cfgPath)) return undefined; // a report of another cfg
    const originalCfg = path.resolve(dir, report.value.source.cfg);
    const original = await this.originals.get(originalCfg);
    if (!original || !('value' in original)) return undefined;
    return { original: original.value, report: report.value, originalCfg, reportFile };
  }
}

export async function prunedView(finder: OriginalFinder, cfgPath: string, pruned: Network): Promise<PrunedView | undefined> {
  const found = await finder.find(cfgPath);
  if (!found) return undefined;
  try {
    const diff = diffNetworks(found.original, pruned, readPruneReport(found.report, found.reportFile), found.reportFile);
    return {
      originalCfg: found.originalCfg,
      reportFile: found.reportFile,
      diff,
      byLayer: new Map(diff.mapping.map((m) => [m.prunedIndex, m])),
    };
  } catch {
    return undefined; // the cfg was edited past what the report describes: show nothing rather than wrong figures
  }
}

export function prunedInlays(view: PrunedView, net: Network, within: Range | undefined): Inlay[] {
  const first = within?.start.line ?? 0,
    last = within?.end.line ?? Number.MAX_SAFE_INTEGER;
  const out: Inlay[] = [];
  for (const l of net.layers) {
    const s = l.section;
    if (s.line < first || s.line > last) continue;
    const d = view.byLayer.get(l.index);
    if (!d || d.filtersBefore === null || d.filtersAfter === null || d.filtersBefore === d.filtersAfter) continue;
    out.push({
      position: s.headerRange.end,
      label: `${d.filtersBefore} → ${d.filtersAfter} (${pct(d.filtersBefore, d.filtersAfter)})`,
      kind: 'layer',
      tooltip: `Original layer ${d.originalIndex}: filters ${d.filtersBefore} → ${d.filtersAfter}`,
    });
  }
  return out;
}

export function prunedHoverMarkdown(view: PrunedView, layer: Layer): string | undefined {
  const d = view.byLayer.get(layer.index);
  if (!d) return undefined;
  const lines = [
    '',
    `**Pruned** from layer ${d.originalIndex} of ${escapeMarkdown(path.basename(view.originalCfg))}`,
    '',
    '| | before | after | change |',
    '|---|---|---|---|',
  ];
  if (d.filtersBefore !== null && d.filtersAfter !== null)
    lines.push(`| filters | ${d.filtersBefore} | ${d.filtersAfter} | ${pct(d.filtersBefore, d.filtersAfter)} |`);
  lines.push(`| params | ${formatInt(d.paramsBefore)} | ${formatInt(d.paramsAfter)} | ${pct(d.paramsBefore, d.paramsAfter)} |`);
  lines.push(`| BFLOPs | ${formatBflops(d.bflopsBefore)} | ${formatBflops(d.bflopsAfter)} | ${pct(d.bflopsBefore, d.bflopsAfter)} |`);
  if (d.kept)
    lines.push('', `Kept channels: ${d.kept.length <= 32 ? d.kept.join(', ') : `${d.kept.slice(0, 32).join(', ')}, … (${d.kept.length})`}`);
  return lines.join('\n');
}

export function prunedLensTitle(view: PrunedView): string {
  const t = view.diff.totals;
  return `Pruned from ${escapeLensTitle(path.basename(view.originalCfg))}: params ${formatInt(t.before.params)} → ${formatInt(t.after.params)} (${pct(t.before.params, t.after.params)}) · BFLOPs ${formatBflops(t.before.bflops)} → ${formatBflops(t.after.bflops)} (${pct(t.before.bflops, t.after.bflops)}) · layers ${t.before.layers} → ${t.after.layers}`;
}
