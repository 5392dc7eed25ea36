// The seed-style table of what each step of the recipe bought, shared by the demo (scripts/demo-table.mjs)
// and bench/training.ts: every stage evaluated the same way (`eval` on the valid list), its size from
// `info` and the .weights file, its speed from an interleaved `bench` when one was run.
import { statSync } from 'node:fs';

/**
 * Measures each stage through the CLI.
 * @param {(...args: string[]) => string} cli runs the CLI and returns its stdout
 * @param {string} data the .data whose valid= list is evaluated
 * @param {{ name: string; cfg: string; weights: string; latencyMs?: number }[]} stages
 */
export function measureStages(cli, data, stages) {
  return stages.map(({ name, cfg, weights, latencyMs }) => {
    const e = JSON.parse(cli('eval', cfg, weights, '--data', data, '--json'));
    const info = JSON.parse(cli('info', cfg, '--json'));
    return {
      name,
      p: e.precision,
      r: e.recall,
      map: e.map50,
      params: info.totals.params,
      bytes: statSync(weights).size,
      bflops: info.totals.bflops,
      latencyMs,
    };
  });
}

/**
 * The table's lines.
 * @param {{ name: string; p: number; r: number; map: number; params: number; bytes: number; bflops: number; latencyMs?: number }[]} rows
 * @param {string} runtime the benchmark's runtime, for the latency column's heading
 */
export function formatStageTable(rows, runtime) {
  const pad = (s, n) => String(s).padStart(n);
  const w = Math.max(24, ...rows.map((r) => r.name.length + 2));
  return [
    `${'stage'.padEnd(w)}${pad('P', 7)}${pad('R', 7)}${pad('mAP@0.5', 9)}${pad('params', 11)}${pad('size', 11)}${pad('BFLOPs', 9)}${pad(`${runtime} ms`, 16)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(w)}${pad(r.p.toFixed(3), 7)}${pad(r.r.toFixed(3), 7)}${pad(r.map.toFixed(3), 9)}${pad(r.params.toLocaleString('en-US'), 11)}${pad(`${(r.bytes / 1024).toFixed(0)} KiB`, 11)}${pad(r.bflops.toFixed(3), 9)}${pad(r.latencyMs === undefined ? '' : r.latencyMs.toFixed(2), 16)}`,
    ),
  ];
}

/**
 * One line comparing the last row with the first: params, BFLOPs, mAP@0.5 and speed.
 * @param {{ map: number; params: number; bflops: number; latencyMs?: number }} b
 * @param {{ map: number; params: number; bflops: number; latencyMs?: number }} f
 */
export function stageSummary(b, f) {
  return `params −${(100 * (1 - f.params / b.params)).toFixed(1)}%, BFLOPs −${(100 * (1 - f.bflops / b.bflops)).toFixed(1)}%, mAP@0.5 ${b.map.toFixed(3)} → ${f.map.toFixed(3)}${b.latencyMs && f.latencyMs ? `, speed ×${(b.latencyMs / f.latencyMs).toFixed(2)}` : ''}`;
}
