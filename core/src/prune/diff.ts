// Pruned-vs-original diff: which original layer each pruned layer is, filters before/after, and the
// params/BFLOPs deltas. With a prune report that carries an index map (or the removed list), that
// map is used; otherwise the layer lists are aligned by a longest common subsequence on what
// pruning leaves unchanged (type, kernel, stride, activation, BN, route arity, yolo mask/classes),
// preferring pairs whose filters are also equal. Channel pruning keeps indices; layer pruning
// removes [conv, conv, shortcut] units, and where a removed unit sits inside a run of identical
// units the cfgs alone cannot tell which one went: the diff says so (`ambiguous`).

import type { Layer, Network, Totals } from '../cfg/network';
import { specOf } from '../layers';
import { DiffError, type PruneReportInfo } from './diff-report';

export { DiffError };

export interface LayerDiff {
  prunedIndex: number;
  originalIndex: number;
  type: string;
  filtersBefore: number | null;
  filtersAfter: number | null;
  /** Percentage of filters removed (0..100), null for layers without filters. */
  pctPruned: number | null;
  channelsBefore: number | null;
  channelsAfter: number | null;
  paramsBefore: number;
  paramsAfter: number;
  bflopsBefore: number;
  bflopsAfter: number;
  /** Original channel indices kept, when the report lists them. */
  kept?: number[];
}

export interface TotalsDiff {
  before: Totals;
  after: Totals;
  delta: Totals;
  /** Percentage removed (before − after) / before · 100. */
  pctPruned: { params: number; weightFloats: number; bflops: number };
}

export interface NetworkDiff {
  source: 'report' | 'alignment';
  mapping: LayerDiff[];
  /** Original indices with no pruned counterpart. */
  removed: number[];
  /** Pruned indices with no original counterpart (pruning never adds layers: a sign of other edits). */
  added: number[];
  /** Alignment only: removed runs lying among identical layers [from, to]; which of those went is not determined by the cfgs. */
  ambiguous: { removed: number[]; from: number; to: number }[];
  warnings: string[];
  totals: TotalsDiff;
}

/** What pruning (channel or layer) never changes in a layer (its record's `diffKey`). */
export function structuralKey(l: Layer): string {
  return [l.type, ...(specOf(l)?.diffKey?.(l) ?? [])].join('|');
}

/** Weighted LCS (key match first, equal filters second): original index for each pruned layer. */
function align(orig: Layer[], pruned: Layer[]): (number | null)[] {
  const n = orig.length,
    m = pruned.length;
  const ka = orig.map(structuralKey),
    kb = pruned.map(structuralKey);
  const W = n + m + 1;
  const score = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  const gain = (i: number, j: number) => (ka[i] === kb[j] ? W + (orig[i].attrs.filters === pruned[j].attrs.filters ? 1 : 0) : -1);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const g = gain(i, j);
      score[i][j] = Math.max(score[i + 1][j], score[i][j + 1], g > 0 ? g + score[i + 1][j + 1] : 0);
    }
  }
  const map: (number | null)[] = new Array(m).fill(null);
  let i = 0,
    j = 0;
  while (i < n && j < m) {
    const g = gain(i, j);
    if (g > 0 && score[i][j] === g + score[i + 1][j + 1]) {
      map[j] = i;
      i++;
      j++;
    } else if (score[i + 1][j] >= score[i][j + 1]) i++;
    else j++;
  }
  return map;
}

/** Maximal runs of consecutive indices. */
function runs(indices: number[]): number[][] {
  const out: number[][] = [];
  for (const x of indices) {
    const last = out[out.length - 1];
    if (last && last[last.length - 1] === x - 1) last.push(x);
    else out.push([x]);
  }
  return out;
}

/** How far each removed run could slide over identical layers without changing the alignment's score. */
function ambiguity(orig: Layer[], matched: Set<number>, removed: number[]): NetworkDiff['ambiguous'] {
  const same = (x: number, y: number) =>
    structuralKey(orig[x]) === structuralKey(orig[y]) && orig[x].attrs.filters === orig[y].attrs.filters;
  const out: NetworkDiff['ambiguous'] = [];
  for (const run of runs(removed)) {
    let a = run[0],
      b = run[run.length - 1];
    while (a > 0 && matched.has(a - 1) && same(a - 1, b)) {
      a--;
      b--;
    }
    const from = a;
    a = run[0];
    b = run[run.length - 1];
    while (b + 1 < orig.length && matched.has(b + 1) && same(b + 1, a)) {
      a++;
      b++;
    }
    if (from !== run[0] || b !== run[run.length - 1]) out.push({ removed: run, from, to: b });
  }
  return out;
}

function checkMap(map: (number | null)[], original: Network, pruned: Network, file: string): void {
  if (map.length !== pruned.layers.length)
    throw new DiffError(`${file}: the index map covers ${map.length} pruned layers, the pruned cfg has ${pruned.layers.length}`);
  let last = -1;
  map.forEach((o, p) => {
    if (o === null) return;
    const ol = original.layers[o];
    if (!ol)
      throw new DiffError(`${file}: pruned layer ${p} maps to original layer ${o}, the original cfg has ${original.layers.length} layers`);
    if (o <= last) throw new DiffError(`${file}: the index map is not increasing at pruned layer ${p} (original ${o} after ${last})`);
    if (ol.type !== pruned.layers[p].type)
      throw new DiffError(`${file}: pruned layer ${p} (${pruned.layers[p].type}) maps to original layer ${o} (${ol.type})`);
    last = o;
  });
}

