import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { bnLayers, gammaStats, type GammaError, type GammaStats } from '../../core/src/prune/gamma';
import { readGammaWeights } from '../../core/src/prune/gamma-read';
import { populationOf, type PruneMethod } from '../../core/src/prune/plan';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { CliError, defineCommand, parseArgs } from '../args';
import type { JobEvent } from '../events';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';
import { requireAnalysable } from '../network';
import { withContext } from '../error-context';
import { pruneWarning, sparsityVerdict, verdictText } from '../../core/src/prune/sparsity-verdict';

const SETS = {
  slim: 'mode-1 prunable set: slim and layer pruning',
  shortcut: 'shortcut_prune population: group heads',
  regular: 'mode-0 prunable set: prune.py',
  bn: 'every conv with batch_normalize',
} as const;
type SetName = keyof typeof SETS;

export const SPEC = defineCommand({
  command: 'gamma',
  summary: 'BN-γ statistics: per-layer table, global |γ| histogram, the threshold at a global percent.',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    percent: {
      type: 'number',
      min: 0,
      placeholder: 'P',
      description: 'global percent, a fraction in [0, 1): the threshold and the layers it empties',
    },
    bins: { type: 'int', min: 1, max: 10000, default: 50, description: 'histogram bins' },
    'layer-keep': { type: 'number', min: 0, max: 1, placeholder: 'K', description: "slim's layer_keep: the layers it would floor" },
    set: {
      type: 'enum',
      values: Object.keys(SETS) as SetName[],
      description: 'the layer population: slim (default), shortcut, regular or bn (every BN conv)',
    },
    layers: { type: 'string', placeholder: '1,3,5-9', description: 'explicit layer indices and ranges instead of --set' },
  },
});
export const SPECS = [SPEC];

/** The layer set: an explicit list, or one of the reference populations (docs/pruning.md §Populations). */
function layerSet(net: Network, set: SetName | undefined, list: string | undefined): { layers: number[]; name: string } {
  if (list !== undefined) {
    if (set !== undefined) throw new CliError('--set and --layers exclude each other');
    return { layers: parseLayerList(list), name: `--layers ${list}` };
  }
  const key = set ?? 'slim';
  const layers = key === 'bn' ? bnLayers(net) : populationOf(analyseChannelStructure(net), key as PruneMethod);
  return { layers, name: SETS[key] };
}

/** "1,3,5-9" → [1,3,5,6,7,8,9]. */
export function parseLayerList(text: string): number[] {
  const out: number[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new CliError(`--layers: "${part}" is not a layer index or a range like 5-9`);
    const a = Number(m[1]),
      b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new CliError(`--layers: range "${part}" runs backwards`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  if (out.length === 0) throw new CliError('--layers: empty list');
  return [...new Set(out)].sort((x, y) => x - y);
}

const g4 = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4));
const int = (n: number) => n.toLocaleString('en-US');
const RAMP = ' .:-=+*#%@';

/** Per-layer distribution on the shared bins, regrouped to at most `width` ASCII cells. */
function sparkline(counts: number[], width = 20): string {
  const group = Math.ceil(counts.length / width);
  const cells: number[] = [];
  for (let i = 0; i < counts.length; i += group) cells.push(counts.slice(i, i + group).reduce((s, c) => s + c, 0));
  const max = cells.reduce((m, c) => Math.max(m, c), -Infinity);
  return cells.map((c) => (c === 0 ? ' ' : RAMP[Math.max(1, Math.round((c / max) * (RAMP.length - 1)))])).join('');
}

function gammaJson(
  net: Network,
  s: GammaStats,
  files: { cfg: string; weights: string },
  setName: string,
  sparsity = sparsityVerdict(s.sorted, s.percent),
) {
  return {
    ...files,
    set: setName,
    layerCount: s.layers.length,
    channels: s.sorted.length,
    edges: s.edges,
    counts: s.counts,
    layers: s.layers.map((l) => ({ ...l, type: net.layers[l.index].type })),
    highestThreshold: s.highestThreshold,
    emptyingPercent: s.emptyingPercent,
    percent: s.percent ?? null,
    threshold: s.threshold ?? null,
    thresholdIndex: s.thresholdIndex ?? null,
    emptied: s.emptied,
    floored: s.floored,
    /** Do the γ look sparsity-trained; with a percent, what its threshold cuts (docs/pruning.md §Sparsity verdict). */
    sparsity: { ...sparsity, warning: pruneWarning(sparsity) ?? null },
    sorted: Array.from(s.sorted),
  };
}

