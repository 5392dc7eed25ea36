// OpenVINO through `darknet-pruner bench` (docs/openvino.md):
//  1. our latency-mode median vs OpenVINO's own benchmark_app on the same model and settings
//     (yolov4-tiny 416, CPU, f32, denormals flushed). Target: within 10%.
//  2. baseline vs the same net channel-pruned at 0.5 (slim): FPS ratio next to the BFLOPs and
//     parameter ratios, in latency and in throughput mode, measured interleaved.
// Needs `npm run setup:openvino`. BENCH_SECONDS (default 10) per model and measurement.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeWeights } from '../core/src/weights/synth';
import { serializeWeights } from '../core/src/weights/write';
import type { BenchReport } from '../core/src/bench/report';

const REPO = join(__dirname, '..');
const CORPUS = process.env.DARKNET_CORPUS ?? join(REPO, '..', 'shared', 'corpus');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`darknet-pruner ${args.join(' ')}: ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout;
}

function main(): void {
  const probe = spawnSync(process.execPath, ['-e', "require('openvino-node').addon.getOpenvinoVersion()"], { cwd: REPO, encoding: 'utf8' });
  if (probe.status !== 0) { console.log('skipped: openvino-node does not load; enable with: npm run setup:openvino'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-openvino-'));
  try {
    const text = readFileSync(join(CORPUS, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
    const cfg = join(dir, 'yolov4-tiny.cfg');
    writeFileSync(cfg, text);
    const net = analyseText(text);
    writeFileSync(join(dir, 'yolov4-tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
    cli(['prune', 'channel', cfg, join(dir, 'yolov4-tiny.weights'), '--global-percent', '0.5', '-o', join(dir, 'pruned-0.5')]);

    const ref = JSON.parse(cli(['bench', cfg, '--time', String(SECONDS), '--precision', 'f32', '--reference', 'benchmark_app', '--json'])) as BenchReport;
    const m = ref.models[0], b = m.reference!;
    console.log(`machine: ${ref.machine.cpu}, ${ref.machine.logicalCpus} logical CPUs, load average ${ref.machine.loadAverage.join(' ')}; OpenVINO ${ref.openvino?.version} (${ref.openvino?.addon} addon)`);
    if ('error' in b) console.log(`benchmark_app failed: ${b.error}`);
    else {
      const r = m.latency.medianMs / b.medianMs;
      console.log(`yolov4-tiny 416 latency median: ours ${m.latency.medianMs.toFixed(1)} ms (${m.latency.iterations} it., p90 ${m.latency.p90Ms.toFixed(1)}) vs benchmark_app ${b.medianMs.toFixed(1)} ms (${b.iterations} it.): ×${r.toFixed(3)} ${Math.abs(r - 1) <= 0.1 ? '(within 10%)' : '(NOT within 10%)'}`);
      console.log(`  settings: ${JSON.stringify(m.settings)}`);
    }

    for (const hint of ['latency', 'throughput']) {
      const rep = JSON.parse(cli(['bench', cfg, join(dir, 'pruned-0.5'), '--hint', hint, '--time', String(SECONDS), '--precision', 'f32', '--json'])) as BenchReport;
      const [a, p] = rep.models, q = rep.ratios[1];
      console.log(`${hint}: baseline ${a.fps.toFixed(2)} FPS (median ${a.latency.medianMs.toFixed(1)} ms), pruned 0.5 ${p.fps.toFixed(2)} FPS (median ${p.latency.medianMs.toFixed(1)} ms); FPS ×${q.fps.toFixed(2)} for BFLOPs ×${q.bflops?.toFixed(2)} (${a.bflops?.toFixed(3)} → ${p.bflops?.toFixed(3)}), params ×${q.params?.toFixed(2)}; streams ${a.settings.streams}, requests ${a.settings.requests}; load ${rep.machine.loadAverage.join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
