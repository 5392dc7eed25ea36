// Parse + analyse time per corpus cfg (median of many runs), as bundled for the language server.
// Target: under 2 ms for yolov4.cfg on the 2-core reference machine.

import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { analyseText as AnalyseText } from '../core/src/cfg/analyse';
import { loadBundled, stats } from './lib/bundle';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const CFG_DIR = join(CORPUS, 'cfg');
const TARGET_MS = 2;
const RUNS = Number(process.env.BENCH_RUNS ?? 600);

async function main() {
  const { analyseText } = await loadBundled<{ analyseText: typeof AnalyseText }>("export { analyseText } from './core/src/cfg/analyse';");
  const files = readdirSync(CFG_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .sort();
  console.log(
    `parse+analyse, median of ${RUNS} runs after ${RUNS / 2} warm-up runs (esbuild bundle, node ${process.version}, load average ${loadavg()[0].toFixed(1)})`,
  );
  console.log("wall = elapsed time; cpu = this process's CPU time for the same run (not inflated when other processes share the cores)");
  console.log(
    `${'cfg'.padEnd(28)} ${'layers'.padStart(6)} ${'KiB'.padStart(6)} ${'wall median'.padStart(12)} ${'wall p95'.padStart(9)} ${'cpu median'.padStart(11)}`,
  );
  let yolov4 = { wall: NaN, cpu: NaN };
  for (const f of files) {
    const text = readFileSync(join(CFG_DIR, f), 'utf8');
    for (let i = 0; i < RUNS / 2; i++) analyseText(text);
    const times: number[] = [];
    const cpu: number[] = [];
    let layers = 0;
    for (let i = 0; i < RUNS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      layers = analyseText(text).layers.length;
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const s = stats(times),
      sc = stats(cpu);
    if (f === 'yolov4.cfg') yolov4 = { wall: s.median, cpu: sc.median };
    console.log(
      `${f.padEnd(28)} ${String(layers).padStart(6)} ${(text.length / 1024).toFixed(1).padStart(6)} ${s.median.toFixed(3).padStart(12)} ${s.p95.toFixed(3).padStart(9)} ${sc.median.toFixed(3).padStart(11)}`,
    );
  }
  for (const k of ['wall', 'cpu'] as const) {
    const v = yolov4[k];
    console.log(
      `yolov4.cfg ${k}: ${v.toFixed(3)} ms vs target ${TARGET_MS} ms → ${(v / TARGET_MS).toFixed(2)}× of target (${v < TARGET_MS ? 'met' : 'NOT met'})`,
    );
  }
}

void main();
