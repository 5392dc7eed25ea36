// A `bench` result → the Benchmark panel's view: per model the latency box (from every iteration
// kept), FPS and the ratios to the first model, the slowest layers when profiling counters are in
// the result; and the saved runs as the history list shows them. No `vscode` import (unit-tested).

import type { BenchModelReport } from '../../../core/src/bench/report';
import type { BenchJobResult } from '../../../core/src/protocol/jobs';
import type { BenchModelView, BenchRunSummary, BenchView, BoxStats } from '../../../webviews/src/shared/protocol';

/** What a history file holds: the CLI's result as it came, when and how it was run. */
export interface SavedBenchRun {
  savedAt: string;
  /** The argv after `darknet-pruner`. */
  args: string[];
  report: BenchJobResult;
}

/**
 * Linear interpolation between closest ranks, as the CLI's statistics (core/src/bench/stats.ts,
 * which the extension host bundle must not include: core/src/bench is measurement code).
 */
function percentile(sorted: readonly number[], p: number): number {
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r),
    hi = Math.ceil(r);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo);
}

export function boxStats(values: readonly number[]): BoxStats {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, min: NaN, q1: NaN, median: NaN, q3: NaN, max: NaN, whiskerLow: NaN, whiskerHigh: NaN, outliers: [] };
  const q1 = percentile(s, 25),
    median = percentile(s, 50),
    q3 = percentile(s, 75);
  const lo = q1 - 1.5 * (q3 - q1),
    hi = q3 + 1.5 * (q3 - q1);
  const inside = s.filter((v) => v >= lo && v <= hi);
  return {
    n: s.length,
    min: s[0],
    q1,
    median,
    q3,
    max: s[s.length - 1],
    whiskerLow: inside[0],
    whiskerHigh: inside[inside.length - 1],
    outliers: s.filter((v) => v < lo || v > hi),
  };
}

const SLOWEST = 10;

/** From `bench --profile`'s per-layer times (OpenVINO's profiling counters), when the run has them. */
function slowestLayers(m: BenchModelReport): BenchModelView['slowest'] {
  const layers = Array.isArray(m.layerMs) ? m.layerMs.filter((l) => Number.isFinite(l.ms)) : [];
  if (layers.length === 0) return undefined;
  const total = layers.reduce((a, l) => a + l.ms, 0);
  return [...layers]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, SLOWEST)
    .map((l) => ({ layer: l.layer, type: l.type, ms: l.ms, share: total > 0 ? l.ms / total : 0 }));
}

const ratioTo = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);

function modelView(m: BenchModelReport, base: BenchModelReport): BenchModelView {
  const s = m.settings;
  const slowest = slowestLayers(m);
  return {
    label: m.label,
    kind: m.kind,
    input: m.inputShape.slice(1).join('×'),
    bflops: m.bflops,
    params: m.params,
    settings: {
      precision: String(s.precision ?? '—'),
      streams: String(s.streams ?? '—'),
      threads: String(s.threads ?? '—'),
      requests: String(s.requests ?? '—'),
    },
    fps: m.fps,
    framesPerSecond: m.framesPerSecond,
    box: boxStats(m.latenciesMs),
    p90Ms: m.latency.p90Ms,
    p99Ms: m.latency.p99Ms,
    ratio: { fps: base.fps > 0 ? m.fps / base.fps : NaN, bflops: ratioTo(m.bflops, base.bflops), params: ratioTo(m.params, base.params) },
    ...(slowest ? { slowest } : {}),
  };
}

export function runSummary(id: string, run: SavedBenchRun): BenchRunSummary {
  const r = run.report;
  const last = r.models[r.models.length - 1];
  return {
    id,
    when: run.savedAt,
    runtime: r.runtime,
    hint: r.hint,
    models: r.models.map((m) => m.label),
    fpsRatio: r.models.length > 1 && r.models[0].fps > 0 ? last.fps / r.models[0].fps : null,
  };
}

export function benchView(id: string, run: SavedBenchRun, history: BenchRunSummary[], historyDir: string): BenchView {
  const r = run.report;
  const m = r.machine;
  return {
    id,
    when: run.savedAt,
    runtime: r.runtime,
    device: r.device,
    hint: r.hint,
    precisionAsked: r.precisionAsked,
    openvino: r.openvino ? `${r.openvino.version} (${r.openvino.addon === 'ours' ? 'our' : 'official'} addon)` : null,
    machine: `${m.cpu}, ${m.logicalCpus} logical CPUs, load average ${m.loadAverage.join(' ')}`,
    framesPerInference: r.framesPerInference,
    models: r.models.map((x) => modelView(x, r.models[0])),
    history,
    historyDir,
  };
}
