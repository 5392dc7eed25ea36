// Measures several runners interleaved: after a warm-up of each, rounds of A, B, A, B … slices, so
// that a shared machine's changing load falls on every model alike. Each model's latencies are kept.
// onRound runs after each round (the benchmark_app reference takes its turn there).

import type { BenchRunner } from './runners';
import { latencyStats, type LatencyStats } from './stats';

export interface MeasureLimits {
  /** Per model, in total over all rounds. */
  iterations?: number;
  seconds?: number;
  warmup: number;
  rounds: number;
}

export interface ModelMeasurement {
  runner: BenchRunner;
  latenciesMs: number[];
  latency: LatencyStats;
  completed: number;
  wallMs: number;
  /** The most requests in flight at once (the parallelism actually reached). */
  maxInFlight: number;
  /** Inferences per second over the measured wall time (all requests together in throughput mode). */
  fps: number;
}

/** Splits `total` into `rounds` near-equal parts (the first ones one larger). */
export function split(total: number, rounds: number): number[] {
  const base = Math.floor(total / rounds),
    extra = total % rounds;
  return Array.from({ length: rounds }, (_, i) => base + (i < extra ? 1 : 0)).filter((n) => n > 0);
}

export async function measureInterleaved(
  runners: BenchRunner[],
  limits: MeasureLimits,
  onRound?: (round: number, rounds: number) => Promise<void> | void,
): Promise<ModelMeasurement[]> {
  for (const r of runners) await r.measure({ iterations: limits.warmup }, []);
  const acc = runners.map(() => ({ latencies: [] as number[], completed: 0, wallMs: 0, maxInFlight: 0 }));
  const slices =
    limits.iterations !== undefined
      ? split(limits.iterations, limits.rounds).map((n) => ({ iterations: n }))
      : Array.from({ length: limits.rounds }, () => ({ ms: (limits.seconds! * 1000) / limits.rounds }));
  for (const [k, slice] of slices.entries()) {
    for (const [i, r] of runners.entries()) {
      const res = await r.measure(slice, acc[i].latencies);
      acc[i].completed += res.completed;
      acc[i].wallMs += res.wallMs;
      acc[i].maxInFlight = Math.max(acc[i].maxInFlight, res.maxInFlight);
    }
    await onRound?.(k + 1, slices.length);
  }
  return runners.map((runner, i) => ({
    runner,
    latenciesMs: acc[i].latencies,
    latency: latencyStats(acc[i].latencies),
    completed: acc[i].completed,
    wallMs: acc[i].wallMs,
    maxInFlight: acc[i].maxInFlight,
    fps: acc[i].wallMs > 0 ? (acc[i].completed * 1000) / acc[i].wallMs : 0,
  }));
}
