// A training run directory (core/src/train/run-dir.ts) → the dashboard's view: metrics.jsonl and
// gamma.jsonl parsed line by line (a bad line is a located error), every epoch's |γ| histogram put on
// one common set of bins, the fraction of |γ| below each threshold, and the epoch from which the
// suggested prune point stops moving. Pure Node (no vscode), so test/client/training-data.test.ts
// runs it on real run files.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { RUN_FILES, runFile } from '../../../core/src/train/run-dir';
import type {
  TrainingEpochView,
  TrainingGammaView,
  TrainingStatus,
  TrainingStepView,
  TrainingView,
} from '../../../webviews/src/shared/protocol';

/** The thresholds the dashboard shows (core/src/train/validate.ts records these per epoch). */
export const THRESHOLDS = [0.001, 0.01, 0.05, 0.1];
/** Common bins of the stacked histograms. */
export const COMMON_BINS = 40;
/** One step of the sweep's default grid (0.5:0.95:0.01): a suggested point that moves less has settled. */
export const SETTLE_TOLERANCE = 0.01;
/** Run files are ours but may be copied from elsewhere: read under a cap. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class RunDataError extends Error {}

/** One line of gamma.jsonl as written by cli/commands/train.ts (below/emptyingPercent from newer runs). */
export interface GammaRecord {
  epoch: number;
  edges: number[];
  counts: number[];
  channels: number;
  meanAbs: number;
  below001?: number;
  below?: Record<string, number>;
  emptyingPercent?: number;
}

export interface CommandRecord {
  argv: string[];
  options: { cfg?: string; weights?: string; finetune?: string; epochs?: number; sparsity?: number | 'auto' };
  /** The darknet command line of a `train --engine darknet` run (whose folder appears only once it has finished). */
  darknet?: string[];
}

function readCapped(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const st = statSync(file);
  if (!st.isFile()) throw new RunDataError(`${file}: not a regular file`);
  if (st.size > MAX_FILE_BYTES) throw new RunDataError(`${file}: ${st.size} bytes, more than a run file holds`);
  return readFileSync(file, 'utf8');
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);

function jsonLines<T>(file: string, text: string, check: (v: Record<string, unknown>) => string | undefined): T[] {
  const out: T[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new RunDataError(`${path.basename(file)}:${i + 1}: not JSON`);
    }
    if (!v || typeof v !== 'object') throw new RunDataError(`${path.basename(file)}:${i + 1}: not an object`);
    const problem = check(v as Record<string, unknown>);
    if (problem) throw new RunDataError(`${path.basename(file)}:${i + 1}: ${problem}`);
    out.push(v as T);
  });
  return out;
}

export function parseMetrics(file: string, text: string): TrainingEpochView[] {
  const rows = jsonLines<Record<string, unknown>>(file, text, (v) => {
    for (const k of ['epoch', 'iteration', 'loss', 'precision', 'recall', 'map50', 'lr']) if (!isNum(v[k])) return `"${k}" is not a number`;
    return undefined;
  });
  return rows.map((v) => ({
    epoch: v.epoch as number,
    iteration: v.iteration as number,
    loss: v.loss as number,
    lossBox: numOrNull(v.lossBox),
    lossObj: numOrNull(v.lossObj),
    lossCls: numOrNull(v.lossCls),
    precision: v.precision as number,
    recall: v.recall as number,
    map50: v.map50 as number,
    lr: v.lr as number,
    sparsity: numOrNull(v.sparsity),
    sparsityReason: typeof v.sparsityReason === 'string' ? v.sparsityReason : null,
  }));
}

export function parseGamma(file: string, text: string): GammaRecord[] {
  return jsonLines<GammaRecord>(file, text, (v) => {
    if (!isNum(v.epoch)) return '"epoch" is not a number';
    const edges = v.edges,
      counts = v.counts;
    if (!Array.isArray(edges) || !Array.isArray(counts) || !edges.every(isNum) || !counts.every(isNum))
      return '"edges"/"counts" are not number lists';
    if (counts.length === 0 || edges.length !== counts.length + 1) return `${edges.length} edges for ${counts.length} bins`;
    for (let i = 1; i < edges.length; i++) if (!(edges[i] > edges[i - 1])) return 'the edges are not increasing';
    if (!isNum(v.channels) || !isNum(v.meanAbs)) return '"channels"/"meanAbs" are not numbers';
    return undefined;
  });
}

