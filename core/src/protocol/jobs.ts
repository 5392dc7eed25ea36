// The job boundary between the extension and the darknet-pruner CLI it runs as a child process:
// the `--json-events` stream (one JSON object per line on stdout), the `data` of each command's
// `result` event, and the argv the extension builds for each command. The CLI writes what these
// types say (cli/events.ts re-exports the event schema for it; the commands' results
// `satisfies` the types below); the extension reads and builds with the same module.
// test/protocol/jobs.test.ts runs every argv these builders make through the CLI itself.

import type { BenchReport } from '../bench/report';
import type { IrExport } from '../openvino/ir-export';
import type { BackendChoice, BackendProbe } from '../nn/backend';
import type { Candidate, DetectionRow, NmsChoice } from '../nn/select-detections';
import type { PruneMethod } from '../prune/plan';
import type { PruneReport } from '../prune/report';
import type { SweepResult } from '../prune/sweep';

// --json-events

export type ArtifactKind = 'cfg' | 'weights' | 'report' | 'onnx' | 'ir' | 'checkpoint' | 'image' | 'other';

export type JobEvent =
  | { type: 'progress'; message: string; /** 0..1 when known */ fraction?: number }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'histogram'; name: string; edges: number[]; counts: number[]; step?: number }
  | { type: 'artifact'; kind: ArtifactKind; path: string }
  | { type: 'result'; command: string; data: unknown }
  | { type: 'error'; message: string }
  /** Something the user should read: a `warning` is shown (e.g. pruning γ that are not near zero), an `info` logged. */
  | { type: 'note'; level: 'info' | 'warning'; message: string };

export const JOB_EVENT_TYPES = ['progress', 'metric', 'histogram', 'artifact', 'result', 'error', 'note'] as const;

/** Parses one line of CLI output; undefined for anything that is not a job event. */
export function parseJobEvent(line: string): JobEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as { type?: unknown };
    return typeof v.type === 'string' && (JOB_EVENT_TYPES as readonly string[]).includes(v.type) ? (v as JobEvent) : undefined;
  } catch {
    return undefined;
  }
}

// Results: the `data` of the `result` event (and of `--json`), per command.

export interface PruneJobResult {
  /** The output folder and the files written into it (cfg, weights, prune-report.json). */
  out: string;
  files: string[];
  report: PruneReport;
}

export type SweepJobResult = SweepResult & { cfg: string; weights: string; evaluation: string };

/** `env`: the runtimes found, the tfjs backend each purpose would use, and why. */
export interface EnvJobResult {
  node: string;
  /** DARKNET_BACKEND, when set. */
  darknetBackend: string | null;
  tfjsBackends: BackendProbe[];
  train: BackendChoice | { error: string };
  infer: BackendChoice | { error: string };
  /** onnxruntime-node, openvino-node, python openvino (each probed in its own process). */
  runtimes: { name: string; installed: boolean; version: string | null; loadable: boolean; detail: string }[];
  /** The folder each runtime package resolves from (null: not found); DARKNET_PRUNER_RUNTIMES when set. */
  loadedFrom?: { runtimesFolder: string | null; packages: Record<string, string | null> };
}

/** `bench`: per model the settings read back, every latency, FPS; the ratios to the first model. */
export type BenchJobResult = BenchReport;

/** `export openvino`: the IR files written (the side file's path is the `other` artifact). */
export interface ExportOpenvinoJobResult extends Pick<IrExport, 'input' | 'outputs' | 'heads'> {
  xml: string;
  bin: string;
  bytes: { xml: number; bin: number };
  /** 'f16' or 'f32'. */
  weights: string;
  openvino: string;
  ms: number;
}

/** `detect`: per image its size and detections (with --candidates, every box before NMS too). */
export interface DetectJobResult {
  runtime: DetectRuntime;
  backend: string;
  loadMs: number;
  letterbox: boolean;
  mosaic: { input: number[]; frame: number[] } | null;
  nms: { kind: NmsChoice; thresh: number; beta: number };
  thresh: number;
  classes: number;
  /** From --names, else null (classes are shown by number). */
  names: string[] | null;
  images: {
    image: string;
    stream?: number;
    width: number;
    height: number;
    ms: number;
    detections: DetectionRow[];
    candidates?: Candidate[];
    annotated?: string;
  }[];
}

