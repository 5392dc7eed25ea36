import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { UserError } from '../../core/src/errors';
import { formatBflops, type Network } from '../../core/src/cfg/network';
import { diffNetworks, type NetworkDiff } from '../../core/src/prune/diff';
import { readPruneReport, type PruneReportInfo } from '../../core/src/prune/diff-report';
import { readAnyPruneReportFile } from '../../core/src/prune/report';
import { specOfType } from '../../core/src/layers';
import { CliError, defineCommand, parseArgs } from '../args';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';
import { requireAnalysable } from '../network';

export const SPEC = defineCommand({
  command: 'diff',
  summary: 'A pruned cfg against its original: filters, params and BFLOPs per matched layer, removed layers, totals.',
  positionals: [
    { name: '<original.cfg>', description: 'the cfg before pruning' },
    { name: '<pruned.cfg>', description: 'the cfg after' },
  ],
  flags: {
    report: {
      type: 'path',
      placeholder: 'prune-report.json',
      description: 'match layers by this report (default: the one beside the pruned cfg, if any)',
    },
    'no-report': { type: 'boolean', description: 'match layers by aligning the two cfgs, ignoring any report' },
    all: { type: 'boolean', description: 'every matched layer, not only those whose filters changed' },
    width: { type: 'int', min: 1, placeholder: 'W', description: 'network input width for both cfgs' },
    height: { type: 'int', min: 1, placeholder: 'H', description: 'network input height for both cfgs' },
  },
});
export const SPECS = [SPEC];

const label = (type: string): string => specOfType(type)?.diffLabel ?? type;
const int = (n: number) => n.toLocaleString('en-US');
const signedPct = (p: number) =>
  `${p > 0 ? '−' : p < 0 ? '+' : '±'}${Math.abs(p).toFixed(Math.abs(p) < 10 && p !== Math.round(p) ? 1 : 0)}%`;

function loadReport(path: string): PruneReportInfo {
  return readPruneReport(readAnyPruneReportFile(path), path);
}

export function diffText(
  d: NetworkDiff,
  original: Network,
  files: { original: string; pruned: string; report?: string },
  all = false,
): string {
  const t = d.totals;
  const rows = [
    `${files.original} (${t.before.layers} layers) → ${files.pruned} (${t.after.layers} layers); layers matched by ${d.source === 'report' ? files.report : 'alignment of the two cfgs'}`,
    '',
  ];
  const shown = d.mapping.filter((m) => all || m.filtersBefore !== m.filtersAfter);
  for (const m of shown) {
    const where =
      m.prunedIndex === m.originalIndex
        ? `layer ${String(m.prunedIndex).padStart(3)}`
        : `layer ${String(m.prunedIndex).padStart(3)} (was ${m.originalIndex})`;
    const filt =
      m.filtersBefore !== null
        ? `${String(m.filtersBefore).padStart(5)} → ${String(m.filtersAfter).padEnd(5)} (${signedPct(m.pctPruned!)})`
        : `${String(m.channelsBefore ?? '?').padStart(5)} → ${String(m.channelsAfter ?? '?').padEnd(5)} channels`;
    rows.push(
      `${where.padEnd(20)} ${label(m.type).padEnd(8)} ${filt.padEnd(24)} params ${int(m.paramsBefore).padStart(10)} → ${int(m.paramsAfter).padEnd(10)} BFLOPs ${formatBflops(m.bflopsBefore)} → ${formatBflops(m.bflopsAfter)}`,
    );
  }
  if (shown.length === 0) rows.push('no filter count changed');
  const convs = d.mapping.filter((m) => specOfType(m.type)?.prune.channels === 'source');
  const changed = convs.filter((m) => m.filtersBefore !== m.filtersAfter).length;
  rows.push('', `${changed} of ${convs.length} matched convs changed filters`);
  if (d.removed.length)
    rows.push(`removed ${d.removed.length} layer(s): ${d.removed.map((i) => `${i} ${label(original.layers[i].type)}`).join(', ')}`);
  for (const a of d.ambiguous) {
    rows.push(
      `note: removed ${a.removed[0]}–${a.removed[a.removed.length - 1]} lies among identical layers ${a.from}–${a.to}: the two cfgs cannot tell which of them were removed (a prune-report.json with the index map settles it)`,
    );
  }
  if (d.added.length) rows.push(`added (no original counterpart): ${d.added.join(', ')}`);
  for (const w of d.warnings) rows.push(`warning: ${w}`);
  rows.push(
    '',
    'totals:',
    `  params   ${int(t.before.params).padStart(14)} → ${int(t.after.params).padEnd(14)} (${signedPct(t.pctPruned.params)})`,
    `  BFLOPs   ${formatBflops(t.before.bflops).padStart(14)} → ${formatBflops(t.after.bflops).padEnd(14)} (${signedPct(t.pctPruned.bflops)})`,
    `  .weights ${int(20 + 4 * t.before.weightFloats).padStart(14)} → ${int(20 + 4 * t.after.weightFloats).padEnd(14)} bytes (${signedPct(t.pctPruned.weightFloats)})`,
    `  layers   ${String(t.before.layers).padStart(14)} → ${t.after.layers}`,
  );
  return rows.join('\n');
}

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const [origPath, prunedPath] = args.positionals;
  const size = { width: args.values.width, height: args.values.height };
  const original = requireAnalysable(analyseText(readCfgFile(origPath), size), origPath);
  const pruned = requireAnalysable(analyseText(readCfgFile(prunedPath), size), prunedPath);
  const notes: string[] = [];
  if (!size.width && !size.height && (original.net.width !== pruned.net.width || original.net.height !== pruned.net.height)) {
    notes.push(
      `input sizes differ (${original.net.width}×${original.net.height} vs ${pruned.net.width}×${pruned.net.height}): BFLOPs are not comparable; pass --width/--height`,
    );
  }

  const explicit = args.values.report;
  if (explicit && args.flags.has('no-report')) throw new CliError('--report and --no-report exclude each other');
  const beside = join(dirname(prunedPath), 'prune-report.json');
  const reportPath = explicit ?? (!args.flags.has('no-report') && existsSync(beside) ? beside : undefined);

  let d: NetworkDiff;
  let usedReport = reportPath;
  try {
    d = diffNetworks(original, pruned, reportPath ? loadReport(reportPath) : undefined, reportPath);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    if (explicit) throw e;
    // A report found beside the pruned cfg may belong to another run: say so and align instead.
    notes.push(`ignored ${beside}: ${e.message}`);
    usedReport = undefined;
    d = diffNetworks(original, pruned);
  }
  d.warnings = [...notes, ...d.warnings];

  if (args.flags.has('json'))
    ctx.out(JSON.stringify({ original: origPath, pruned: prunedPath, report: usedReport ?? null, ...d }, null, 1));
  else ctx.out(diffText(d, original, { original: origPath, pruned: prunedPath, report: usedReport }, args.flags.has('all')));
  return 0;
}