/**
 * Counts of a histogram moved onto other bins, each bin's count spread evenly over its width (what
 * an equal-width histogram says about where its values lie).
 */
export function rebin(edges: readonly number[], counts: readonly number[], target: readonly number[]): number[] {
  const out = new Array<number>(target.length - 1).fill(0);
  for (let b = 0; b < counts.length; b++) {
    const lo = edges[b],
      hi = edges[b + 1],
      w = hi - lo;
    if (!counts[b]) continue;
    for (let t = 0; t < out.length; t++) {
      const overlap = Math.min(hi, target[t + 1]) - Math.max(lo, target[t]);
      if (overlap > 0) out[t] += (counts[b] * overlap) / w;
    }
  }
  return out;
}

/** Fraction of a histogram's values below t, reading values as spread evenly within their bin. */
export function fractionBelow(edges: readonly number[], counts: readonly number[], t: number): number {
  const total = counts.reduce((s, c) => s + c, 0);
  if (!total) return 0;
  let below = 0;
  for (let b = 0; b < counts.length; b++) {
    const lo = edges[b],
      hi = edges[b + 1];
    if (t >= hi) below += counts[b];
    else if (t > lo) below += (counts[b] * (t - lo)) / (hi - lo);
  }
  return below / total;
}

/**
 * The first epoch from which the suggested prune point stays within `tol` of its value there up to
 * the last epoch, over at least two epochs; null when it is still moving or unknown.
 */
export function settledEpoch(points: readonly { epoch: number; value: number | null }[], tol = SETTLE_TOLERANCE): number | null {
  if (points.length < 2 || points.some((p) => p.value === null)) return null;
  const last = points.length - 1;
  for (let k = 0; k < last; k++) {
    const v = points[k].value!;
    // (+1e-9: 0.71 − 0.70 is 0.010000000000000009 in doubles)
    if (points.slice(k + 1).every((p) => Math.abs(p.value! - v) <= tol + 1e-9)) return points[k].epoch;
  }
  return null;
}

/** Every epoch's histogram on common bins from 0 to the largest |γ| of the run, and the below-threshold fractions. */
export function gammaViews(
  records: readonly GammaRecord[],
  thresholds = THRESHOLDS,
  bins = COMMON_BINS,
): { edges: number[]; gamma: TrainingGammaView[] } {
  const top = records.reduce((m, r) => Math.max(m, r.edges[r.edges.length - 1]), 0) || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const gamma = records.map((r): TrainingGammaView => {
    const total = r.counts.reduce((s, c) => s + c, 0) || 1;
    const recorded = thresholds.map((t) => r.below?.[String(t)] ?? (t === 0.01 ? r.below001 : undefined));
    const estimated = recorded.some((v) => v === undefined);
    return {
      epoch: r.epoch,
      channels: r.channels,
      meanAbs: r.meanAbs,
      fractions: rebin(r.edges, r.counts, edges).map((c) => c / total),
      below: recorded.map((v, i) => v ?? fractionBelow(r.edges, r.counts, thresholds[i])),
      estimated,
      emptyingPercent: isNum(r.emptyingPercent) ? r.emptyingPercent : null,
    };
  });
  return { edges, gamma };
}

export function readCommand(dir: string): CommandRecord | undefined {
  const text = readCapped(runFile(dir, 'command'));
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as CommandRecord;
    if (!Array.isArray(v.argv) || typeof v.options !== 'object' || !v.options) throw new Error();
    return v;
  } catch {
    throw new RunDataError(`${runFile(dir, 'command')}: not a training command record`);
  }
}

/** A path from command.txt: absolute, else relative to where the run was probably started (beside the run folder, or a workspace folder). */
function resolveRecorded(p: string, dir: string, folders: readonly string[]): string | undefined {
  if (path.isAbsolute(p)) return existsSync(p) ? p : undefined;
  for (const base of [path.dirname(path.resolve(dir)), ...folders]) {
    const c = path.resolve(base, p);
    if (existsSync(c)) return c;
  }
  return undefined;
}

