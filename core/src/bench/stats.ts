// Latency statistics of one measured model: every iteration kept, percentiles by linear
// interpolation between closest ranks (numpy's default).

export interface LatencyStats {
  iterations: number;
  medianMs: number;
  p90Ms: number;
  p99Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r),
    hi = Math.ceil(r);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo);
}

export function latencyStats(latenciesMs: readonly number[]): LatencyStats {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return {
    iterations: s.length,
    medianMs: percentile(s, 50),
    p90Ms: percentile(s, 90),
    p99Ms: percentile(s, 99),
    minMs: s[0] ?? NaN,
    maxMs: s[s.length - 1] ?? NaN,
    meanMs: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}