export function gammaText(s: GammaStats, setName: string, layerKeep?: number): string {
  const withThr = s.threshold !== undefined;
  const verdict = sparsityVerdict(s.sorted, s.percent);
  const rows = [`${s.layers.length} layers (${setName}), ${int(s.sorted.length)} γ`, ''];
  rows.push(` layer  channels   min |γ|  mean |γ|   max |γ|${withThr ? '   ≤thr   kept' : ''}  distribution (shared bins)`);
  for (const l of s.layers) {
    const thr = withThr ? ` ${(l.fractionBelowThreshold! * 100).toFixed(1).padStart(5)}% ${String(l.kept).padStart(6)}` : '';
    rows.push(
      `${String(l.index).padStart(6)} ${String(l.channels).padStart(9)} ${g4(l.min).padStart(9)} ${g4(l.mean).padStart(9)} ${g4(l.max).padStart(9)}${thr}  |${sparkline(l.counts)}|`,
    );
  }
  const maxCount = s.counts.reduce((m, c) => Math.max(m, c), -Infinity);
  rows.push('', `global |γ| histogram (${s.counts.length} bins, 0 … ${g4(s.edges[s.edges.length - 1])}):`);
  s.counts.forEach((c, b) => {
    const bar = '#'.repeat(maxCount ? Math.round((c / maxCount) * 50) : 0);
    rows.push(`  ${g4(s.edges[b]).padStart(9)} – ${g4(s.edges[b + 1]).padEnd(9)} ${String(c).padStart(7)} ${bar}`);
  });
  rows.push(
    '',
    `min over layers of max |γ| ${g4(s.highestThreshold)}: a global percent ≥ ${(s.emptyingPercent * 100).toFixed(2)}% empties a layer (slim's layer_keep floor then keeps its largest channel)`,
  );
  if (withThr) {
    rows.push(
      `threshold for ${(s.percent! * 100).toFixed(2)}%: ${g4(s.threshold!)} (sorted[${s.thresholdIndex}] of ${int(s.sorted.length)}); channels with |γ| ≤ thr are pruned`,
    );
    rows.push(
      s.emptied.length
        ? `emptied at this percent: ${s.emptied.length} layer(s): ${s.emptied.join(', ')}`
        : 'no layer is emptied at this percent',
    );
    if (layerKeep !== undefined)
      rows.push(
        s.floored.length
          ? `raised by layer_keep ${layerKeep}: ${s.floored.length} layer(s): ${s.floored.join(', ')}`
          : `no layer falls under layer_keep ${layerKeep}`,
      );
  }
  rows.push('', verdictText(verdict));
  const warning = pruneWarning(verdict);
  if (warning) rows.push(`warning: ${warning}`);
  return rows.join('\n');
}

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const [cfg, weightsPath] = args.positionals;
  const { percent, bins, 'layer-keep': layerKeep, layers: layersText } = args.values;
  if (percent !== undefined && percent >= 1) throw new CliError(`--percent is a fraction in [0, 1) (0.8 = 80%), got ${percent}`);

  const net = requireAnalysable(analyseText(readCfgFile(cfg)), cfg);
  const { layers, name: setName } = layerSet(net, args.values.set, layersText);
  const weights = readGammaWeights(weightsPath, net, layers);
  const stats = withContext(
    (e) => ((e as GammaError).origin === 'weights' ? weightsPath : layersText ? '--layers' : undefined),
    () => gammaStats(net, weights, { layers, bins, percent, layerKeep }),
  );

  if (args.values['json-events']) {
    const emit = (e: JobEvent) => ctx.out(JSON.stringify(e));
    emit({ type: 'histogram', name: 'gamma/all', edges: stats.edges, counts: stats.counts });
    for (const l of stats.layers) emit({ type: 'histogram', name: 'gamma/layer', edges: stats.edges, counts: l.counts, step: l.index });
    if (stats.threshold !== undefined) emit({ type: 'metric', name: 'gamma/threshold', value: stats.threshold });
    const verdict = sparsityVerdict(stats.sorted, stats.percent);
    const warning = pruneWarning(verdict);
    emit({
      type: 'note',
      level: warning ? 'warning' : 'info',
      message: warning ? `${warning}\n${verdictText(verdict)}` : verdictText(verdict),
    });
    emit({ type: 'result', command: 'gamma', data: gammaJson(net, stats, { cfg, weights: weightsPath }, setName, verdict) });
  } else if (args.values.json) {
    ctx.out(JSON.stringify(gammaJson(net, stats, { cfg, weights: weightsPath }, setName)));
  } else {
    ctx.out(`${cfg} + ${weightsPath}: ${gammaText(stats, setName, layerKeep)}`);
  }
  return 0;
}
