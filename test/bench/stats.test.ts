// The bench's arithmetic: percentiles (linear between closest ranks), round splitting, benchmark_app's
// string-valued JSON report and the combination of its per-round runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyStats, percentile } from '../../core/src/bench/stats';
import { split } from '../../core/src/bench/interleave';
import { combineRuns, parseReport, type BenchmarkAppResult } from '../../core/src/bench/benchmark-app';

test('percentiles interpolate between closest ranks (numpy default)', () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(s, 50), 5.5);
  assert.equal(percentile(s, 90), 9.1);
  assert.ok(Math.abs(percentile(s, 99) - 9.91) < 1e-12);
  assert.equal(percentile([7], 99), 7);
  const st = latencyStats([10, 1, 5]);
  assert.deepEqual([st.iterations, st.medianMs, st.minMs, st.maxMs, st.meanMs], [3, 5, 1, 10, 16 / 3]);
});

test('iterations are split over rounds, none empty', () => {
  assert.deepEqual(split(10, 3), [4, 3, 3]);
  assert.deepEqual(split(2, 5), [1, 1]);
  assert.equal(
    split(97, 10).reduce((a, b) => a + b, 0),
    97,
  );
});

test("benchmark_app's report: string values become numbers; a missing one is an error naming it", () => {
  const json = JSON.stringify({
    execution_results: {
      'total number of iterations': '14',
      'latency (ms)': '373.70',
      'avg latency': '364.35',
      'min latency': '290.07',
      'max latency': '418.55',
      throughput: '2.74',
    },
  });
  assert.deepEqual(parseReport(json), { iterations: 14, medianMs: 373.7, meanMs: 364.35, minMs: 290.07, maxMs: 418.55, fps: 2.74 });
  assert.throws(() => parseReport(JSON.stringify({ execution_results: { 'latency (ms)': 'n/a' } })), /"total number of iterations"/);
});

test('benchmark_app rounds combine: median of medians, mean weighted by iterations, FPS over all time', () => {
  const run = (iterations: number, medianMs: number, meanMs: number, fps: number): BenchmarkAppResult => ({
    iterations,
    medianMs,
    meanMs,
    minMs: medianMs - 1,
    maxMs: medianMs + 1,
    fps,
    command: 'x',
  });
  const c = combineRuns([run(10, 100, 100, 10), run(30, 50, 50, 20), run(10, 200, 200, 5)]);
  assert.equal(c.medianMs, 100);
  assert.equal(c.meanMs, (1000 + 1500 + 2000) / 50);
  assert.equal(c.fps, 50 / (1 + 1.5 + 2));
  assert.equal(c.minMs, 49);
  assert.equal(c.rounds, 3);
});
