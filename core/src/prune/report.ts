// prune-report.json: what was pruned, from what, and the figures before and after; written and read
// here only. Field names match what prune/diff-report.ts reads (layers[].index/filtersBefore/
// filtersAfter/kept, removed, prunedToOriginal). A report may come from a cloned repository: it is
// read only as a regular file under MAX_REPORT_BYTES, and validated against the schema below.

import type { Network } from '../cfg/network';
import { FileReadError, readBoundedText, readBoundedTextSync } from '../io/bounded-read';
import { isChannelSource } from '../layers';
import type { ChannelPruneResult } from './channel';
import type { PruneTotals } from './evaluate';
import type { LayerPruneResult } from './layer';
import { UserError } from '../errors';
export const PRUNE_REPORT_VERSION = 1;
export const PRUNE_REPORT_FILE = 'prune-report.json';
export const MAX_REPORT_BYTES = 8 * 2 ** 20;

export interface SourceInfo {
  cfg: string;
  cfgSha256: string;
  weights: string;
  weightsSha256: string;
}

export interface FiguresJson {
  params: number;
  weightFloats: number;
  weightsBytes: number;
  bflops: number;
}

export const figures = (t: Pick<PruneTotals, 'params' | 'weightFloats' | 'bflops'>, weightsBytes: number): FiguresJson => ({
  params: t.params,
  weightFloats: t.weightFloats,
  weightsBytes,
  bflops: Number(t.bflops.toFixed(6)),
});

export function channelStageReport(r: ChannelPruneResult) {
  const e = r.evaluation,
    s = r.structure,
    net = s.net;
  const keptIdx = (m: Uint8Array) => {
    const o: number[] = [];
    m.forEach((v, k) => {
      if (v) o.push(k);
    });
    return o;
  };
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
      return {
        index: l.index,
        type: l.type,
        filtersBefore: l.attrs.filters!,
        filtersAfter: after,
        ...(after !== l.attrs.filters ? { kept: keptIdx(e.keep[l.index]) } : {}),
      };
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

export function serializePruneReport(report: PruneReport): string {
  return JSON.stringify(report, null, 1) + '\n';
}

/** A report that cannot be read or does not hold what it should; the message starts with the file. */
export class ReportError extends UserError {}

// The schema: each check throws `field <path>: expected <what>`; unknown extra fields are allowed.
type Check = (v: unknown, at: string) => void;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)).slice(0, 40));
const expected = (at: string, what: string, v: unknown): never => {
  throw new ReportError(`field ${at}: expected ${what} (got ${shown(v)})`);
};

const num: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) expected(at, 'a number', v);
};
const index: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) expected(at, 'a non-negative integer', v);
};
const version: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) expected(at, 'an integer ≥ 1', v);
};
const str: Check = (v, at) => {
  if (typeof v !== 'string') expected(at, 'a string', v);
};
const nullable =
  (c: Check): Check =>
  (v, at) => {
    if (v !== null) c(v, at);
  };
const optional =
  (c: Check): Check =>
  (v, at) => {
    if (v !== undefined) c(v, at);
  };
const oneOf =
  (...values: string[]): Check =>
  (v, at) => {
    if (!values.includes(v as string)) expected(at, values.map((x) => JSON.stringify(x)).join(' or '), v);
  };
const list =
  (c: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return expected(at, 'an array', v);
    for (let i = 0; i < v.length; i++) c(v[i], `${at}[${i}]`);
  };
const object =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    if (!isObj(v)) return expected(at, 'an object', v);
    for (const [k, c] of Object.entries(fields)) c(v[k], at ? `${at}.${k}` : k);
  };

