// Reading a prune-report.json for the pruned-vs-original diff, defensively: the report is written
// by the pruning job, may come from another version, and is only a hint. Accepted fields (at the
// top level or one object level down, camelCase or snake_case):
//   prunedToOriginal: number[] | {pruned: original}          explicit index map (preferred)
//   originalToPruned | indexMap: (number|null)[] | {original: pruned|null}   (null/-1 = removed)
//   mapping | layerMap: [{original|originalIndex|from, pruned|prunedIndex|to}]
//   removed | removedLayers | removedIndices: number[] | number[][] (original indices, e.g. units)
//   layers: [{index|originalIndex|original|layer, prunedIndex?, filtersBefore?, filtersAfter?, kept?: number[]}]
//     (or stages[{stage: 'channel', layers}] as core/src/prune/report.ts writes for channel+layer runs)
// A map or removed list fixes the alignment; per-layer entries only add details (kept channels) and
// are cross-checked against the cfgs.

import { UserError } from '../errors';

export class DiffError extends UserError {}

export interface ReportLayer {
  original: number;
  pruned?: number;
  filtersBefore?: number;
  filtersAfter?: number;
  kept?: number[];
}

export interface PruneReportInfo {
  /** pruned index → original index (null: no original counterpart). */
  prunedToOriginal?: (number | null)[];
  /** Original indices the report says were removed. */
  removed?: number[];
  /** Per-layer details keyed by original index. */
  layers: Map<number, ReportLayer>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const norm = (k: string) => k.replace(/[_-]/g, '').toLowerCase();

/** Objects that describe other runs or files, never this pruned model's layers. */
const FOREIGN = new Set(['provenance', 'source', 'output', 'totals', 'parameters'].map(norm));

/** The first value under any of `names` (normalised), at the top level or one object level down. */
function pick(root: Obj, names: string[]): unknown {
  const want = new Set(names.map(norm));
  for (const [k, v] of Object.entries(root)) if (want.has(norm(k))) return v;
  for (const [k, v] of Object.entries(root)) {
    if (!isObj(v) || FOREIGN.has(norm(k))) continue;
    for (const [k, w] of Object.entries(v)) if (want.has(norm(k))) return w;
  }
  return undefined;
}

function field(o: Obj, names: string[]): unknown {
  const want = new Set(names.map(norm));
  for (const [k, v] of Object.entries(o)) if (want.has(norm(k))) return v;
  return undefined;
}

const indexOrNull = (v: unknown, what: string): number | null => {
  if (v === null || v === -1) return null;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (!isIndex(v)) throw new DiffError(`${what}: expected a layer index or null, got ${JSON.stringify(v)}`);
  return v;
};

/** An array or {key: value} object as [key, value|null] pairs. */
function pairs(v: unknown, what: string): [number, number | null][] {
  if (Array.isArray(v)) return v.map((x, i) => [i, indexOrNull(x, `${what}[${i}]`)]);
  if (isObj(v)) return Object.entries(v).map(([k, x]) => [indexOrNull(k, `${what} key`)!, indexOrNull(x, `${what}["${k}"]`)]);
  throw new DiffError(`${what}: expected an array or an object`);
}

function denseFrom(entries: [number, number | null][], prunedCount?: number): (number | null)[] {
  const size = prunedCount ?? entries.reduce((m, [p]) => Math.max(m, p), -1) + 1;
  const out: (number | null)[] = new Array(size).fill(null);
  for (const [p, o] of entries) if (p < size) out[p] = o;
  return out;
}

export function readPruneReport(json: unknown, file = 'prune-report.json'): PruneReportInfo {
  if (!isObj(json)) throw new DiffError(`${file}: not a JSON object`);
  const info: PruneReportInfo = { layers: new Map() };
  const at = (what: string) => `${file}: ${what}`;

  const p2o = pick(json, ['prunedToOriginal']);
  const o2p = pick(json, ['originalToPruned', 'indexMap']);
  const list = pick(json, ['mapping', 'layerMap']);
  if (p2o !== undefined) {
    info.prunedToOriginal = denseFrom(pairs(p2o, at('prunedToOriginal')));
  } else if (o2p !== undefined) {
    info.prunedToOriginal = denseFrom(
      pairs(o2p, at('originalToPruned'))
        .filter(([, p]) => p !== null)
        .map(([o, p]) => [p!, o]),
    );
  } else if (Array.isArray(list)) {
    info.prunedToOriginal = denseFrom(
      list
        .map((e, i) => {
          if (!isObj(e)) throw new DiffError(at(`mapping[${i}] is not an object`));
          const o = indexOrNull(field(e, ['original', 'originalIndex', 'from']), at(`mapping[${i}].original`));
          const p = indexOrNull(field(e, ['pruned', 'prunedIndex', 'to']), at(`mapping[${i}].pruned`));
          return [p ?? -1, o] as [number, number | null];
        })
        .filter(([p]) => p >= 0),
    );
  }

  const removed = pick(json, ['removed', 'removedLayers', 'removedIndices']);
  if (removed !== undefined) {
    if (!Array.isArray(removed)) throw new DiffError(at('removed: expected an array of layer indices'));
    const flat = removed.flat(2);
    flat.forEach((v, i) => {
      if (!isIndex(v)) throw new DiffError(at(`removed[${i}]: expected a layer index, got ${JSON.stringify(v)}`));
    });
    info.removed = [...new Set(flat as number[])].sort((a, b) => a - b);
  }

  // Per-layer details: top level, or the channel stage of a staged report (channel pruning keeps indices).
  let layers = pick(json, ['layers']);
  const stages = pick(json, ['stages']);
  if (layers === undefined && Array.isArray(stages))
    layers = stages.find((st) => isObj(st) && st.stage === 'channel' && Array.isArray(st.layers))?.layers;
  if (Array.isArray(layers)) {
    for (const e of layers) {
      if (!isObj(e)) continue;
      const o = field(e, ['originalIndex', 'original', 'index', 'layer']);
      if (!isIndex(o)) continue;
      const num = (names: string[]) => {
        const v = field(e, names);
        return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      };
      const p = field(e, ['prunedIndex', 'pruned']);
      const kept = field(e, ['kept', 'keptChannels', 'keptIndices', 'keep']);
      info.layers.set(o, {
        original: o,
        pruned: isIndex(p) ? p : undefined,
        filtersBefore: num(['filtersBefore', 'before']),
        filtersAfter: num(['filtersAfter', 'after']),
        kept: Array.isArray(kept) && kept.every(isIndex) ? (kept as number[]) : undefined,
      });
    }
  }
  return info;
}