const pct = (before: number, after: number) => (before === 0 ? 0 : ((before - after) / before) * 100);

function totalsDiff(before: Totals, after: Totals): TotalsDiff {
  return {
    before,
    after,
    delta: {
      layers: after.layers - before.layers,
      params: after.params - before.params,
      weightFloats: after.weightFloats - before.weightFloats,
      bflops: after.bflops - before.bflops,
    },
    pctPruned: {
      params: pct(before.params, after.params),
      weightFloats: pct(before.weightFloats, after.weightFloats),
      bflops: pct(before.bflops, after.bflops),
    },
  };
}

/** Where a pruned reference should point, given the original's target (a removed target moves to its surviving predecessor). */
function expectedTarget(originalTarget: number, matchedSorted: number[]): number | undefined {
  let best: number | undefined;
  for (const o of matchedSorted) {
    if (o <= originalTarget) best = o;
    else break;
  }
  return best;
}

export function diffNetworks(original: Network, pruned: Network, report?: PruneReportInfo, reportFile = 'prune-report.json'): NetworkDiff {
  const warnings: string[] = [];
  let map: (number | null)[];
  let source: NetworkDiff['source'] = 'report';
  if (report?.prunedToOriginal) {
    map = report.prunedToOriginal;
    checkMap(map, original, pruned, reportFile);
  } else if (report?.removed) {
    const gone = new Set(report.removed);
    const bad = report.removed.find((x) => x >= original.layers.length);
    if (bad !== undefined)
      throw new DiffError(`${reportFile}: removed layer ${bad} is not in the original cfg (${original.layers.length} layers)`);
    map = original.layers.map((l) => l.index).filter((i) => !gone.has(i));
    if (map.length !== pruned.layers.length)
      throw new DiffError(
        `${reportFile}: the original has ${original.layers.length} layers and ${gone.size} are removed, leaving ${map.length}; the pruned cfg has ${pruned.layers.length}`,
      );
    checkMap(map, original, pruned, reportFile);
  } else {
    source = 'alignment';
    map = align(original.layers, pruned.layers);
  }

  const matched = new Set(map.filter((o): o is number => o !== null));
  const removed = original.layers.map((l) => l.index).filter((i) => !matched.has(i));
  const added = map.flatMap((o, p) => (o === null ? [p] : []));
  if (added.length) warnings.push(`pruned layer(s) ${added.join(', ')} have no counterpart in the original (edits other than pruning?)`);

  const mapping: LayerDiff[] = [];
  map.forEach((o, p) => {
    if (o === null) return;
    const ol = original.layers[o],
      pl = pruned.layers[p];
    const fb = ol.attrs.filters ?? null,
      fa = pl.attrs.filters ?? null;
    const entry: LayerDiff = {
      prunedIndex: p,
      originalIndex: o,
      type: pl.type,
      filtersBefore: fb,
      filtersAfter: fa,
      pctPruned: fb !== null && fa !== null ? pct(fb, fa) : null,
      channelsBefore: ol.output?.[2] ?? null,
      channelsAfter: pl.output?.[2] ?? null,
      paramsBefore: ol.params,
      paramsAfter: pl.params,
      bflopsBefore: ol.bflops,
      bflopsAfter: pl.bflops,
    };
    const rl = report?.layers.get(o);
    if (rl) {
      if (rl.kept) entry.kept = rl.kept;
      if (rl.filtersBefore !== undefined && rl.filtersBefore !== fb)
        warnings.push(`${reportFile}: layer ${o}: report says ${rl.filtersBefore} filters before, the original cfg has ${fb}`);
      if (rl.filtersAfter !== undefined && rl.filtersAfter !== fa)
        warnings.push(`${reportFile}: layer ${o}: report says ${rl.filtersAfter} filters after, the pruned cfg has ${fa}`);
      if (rl.kept && fa !== null && rl.kept.length !== fa)
        warnings.push(`${reportFile}: layer ${o}: ${rl.kept.length} kept channels listed, the pruned cfg has ${fa} filters`);
    }
    mapping.push(entry);
  });

  // References must still point at the same original layers (or a removed target's survivor).
  const matchedSorted = [...matched].sort((a, b) => a - b);
  for (const e of mapping) {
    const ol = original.layers[e.originalIndex],
      pl = pruned.layers[e.prunedIndex];
    if (ol.refs.length !== pl.refs.length) continue;
    pl.refs.forEach((r, k) => {
      const want = expectedTarget(ol.refs[k].target, matchedSorted);
      const got = map[r.target];
      if (r.valid && ol.refs[k].valid && want !== undefined && got !== want) {
        warnings.push(
          `pruned layer ${e.prunedIndex} (${e.type}) ${r.key} → ${r.target} is original layer ${got ?? 'none'}, the original layer ${e.originalIndex} refers to ${ol.refs[k].target}`,
        );
      }
    });
  }

  return {
    source,
    mapping,
    removed,
    added,
    ambiguous: source === 'alignment' ? ambiguity(original.layers, matched, removed) : [],
    warnings,
    totals: totalsDiff(original.totals, pruned.totals),
  };
}
