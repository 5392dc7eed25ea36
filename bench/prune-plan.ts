// `prune plan` against a latency target on OpenVINO (docs/pruning.md §Pruning to a latency target):
//  1. yolov4-tiny 416 (random weights, CPU, f32): `prune plan --target-ratio 0.5`, half the
//     baseline's latency as the run measures it (a target in ms set from an earlier `bench` run
//     drifts with this shared machine's load): target vs predicted vs achieved (measured
//     interleaved with the baseline), the plan, γ mass, BFLOPs and parameter ratios.
//  2. a sweep of targets: the distinct plans of that run's final curve (its best plan for 11 targets
//     from the fastest plan to the baseline) built and measured together, interleaved in one run
//     so that all see the same load: latency should rise with γ mass (a monotone curve).
//  3. yolov3 at 192 (23 residual units): the same half-latency target, where cutting units competes
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
import { readWeightsFile } from '../core/src/weights/read';
import { buildPlanModel, measureModels } from '../core/src/plan/latency-measure';

const REPO = join(__dirname, '..');
const CORPUS = process.env.DARKNET_CORPUS ?? join(REPO, '..', 'shared', 'corpus');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

interface Plan {
  latencyModel: { description: string };
  chosen: {
    plan: { globalPercent: number; layerKeep: number; cutUnits: number };
    met: boolean;
    targetMs: number;
    predictedMs: number;
    achievedMs: number;
    baselineMs: number;
    gammaMass: number;
    bflopsRatio: number;
    paramsRatio: number;
  };
  curve: {
    targetMs: number;
    gammaMass: number;
    predictedMs: number;
    plan: { globalPercent: number; layerKeep: number; cutUnits: number };
  }[];
  iterations: {
    globalPercent: number;
    layerKeep: number;
    cutUnits: number;
    predictedMs: number;
    achievedMs: number;
    baselineMs: number;
    adjustedMs: number;
    met: boolean;
  }[];
  notes: string[];
}

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`darknet-pruner ${args.join(' ')}: ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout;
}

function model(dir: string, name: string, size?: number): { cfg: string; weights: string } {
  let text = readFileSync(join(CORPUS, 'cfg', name), 'utf8');
  if (size) text = text.replace(/^width=\d+/m, `width=${size}`).replace(/^height=\d+/m, `height=${size}`);
  const cfg = join(dir, name),
    weights = cfg.replace(/\.cfg$/, '.weights');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  writeFileSync(weights, serializeWeights(net, synthesizeWeights(net)));
  return { cfg, weights };
}

function baselineMs(cfg: string): { ms: number; load: number[] } {
  const rep = JSON.parse(cli(['bench', cfg, '--time', String(SECONDS), '--precision', 'f32', '--json'])) as BenchReport;
  return { ms: rep.models[0].latency.medianMs, load: rep.machine.loadAverage };
}

function plan(m: { cfg: string; weights: string }, ratio: number, out: string): Plan {
  cli([
    'prune',
    'plan',
    m.cfg,
    m.weights,
    '--target-ratio',
    String(ratio),
    '--precision',
    'f32',
    '--time',
    String(SECONDS),
    '-o',
    out,
    '--json',
  ]);
  return JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')) as Plan;
}

function show(label: string, p: Plan): void {
  const c = p.chosen,
    q = c.plan;
  console.log(
    `${label}: target ${c.targetMs.toFixed(1)} ms (0.5 × the run's reference baseline ${(2 * c.targetMs).toFixed(1)} ms), predicted ${c.predictedMs.toFixed(1)} ms, achieved ${c.achievedMs.toFixed(1)} ms (baseline beside it ${c.baselineMs.toFixed(1)} ms, ×${(c.achievedMs / c.baselineMs).toFixed(3)}) → ${c.met ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  plan p=${q.globalPercent} layer_keep=${q.layerKeep} cut=${q.cutUnits}; γ mass ${c.gammaMass.toFixed(3)}; BFLOPs ×${c.bflopsRatio.toFixed(3)}, params ×${c.paramsRatio.toFixed(3)}; ${p.iterations.length} plan(s) measured`,
  );
  for (const it of p.iterations)
    console.log(
      `    p=${it.globalPercent} keep=${it.layerKeep} cut=${it.cutUnits}: predicted ${it.predictedMs.toFixed(1)}, achieved ${it.achievedMs.toFixed(1)} (baseline ${it.baselineMs.toFixed(1)}, adjusted ${it.adjustedMs.toFixed(1)}) ${it.met ? 'met' : 'missed'}`,
    );
  console.log(`  model: ${p.latencyModel.description}`);
  for (const n of p.notes) console.log(`  note: ${n}`);
}

async function main(): Promise<void> {
  const probe = spawnSync(process.execPath, ['-e', "require('openvino-node').addon.getOpenvinoVersion()"], { cwd: REPO, encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log('skipped: openvino-node does not load; enable with: npm run setup:openvino');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-plan-'));
  try {
    const tiny = model(dir, 'yolov4-tiny.cfg');
    const b = baselineMs(tiny.cfg);
    console.log(`yolov4-tiny 416 baseline (bench, ${SECONDS} s): median ${b.ms.toFixed(1)} ms; load average ${b.load.join(' ')}`);
    show('half the baseline latency', plan(tiny, 0.5, join(dir, 'tiny-0.5')));

    await sweep(tiny, JSON.parse(readFileSync(join(dir, 'tiny-0.5', 'plan.json'), 'utf8')) as Plan);

    const v3 = model(dir, 'yolov3.cfg', 192);
    show('yolov3 192, half the baseline latency', plan(v3, 0.5, join(dir, 'v3-0.5')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The curve's distinct plans, measured interleaved with the baseline in one run. */
async function sweep(m: { cfg: string; weights: string }, p: Plan): Promise<void> {
  const net = analyseText(readFileSync(m.cfg, 'utf8'));
  const weights = readWeightsFile(m.weights, net);
  const seen = new Set<string>();
  const points = p.curve.filter((c) => {
    const k = JSON.stringify(c.plan);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const models = points.map((c) => ({ c, model: buildPlanModel(net, weights, c.plan) }));
  const { measured } = await measureModels(
    [
      { label: 'baseline', net, weights },
      ...models.map(({ c, model }) => ({ label: JSON.stringify(c.plan), net: model.net, weights: model.weights })),
    ],
    { runtime: 'openvino', device: 'CPU', precision: 'f32', warmup: 2, rounds: 5, seconds: SECONDS, profileIterations: 1 },
  );
  const base = measured[0].latency.medianMs;
  console.log(
    `target sweep: the final fit's curve, ${points.length} distinct plans measured interleaved (baseline ${base.toFixed(1)} ms in the same rounds):`,
  );
  const rows = points.map((c, k) => ({ c, ms: measured[k + 1].latency.medianMs })).sort((a, b) => a.c.gammaMass - b.c.gammaMass);
  for (const r of rows)
    console.log(
      `  γ mass ${r.c.gammaMass.toFixed(3)}  p=${r.c.plan.globalPercent} keep=${r.c.plan.layerKeep} cut=${r.c.plan.cutUnits}: predicted ${r.c.predictedMs.toFixed(1)} ms, measured ${r.ms.toFixed(1)} ms (×${(r.ms / base).toFixed(3)})`,
    );
  const inversions = rows.filter((r, k) => k > 0 && r.ms < rows[k - 1].ms).length;
  console.log(`  measured latency ${inversions === 0 ? 'rises monotonically' : `falls ${inversions} time(s)`} as γ mass rises`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
