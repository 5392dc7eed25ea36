// `prune plan` against a latency target on OpenVINO (docs/pruning.md §Pruning to a latency target):
//  1. yolov4-tiny 416 (random weights, CPU, f32): the baseline's latency-mode median from `bench`,
//     then `prune plan --target-ms` at half of it: target vs predicted vs achieved (measured
//     interleaved with the baseline), the plan, γ mass, BFLOPs and parameter ratios.
//  2. a sweep of targets (0.35, 0.5, 0.7 of the baseline): achieved latency and γ mass per target,
//     which should rise together (a monotone curve).
//  3. yolov3 at 256 (23 residual units): the same half-latency target, where cutting units competes
//     with narrowing channels.
// Needs `npm run setup:openvino`. BENCH_SECONDS (default 3) per model per measurement.
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
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

interface Plan {
  latencyModel: { description: string };
  chosen: { plan: { globalPercent: number; layerKeep: number; cutUnits: number }; met: boolean; targetMs: number; predictedMs: number; achievedMs: number; baselineMs: number; gammaMass: number; bflopsRatio: number; paramsRatio: number };
  iterations: { globalPercent: number; layerKeep: number; cutUnits: number; predictedMs: number; achievedMs: number; baselineMs: number; adjustedMs: number; met: boolean }[];
  notes: string[];
}

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`darknet-pruner ${args.join(' ')}: ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout;
}

function model(dir: string, name: string, size?: number): { cfg: string; weights: string } {
  let text = readFileSync(join(CORPUS, 'cfg', name), 'utf8');
  if (size) text = text.replace(/^width=\d+/m, `width=${size}`).replace(/^height=\d+/m, `height=${size}`);
  const cfg = join(dir, name), weights = cfg.replace(/\.cfg$/, '.weights');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  writeFileSync(weights, serializeWeights(net, synthesizeWeights(net)));
  return { cfg, weights };
}

function baselineMs(cfg: string): { ms: number; load: number[] } {
  const rep = JSON.parse(cli(['bench', cfg, '--time', String(SECONDS), '--precision', 'f32', '--json'])) as BenchReport;
  return { ms: rep.models[0].latency.medianMs, load: rep.machine.loadAverage };
}

function plan(m: { cfg: string; weights: string }, targetMs: number, out: string): Plan {
  cli(['prune', 'plan', m.cfg, m.weights, '--target-ms', targetMs.toFixed(3), '--precision', 'f32', '--time', String(SECONDS), '-o', out, '--json']);
  return JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as Plan;
}

function show(label: string, p: Plan): void {
  const c = p.chosen, q = c.plan;
  console.log(`${label}: target ${c.targetMs.toFixed(1)} ms, predicted ${c.predictedMs.toFixed(1)} ms, achieved ${c.achievedMs.toFixed(1)} ms (baseline beside it ${c.baselineMs.toFixed(1)} ms, ×${(c.achievedMs / c.baselineMs).toFixed(3)}) → ${c.met ? 'met' : 'MISSED'}`);
  console.log(`  plan p=${q.globalPercent} layer_keep=${q.layerKeep} cut=${q.cutUnits}; γ mass ${c.gammaMass.toFixed(3)}; BFLOPs ×${c.bflopsRatio.toFixed(3)}, params ×${c.paramsRatio.toFixed(3)}; ${p.iterations.length} plan(s) measured`);
  for (const it of p.iterations) console.log(`    p=${it.globalPercent} keep=${it.layerKeep} cut=${it.cutUnits}: predicted ${it.predictedMs.toFixed(1)}, achieved ${it.achievedMs.toFixed(1)} (baseline ${it.baselineMs.toFixed(1)}, adjusted ${it.adjustedMs.toFixed(1)}) ${it.met ? 'met' : 'missed'}`);
  console.log(`  model: ${p.latencyModel.description}`);
  for (const n of p.notes) console.log(`  note: ${n}`);
}

function main(): void {
  const probe = spawnSync(process.execPath, ['-e', "require('openvino-node').addon.getOpenvinoVersion()"], { cwd: REPO, encoding: 'utf8' });
  if (probe.status !== 0) { console.log('skipped: openvino-node does not load; enable with: npm run setup:openvino'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-plan-'));
  try {
    const tiny = model(dir, 'yolov4-tiny.cfg');
    const b = baselineMs(tiny.cfg);
    console.log(`yolov4-tiny 416 baseline (bench, ${SECONDS} s): median ${b.ms.toFixed(1)} ms; load average ${b.load.join(' ')}`);
    show('half the baseline latency', plan(tiny, b.ms / 2, join(dir, 'tiny-0.5')));

    const sweep = [0.35, 0.7].map((f) => ({ f, p: plan(tiny, b.ms * f, join(dir, `tiny-${f}`)) }));
    const rows = [...sweep, { f: 0.5, p: JSON.parse(readFileSync(join(dir, 'tiny-0.5', 'plan.json'), 'utf8')) as Plan }].sort((x, y) => x.f - y.f);
    console.log('target sweep (fraction of the baseline: achieved ms, γ mass):');
    for (const r of rows) console.log(`  ${r.f}: target ${r.p.chosen.targetMs.toFixed(1)} ms, achieved ${r.p.chosen.achievedMs.toFixed(1)} ms (×${(r.p.chosen.achievedMs / r.p.chosen.baselineMs).toFixed(3)} of the baseline beside it), γ mass ${r.p.chosen.gammaMass.toFixed(3)} ${r.p.chosen.met ? 'met' : 'MISSED'}`);
    const monotone = rows.every((r, k) => k === 0 || r.p.chosen.gammaMass >= rows[k - 1].p.chosen.gammaMass);
    console.log(`  γ mass ${monotone ? 'rises' : 'does NOT rise'} monotonically with the target`);

    const v3 = model(dir, 'yolov3.cfg', 256);
    const b3 = baselineMs(v3.cfg);
    console.log(`yolov3 256 baseline: median ${b3.ms.toFixed(1)} ms; load average ${b3.load.join(' ')}`);
    show('yolov3 256, half the baseline latency', plan(v3, b3.ms / 2, join(dir, 'v3-0.5')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