const files = object({ cfg: str, cfgSha256: str, weights: str, weightsSha256: str });
const figuresShape = object({ params: num, weightFloats: num, weightsBytes: num, bflops: num });
const channelLayer = object({ index, type: str, filtersBefore: index, filtersAfter: index, kept: optional(list(index)) });
const channelStage = object({
  stage: oneOf('channel'),
  method: str,
  parameters: object({ globalPercent: num, layerKeep: nullable(num) }),
  threshold: nullable(num),
  thresholdIndex: index,
  population: object({ layers: index, gammas: index }),
  prunable: list(index),
  groups: list(list(index)),
  excluded: list(object({ layer: index, reason: str })),
  emptied: list(index),
  floored: list(index),
  layers: list(channelLayer),
  warnings: list(str),
});
const unit = { shortcut: index, conv: index, score: optional(nullable(num)) };
const layerStage = object({
  stage: oneOf('layer'),
  parameters: object({ shortcuts: index }),
  candidates: list(object({ ...unit, from: index })),
  rejected: list(object({ shortcut: index, reason: str })),
  removedUnits: list(object({ ...unit, layers: list(index) })),
  removed: list(index),
  prunedToOriginal: list(index),
  remapped: list(object({ layer: index, key: str, from: str, to: str })),
  layersBefore: index,
  layersAfter: index,
  warnings: list(str),
});
const stage: Check = (v, at) => {
  if (isObj(v) && v.stage === 'channel') channelStage(v, at);
  else if (isObj(v) && v.stage === 'layer') layerStage(v, at);
  else expected(`${at}.stage`, '"channel" or "layer"', isObj(v) ? v.stage : v);
};
const reportShape = object({
  tool: oneOf('darknet-pruner'),
  reportVersion: version,
  kind: oneOf('channel', 'layer', 'channel+layer'),
  createdAt: str,
  source: files,
  provenance: optional(object({})),
  output: files,
  stages: list(stage),
  layers: optional(list(channelLayer)),
  removed: optional(list(index)),
  prunedToOriginal: optional(list(index)),
  totals: object({ before: figuresShape, after: figuresShape }),
});

const isOurs = (json: unknown): json is Obj => isObj(json) && (json.tool === 'darknet-pruner' || 'reportVersion' in json);

/** Validates a parsed report (errors name `file` and the field). */
export function parsePruneReport(json: unknown, file: string): PruneReport {
  if (!isObj(json)) throw new ReportError(`${file}: not a JSON object`);
  if (!isOurs(json)) throw new ReportError(`${file}: not a darknet-pruner prune report (no "tool": "darknet-pruner")`);
  const version = json.reportVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > PRUNE_REPORT_VERSION) {
    throw new ReportError(`${file}: reportVersion ${version} is newer than this tool's ${PRUNE_REPORT_VERSION}`);
  }
  try {
    reportShape(json, '');
  } catch (e) {
    if (e instanceof ReportError) throw new ReportError(`${file}: ${e.message}`);
    throw e;
  }
  return json as unknown as PruneReport;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ReportError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
}

const asReportError = (e: unknown): unknown => (e instanceof FileReadError ? new ReportError(e.message) : e);

function readReportText(file: string): string {
  try {
    return readBoundedTextSync(file, MAX_REPORT_BYTES).text;
  } catch (e) {
    throw asReportError(e);
  }
}

export function readPruneReportFile(file: string): PruneReport {
  return parsePruneReport(parseJson(readReportText(file), file), file);
}

export async function readPruneReportFileAsync(file: string): Promise<PruneReport> {
  const text = await readBoundedText(file, MAX_REPORT_BYTES).then(
    (r) => r.text,
    (e: unknown) => {
      throw asReportError(e);
    },
  );
  return parsePruneReport(parseJson(text, file), file);
}

/**
 * For `diff --report`, which also takes another tool's report for its index map: ours is
 * validated like any other read, another tool's JSON is returned as parsed.
 */
export function readAnyPruneReportFile(file: string): PruneReport | Obj {
  const json = parseJson(readReportText(file), file);
  if (!isObj(json)) throw new ReportError(`${file}: not a JSON object`);
  return isOurs(json) ? parsePruneReport(json, file) : json;
}