/** The cfg the run trains (a fine-tuning run's is the one in its pruned folder) and its newest weights. */
export function latestModel(
  dir: string,
  command: CommandRecord | undefined,
  folders: readonly string[] = [],
): { cfg: string; weights: string } | undefined {
  const weights = runFile(dir, 'last');
  if (!command || !existsSync(weights)) return undefined;
  const o = command.options;
  let cfg: string | undefined;
  if (o.finetune) {
    const ft = resolveRecorded(o.finetune, dir, folders);
    const name = ft && statSync(ft).isDirectory() ? readdirSync(ft).find((f) => f.toLowerCase().endsWith('.cfg')) : undefined;
    cfg = ft && name ? path.join(ft, name) : undefined;
  } else if (o.cfg) {
    cfg = resolveRecorded(o.cfg, dir, folders);
  }
  return cfg ? { cfg, weights: path.resolve(weights) } : undefined;
}

export function runKind(command: CommandRecord | undefined): TrainingView['kind'] {
  return command?.options.finetune ? 'finetune' : command?.options.sparsity ? 'sparsity' : 'train';
}

export interface LiveState {
  running: boolean;
  stopping?: boolean;
  failed?: string;
  note?: string;
  steps: TrainingStepView[];
  /** The epochs the job was asked for (a resume may ask for more than command.txt records). */
  epochsTotal?: number;
}

/** The dashboard's view of a run directory, with what a job running in this window adds. */
export function runView(dir: string, live: LiveState | undefined, folders: readonly string[] = []): TrainingView {
  const command = readCommand(dir);
  const metricsText = readCapped(runFile(dir, 'metrics'));
  const gammaText = readCapped(runFile(dir, 'gamma'));
  const epochs = metricsText ? parseMetrics(runFile(dir, 'metrics'), metricsText) : [];
  const { edges, gamma } = gammaViews(gammaText ? parseGamma(runFile(dir, 'gamma'), gammaText) : []);
  const recorded =
    live?.epochsTotal ?? (command && isNum(command.options.epochs) && command.options.epochs > 0 ? command.options.epochs : null);
  // A run resumed with more epochs than it was started with: command.txt keeps the first number.
  const epochsTotal = recorded === null ? null : Math.max(recorded, epochs.length);
  const hasCheckpoint = existsSync(runFile(dir, 'checkpoint'));
  let status: TrainingStatus;
  if (live?.running) status = live.stopping ? 'stopping' : 'running';
  else if (live?.failed) status = 'failed';
  else if (!command && !epochs.length) status = 'empty';
  else if (command?.darknet && existsSync(runFile(dir, 'last'))) status = 'finished';
  else if (epochsTotal !== null && epochs.length >= epochsTotal) status = 'finished';
  else status = 'stopped';
  const note = live?.failed ?? live?.note;
  return {
    title: path.basename(path.resolve(dir)),
    runDir: path.resolve(dir),
    kind: runKind(command),
    status,
    ...(note ? { note } : {}),
    epochsTotal,
    epochs,
    steps: live?.steps ?? [],
    thresholds: THRESHOLDS,
    gammaEdges: edges,
    gamma,
    settledEpoch: settledEpoch(gamma.map((g) => ({ epoch: g.epoch, value: g.emptyingPercent }))),
    canResume: hasCheckpoint && !live?.running,
    ...((m) => (m ? { latest: m } : {}))(latestModel(dir, command, folders)),
  };
}

/** Files whose change means the view changed. */
export const WATCHED_FILES: readonly string[] = [
  RUN_FILES.metrics,
  RUN_FILES.gamma,
  RUN_FILES.checkpoint,
  RUN_FILES.command,
  RUN_FILES.last,
];

/** A folder that looks like a training run (for Open Training Run…). */
export function isRunDir(dir: string): boolean {
  return existsSync(runFile(dir, 'command')) || existsSync(runFile(dir, 'metrics'));
}

/** Run folders under these folders (at most `depth` levels down; hidden folders and node_modules skipped), most recently changed first. */
export function findRunDirs(roots: readonly string[], depth = 3): string[] {
  const found: { dir: string; mtime: number }[] = [];
  const visit = (d: string, left: number) => {
    if (isRunDir(d)) {
      const f = [runFile(d, 'metrics'), runFile(d, 'command')].find((p) => existsSync(p))!;
      found.push({ dir: d, mtime: statSync(f).mtimeMs });
      return;
    }
    if (left === 0) return;
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const p = path.join(d, e);
      try {
        if (statSync(p).isDirectory()) visit(p, left - 1);
      } catch {
        /* vanished */
      }
    }
  };
  for (const r of roots) visit(r, depth);
  return found.sort((a, b) => b.mtime - a.mtime || a.dir.localeCompare(b.dir)).map((f) => f.dir);
}
