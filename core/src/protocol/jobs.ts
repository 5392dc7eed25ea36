// The job boundary between the extension and the darknet-pruner CLI it runs as a child process:
// the `--json-events` stream (one JSON object per line on stdout), the `data` of each command's
// `result` event, and the argv the extension builds for each command. The CLI writes what these
// types say (cli/events.ts re-exports the event schema for it; the commands' results
// `satisfies` the types below); the extension reads and builds with the same module.
// test/protocol/jobs.test.ts runs every argv these builders make through the CLI itself.

import type { BackendChoice, BackendProbe } from '../nn/backend';
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
  | { type: 'error'; message: string };

export const JOB_EVENT_TYPES = ['progress', 'metric', 'histogram', 'artifact', 'result', 'error'] as const;

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
}

export interface JobResults {
  'prune channel': PruneJobResult;
  'prune layer': PruneJobResult;
  sweep: SweepJobResult;
  env: EnvJobResult;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const RESULT_SHAPE: { [C in keyof JobResults]: (d: Record<string, unknown>) => boolean } = {
  'prune channel': (d) => typeof d.out === 'string' && Array.isArray(d.files) && isObject(d.report),
  'prune layer': (d) => typeof d.out === 'string' && Array.isArray(d.files) && isObject(d.report),
  sweep: (d) => Array.isArray(d.points) && typeof d.rule === 'string',
  env: (d) => typeof d.node === 'string' && Array.isArray(d.tfjsBackends) && Array.isArray(d.runtimes) && isObject(d.train) && isObject(d.infer),
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
    'prune', 'channel', j.cfg, j.weights, '--global-percent', String(j.globalPercent), '--method', j.method,
    ...layerKeepArgs(j),
    ...(j.thenShortcuts !== undefined ? ['--then-shortcuts', String(j.thenShortcuts)] : []),
    '-o', j.out,
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
  return ['prune', 'layer', ...source, '--shortcuts', String(j.shortcuts), '-o', j.out, ...(j.name !== undefined ? ['--name', j.name] : [])];
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
    'sweep', j.cfg, j.weights,
    ...(j.percents !== undefined ? ['--percents', j.percents] : []),
    ...(j.method !== undefined ? ['--method', j.method] : []),
    ...layerKeepArgs(j),
    ...(j.data !== undefined ? ['--data', j.data] : []),
    ...(j.data !== undefined && j.limit !== undefined ? ['--limit', String(j.limit)] : []),
    ...(j.data !== undefined && j.runtime !== undefined ? ['--runtime', j.runtime] : []),
  ];
}