/** `runtimes install`: per runtime what was found, installed, built or skipped, and why. */
export interface RuntimesInstallJobResult {
  dir: string;
  node: string;
  runtimes: {
    runtime: string;
    packages: string[];
    /** found: already usable (in the folder, or where jobs load it first); installed: fetched; built: fetched and its addon built. */
    status: 'found' | 'installed' | 'built' | 'skipped' | 'failed';
    detail: string;
  }[];
  /** The install's log (pip, node-gyp), when anything ran. */
  log: string | null;
  ms: number;
}

export interface JobResults {
  'prune channel': PruneJobResult;
  'prune layer': PruneJobResult;
  sweep: SweepJobResult;
  env: EnvJobResult;
  detect: DetectJobResult;
  bench: BenchJobResult;
  'export openvino': ExportOpenvinoJobResult;
  'runtimes install': RuntimesInstallJobResult;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const RESULT_SHAPE: { [C in keyof JobResults]: (d: Record<string, unknown>) => boolean } = {
  'prune channel': (d) => typeof d.out === 'string' && Array.isArray(d.files) && isObject(d.report),
  'prune layer': (d) => typeof d.out === 'string' && Array.isArray(d.files) && isObject(d.report),
  sweep: (d) => Array.isArray(d.points) && typeof d.rule === 'string',
  env: (d) =>
    typeof d.node === 'string' && Array.isArray(d.tfjsBackends) && Array.isArray(d.runtimes) && isObject(d.train) && isObject(d.infer),
  detect: (d) =>
    typeof d.classes === 'number' &&
    isObject(d.nms) &&
    typeof d.thresh === 'number' &&
    Array.isArray(d.images) &&
    d.images.every(
      (i) =>
        isObject(i) &&
        typeof i.image === 'string' &&
        typeof i.width === 'number' &&
        typeof i.height === 'number' &&
        Array.isArray(i.detections),
    ),
  bench: (d) =>
    typeof d.runtime === 'string' &&
    Array.isArray(d.models) &&
    d.models.length > 0 &&
    Array.isArray(d.ratios) &&
    isObject(d.machine) &&
    d.models.every(
      (m) => isObject(m) && typeof m.label === 'string' && typeof m.fps === 'number' && Array.isArray(m.latenciesMs) && isObject(m.latency),
    ),
  'export openvino': (d) => typeof d.xml === 'string' && typeof d.bin === 'string' && isObject(d.input) && Array.isArray(d.outputs),
  'runtimes install': (d) =>
    typeof d.dir === 'string' && Array.isArray(d.runtimes) && d.runtimes.every((r) => isObject(r) && typeof r.status === 'string'),
};

/** A job's result data as the command's type, or undefined when it does not have that shape. */
export function jobResult<C extends keyof JobResults>(command: C, data: unknown): JobResults[C] | undefined {
  return isObject(data) && RESULT_SHAPE[command](data) ? (data as unknown as JobResults[C]) : undefined;
}

// Argument builders: the argv after `darknet-pruner` (the runner adds --json-events).

/** `--layer-keep` is a slim option: the CLI rejects it for the other methods. */
export type ChannelMethodOptions = { method: 'slim'; layerKeep?: number } | { method: Exclude<PruneMethod, 'slim'> };
/** As ChannelMethodOptions, where no method means the CLI's default, slim. */
export type SweepMethodOptions = { method?: 'slim'; layerKeep?: number } | { method: Exclude<PruneMethod, 'slim'> };

/** The `--layer-keep` option when the method is slim (also checked at run time, for untyped callers). */
function layerKeepArgs(o: SweepMethodOptions): string[] {
  return (o.method ?? 'slim') === 'slim' && 'layerKeep' in o && o.layerKeep !== undefined ? ['--layer-keep', String(o.layerKeep)] : [];
}

export type ChannelPruneJob = ChannelMethodOptions & {
  cfg: string;
  weights: string;
  globalPercent: number;
  out: string;
  /** Also remove this many residual units after the channel pruning. */
  thenShortcuts?: number;
  /** Stem of the output files (default: the cfg's, with -pruned). */
  name?: string;
};

export function pruneChannelArgs(j: ChannelPruneJob): string[] {
  return [
    'prune',
    'channel',
    j.cfg,
    j.weights,
    '--global-percent',
    String(j.globalPercent),
    '--method',
    j.method,
    ...layerKeepArgs(j),
    ...(j.thenShortcuts !== undefined ? ['--then-shortcuts', String(j.thenShortcuts)] : []),
    '-o',
    j.out,
    ...(j.name !== undefined ? ['--name', j.name] : []),
  ];
}

export interface LayerPruneJob {
  /** An original cfg and its weights, or a folder written by an earlier prune. */
  source: { cfg: string; weights: string } | { prunedDir: string };
  /** Residual units to remove. */
  shortcuts: number;
  out: string;
  name?: string;
}

export function pruneLayerArgs(j: LayerPruneJob): string[] {
  const source = 'prunedDir' in j.source ? [j.source.prunedDir] : [j.source.cfg, j.source.weights];
  return [
    'prune',
    'layer',
    ...source,
    '--shortcuts',
    String(j.shortcuts),
    '-o',
    j.out,
    ...(j.name !== undefined ? ['--name', j.name] : []),
  ];
}

export type SweepJob = SweepMethodOptions & {
  cfg: string;
  weights: string;
  /** `start:end:step`, inclusive (default 0.5:0.95:0.01). */
  percents?: string;
  /** A darknet .data file: also P, R and mAP@0.5 of each point. */
  data?: string;
  /** With data: evaluate on the first N images only. */
  limit?: number;
  runtime?: 'tfjs' | 'onnx';
};

export function sweepArgs(j: SweepJob): string[] {
  return [
    'sweep',
    j.cfg,
    j.weights,
    ...(j.percents !== undefined ? ['--percents', j.percents] : []),
    ...(j.method !== undefined ? ['--method', j.method] : []),
    ...layerKeepArgs(j),
    ...(j.data !== undefined ? ['--data', j.data] : []),
    ...(j.data !== undefined && j.limit !== undefined ? ['--limit', String(j.limit)] : []),
    ...(j.data !== undefined && j.runtime !== undefined ? ['--runtime', j.runtime] : []),
  ];
}

export const BENCH_RUNTIMES = ['openvino', 'onnxruntime', 'tfjs'] as const;
export type BenchRuntime = (typeof BENCH_RUNTIMES)[number];

export interface BenchJob {
  /** In order, the first is the baseline of the ratios: a .cfg (optionally with its .weights), a pruned-model folder, an .onnx or an IR .xml. */
  models: ({ cfg: string; weights?: string } | { path: string })[];
  runtime?: BenchRuntime;
  hint?: 'latency' | 'throughput';
  /** Iterations per model, else `seconds` per model (the CLI's default: 10 s). */
  iterations?: number;
  seconds?: number;
  /** Four streams per inference (darknet models only). */
  mosaic?: boolean;
  /** OpenVINO's per-layer profiling counters after the measurement (cfgs and pruned folders). */
  profile?: boolean;
}

export function benchArgs(j: BenchJob): string[] {
  return [
    'bench',
    ...j.models.flatMap((m) => ('path' in m ? [m.path] : [m.cfg, ...(m.weights !== undefined ? [m.weights] : [])])),
    ...(j.runtime !== undefined ? ['--runtime', j.runtime] : []),
    ...(j.hint !== undefined ? ['--hint', j.hint] : []),
    ...(j.iterations !== undefined ? ['--iterations', String(j.iterations)] : j.seconds !== undefined ? ['--time', String(j.seconds)] : []),
    ...(j.mosaic ? ['--mosaic'] : []),
    ...(j.profile ? ['--profile'] : []),
  ];
}

export interface ExportOpenvinoJob {
  cfg: string;
  weights: string;
  /** The output folder (<name>.xml, .bin and .heads.json go into it). */
  out: string;
  fp16?: boolean;
  /** Replace existing IR files of the same name. */
  force?: boolean;
}

export function exportOpenvinoArgs(j: ExportOpenvinoJob): string[] {
  return ['export', 'openvino', j.cfg, j.weights, '-o', j.out, ...(j.fp16 ? ['--fp16'] : []), ...(j.force ? ['--force'] : [])];
}

export const DETECT_RUNTIMES = ['tfjs', 'onnx', 'openvino'] as const;
export type DetectRuntime = (typeof DETECT_RUNTIMES)[number];

export interface DetectJob {
  cfg: string;
  weights: string;
  images: string[];
  /** A .names file, or a .data file whose names= is read. */
  names?: string;
  runtime?: DetectRuntime;
  /** Score threshold; with candidates, the floor the candidates are decoded above. */
  thresh?: number;
  /** Every decoded box before NMS, for selecting from later (the detection panel). */
  candidates?: boolean;
}

export function detectArgs(j: DetectJob): string[] {
  return [
    'detect',
    j.cfg,
    j.weights,
    ...j.images,
    ...(j.names !== undefined ? ['--names', j.names] : []),
    ...(j.runtime !== undefined ? ['--runtime', j.runtime] : []),
    ...(j.thresh !== undefined ? ['--thresh', String(j.thresh)] : []),
    ...(j.candidates ? ['--candidates'] : []),
  ];
}
