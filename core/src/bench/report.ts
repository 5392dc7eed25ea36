// The bench report: each model's figures, the ratios to the first model (FPS next to BFLOPs and
// parameters), the machine, and benchmark_app's figures when it was run as a reference.

import type { BenchmarkAppResult } from './benchmark-app';
import type { ModelMeasurement } from './interleave';
import type { MachineInfo } from './machine';
import type { BenchOptions } from './runners';
import type { LatencyStats } from './stats';

export interface BenchModelReport {
  label: string;
  kind: string;
  inputShape: number[];
  bflops: number | null;
  params: number | null;
  settings: Record<string, string | number>;
  latency: LatencyStats;
  fps: number;
  /** fps × frames per inference. */
  framesPerSecond: number;
  completed: number;
  wallMs: number;
  maxInFlight: number;
  latenciesMs: number[];
  reference?: BenchmarkAppResult | { error: string };
  /** With --profile (OpenVINO, darknet models): per layer, the median time per inference from the profiling counters. */
  layerMs?: { layer: number; type: string; ms: number }[];
}

export interface BenchReport {
  runtime: string;
  device: string;
  hint: string;
  precisionAsked: string | null;
  openvino?: { version: string; addon: string };
  warmup: number;
  rounds: number;
  /** 4 with --mosaic (four streams spliced into one 2×-size input), else 1. */
  framesPerInference: number;
  machine: MachineInfo;
  models: BenchModelReport[];
  /** Each model against the first: FPS, BFLOPs and parameter ratios. */
  ratios: { label: string; fps: number; bflops: number | null; params: number | null }[];
}

export function buildReport(
  o: BenchOptions,
  m: ModelMeasurement[],
  machine: MachineInfo,
  extra: { warmup: number; rounds: number; openvino?: BenchReport['openvino']; framesPerInference?: number },
): BenchReport {
  const frames = extra.framesPerInference ?? 1;
  const models = m.map((x): BenchModelReport => ({
    label: x.runner.spec.label,
    kind: x.runner.spec.kind,
    inputShape: x.runner.inputShape,
    bflops: x.runner.spec.bflops ?? null,
    params: x.runner.spec.params ?? null,
    settings: x.runner.settings,
    latency: x.latency,
    fps: x.fps,
    framesPerSecond: x.fps * frames,
    completed: x.completed,
    wallMs: x.wallMs,
    maxInFlight: x.maxInFlight,
    latenciesMs: x.latenciesMs.map((v) => Math.round(v * 1000) / 1000),
  }));
  const base = models[0];
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  return {
    runtime: o.runtime,
    device: o.device,
    hint: o.hint,
    precisionAsked: o.precision ?? null,
    openvino: extra.openvino,
    warmup: extra.warmup,
    rounds: extra.rounds,
    framesPerInference: frames,
    machine,
    models,
    ratios: models.map((x) => ({
      label: x.label,
      fps: x.fps / base.fps,
      bflops: ratio(x.bflops, base.bflops),
      params: ratio(x.params, base.params),
    })),
  };
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const num = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `${r.runtime}${r.openvino ? ` ${r.openvino.version} (${r.openvino.addon === 'ours' ? 'our' : 'official'} addon)` : ''} on ${r.device}, hint ${r.hint}${r.precisionAsked ? `, precision asked ${r.precisionAsked}` : ''}; warm-up ${r.warmup}, ${r.rounds} interleaved rounds`,
    `machine: ${m.cpu}, ${m.logicalCpus} logical CPUs, ${m.memoryGB} GB, ${m.os}, Node ${m.node}, load average ${m.loadAverage.join(' ')}`,
    '',
  ];
  const head = [
    'model',
    'input',
    'BFLOPs',
    'params',
    'n',
    'median',
    'p90',
    'p99',
    'min',
    'FPS',
    'precision',
    'streams',
    'threads',
    'requests',
  ];
  const rows = r.models.map((x) => [
    x.label,
    x.inputShape.slice(1).join('×'),
    num(x.bflops),
    x.params === null ? '—' : (x.params / 1e6).toFixed(2) + 'M',
    String(x.latency.iterations),
    ms(x.latency.medianMs),
    ms(x.latency.p90Ms),
    ms(x.latency.p99Ms),
    ms(x.latency.minMs),
    x.fps.toFixed(2),
    String(x.settings.precision),
    String(x.settings.streams),
    String(x.settings.threads),
    String(x.settings.requests),
  ]);
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((row) => row[j].length)));
  for (const row of all) lines.push(row.map((v, j) => (j === 0 ? v.padEnd(w[j]) : v.padStart(w[j]))).join('  '));
  if (r.framesPerInference > 1)
    lines.push(
      `mosaic: ${r.framesPerInference} frames per inference (2×-size network): ${r.models.map((x) => `${x.label} ${x.framesPerSecond.toFixed(2)} frames/s`).join(', ')}`,
    );
  lines.push(
    '(latencies in ms' +
      (r.hint === 'throughput' ? '; per request, with all requests in flight: not comparable with latency-mode latencies' : '') +
      ')',
  );
  if (r.models.length > 1) {
    lines.push('', `ratios to ${r.models[0].label}:`);
    for (const q of r.ratios.slice(1))
      lines.push(`  ${q.label}: FPS ×${q.fps.toFixed(2)}, BFLOPs ×${num(q.bflops, 2)}, params ×${num(q.params, 2)}`);
  }
  const profiled = r.models.filter((x) => x.layerMs?.length);
  if (profiled.length) {
    lines.push('', 'slowest layers (profiling counters, ms per inference):');
    for (const x of profiled)
      lines.push(
        `  ${x.label}: ${[...x.layerMs!]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 5)
          .map((l) => `${l.layer} ${l.type} ${ms(l.ms)}`)
          .join(', ')}`,
      );
  }
  const refs = r.models.filter((x) => x.reference);
  if (refs.length) {
    lines.push('', 'benchmark_app (same model and settings):');
    for (const x of refs) {
      const b = x.reference!;
      if ('error' in b) {
        lines.push(`  ${x.label}: ${b.error}`);
        continue;
      }
      const ours = r.hint === 'latency' ? x.latency.medianMs : x.fps,
        theirs = r.hint === 'latency' ? b.medianMs : b.fps;
      lines.push(
        `  ${x.label}: median ${ms(b.medianMs)} ms, mean ${ms(b.meanMs)}, min ${ms(b.minMs)}, ${b.fps.toFixed(2)} FPS, ${b.iterations} iterations; ours/theirs ${r.hint === 'latency' ? 'median' : 'FPS'} ×${(ours / theirs).toFixed(3)}`,
      );
      lines.push(`    ${b.command}`);
    }
  }
  return lines.join('\n');
}
