// darknet-pruner prune plan: the pruning plan (global percent, layer_keep, residual units cut) that
// meets a latency target on the target runtime keeping the most BN-γ mass, measured
// (core/src/plan/latency-plan.ts; docs/pruning.md §Pruning to a latency target).

import { basename, dirname, relative, resolve } from 'node:path';
import { CliError, defineCommand, parseArgs } from '../args';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import { checkFileName, checkOutputDir } from '../outputs';
import { loadModel } from '../model-input';
import { openDataset } from '../dataset-input';
import type { LatencyPlanResult } from '../../core/src/plan/latency-plan';
import type { PlanCandidate } from '../../core/src/plan/latency-search';
import { writeOutput } from './prune';
import { warnIfNotNearZero } from '../sparsity-warning';
import { populationVerdict } from '../../core/src/prune/population-verdict';
import { percentRange } from './sweep';

export const PLAN_ARGS = defineCommand({
  command: 'prune plan',
  summary:
    'The pruning plan (global percent, layer_keep, residual units cut) that meets a latency target on the target runtime keeping the most BN-γ mass; the chosen model is measured.',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    'target-ms': {
      type: 'number',
      min: 0,
      placeholder: 'T',
      description: 'latency target: median ms per inference (batch 1, latency mode)',
    },
    'target-fps': { type: 'number', min: 0, placeholder: 'F', description: 'or a frame-rate target (= 1000/F ms)' },
    'target-ratio': {
      type: 'number',
      min: 0,
      max: 1,
      placeholder: 'R',
      description: "or a fraction of the baseline's latency as this run measures it (0.5 = twice as fast; robust to the machine's load)",
    },
    runtime: {
      type: 'enum',
      values: ['openvino', 'onnxruntime'],
      default: 'openvino',
      description: 'where the latency is measured (OpenVINO: per-layer profiling counters; onnxruntime: whole-model latencies only)',
    },
    device: {
      type: 'enum',
      values: ['CPU', 'GPU', 'NPU', 'AUTO'],
      default: 'CPU',
      normalize: (t) => t.toUpperCase(),
      description: 'OpenVINO device',
    },
    precision: { type: 'enum', values: ['f32', 'bf16', 'fp16'], description: "OpenVINO inference precision (default: the device's)" },
    'layer-keep': {
      type: 'number',
      min: 0,
      max: 1,
      placeholder: 'K',
      description: 'search this layer_keep only (default: 0.01, 0.1, 0.25, 0.5)',
    },
    percents: {
      type: 'string',
      placeholder: 'start:end:step',
      default: '0:0.99:0.01',
      description: 'global percents searched, end included',
    },
    'max-cut': { type: 'int', min: 0, placeholder: 'N', description: 'cut at most N residual units (default: every removable one)' },
    'max-iterations': {
      type: 'int',
      min: 1,
      max: 20,
      placeholder: 'N',
      default: 3,
      description: 'plans built and measured at most (each miss refits the model)',
    },
    time: { type: 'number', min: 0.1, placeholder: 'S', default: 3, description: 'seconds per model per measurement' },
    iterations: { type: 'int', min: 1, placeholder: 'N', description: 'or inferences per model per measurement' },
    warmup: { type: 'int', min: 0, placeholder: 'N', default: 3, description: 'warm-up inferences per model' },
    rounds: { type: 'int', min: 1, placeholder: 'N', default: 5, description: 'interleaved rounds per measurement' },
    'profile-iterations': { type: 'int', min: 1, placeholder: 'N', default: 10, description: 'profiled inferences per model (OpenVINO)' },
    data: {
      type: 'path',
      placeholder: '<file.data>',
      description: "pick among the best feasible plans by mAP@0.5 on this dataset's valid= list",
    },
    limit: { type: 'int', min: 1, placeholder: 'N', description: 'with --data: the first N images only' },
    candidates: {
      type: 'int',
      min: 1,
      max: 20,
      placeholder: 'N',
      default: 3,
      description: 'with --data: how many of the best feasible plans are evaluated',
    },
    o: {
      type: 'path',
      aliases: ['output'],
      placeholder: '<dir>',
      required: true,
      description: 'the folder to write (<name>.cfg, <name>.weights, prune-report.json, plan.json)',
    },
    name: { type: 'string', placeholder: 'NAME', description: "file name stem (default: the cfg's, with -pruned)" },
    force: { type: 'boolean', description: 'replace an existing output folder' },
  },
  notes: ['Give exactly one of --target-ms, --target-fps and --target-ratio.'],
});

const pad = (s: string, n: number) => s.padStart(n);
const fmtPlan = (p: { globalPercent: number; layerKeep: number; cutUnits: number }) =>
  `p=${p.globalPercent} keep=${p.layerKeep} cut=${p.cutUnits}`;

function table(r: LatencyPlanResult, targetMs: number, files: string[]): string[] {
  const lines = [...files];
  lines.push(`latency model: ${r.latencyModel.description}`);
  lines.push(
    `baseline: ${r.baseline.measuredMs.toFixed(2)} ms, ${r.baseline.bflops.toFixed(3)} BFLOPs, ${r.baseline.params.toLocaleString('en-US')} params; target ${targetMs.toFixed(2)} ms`,
  );
  lines.push(
    `${'plan'.padEnd(28)} ${pad('γ mass', 7)} ${pad('predicted', 10)} ${pad('achieved', 9)} ${pad('baseline', 9)} ${pad('adjusted', 9)}  met  ${pad('BFLOPs×', 7)} ${pad('params×', 7)}`,
  );
  for (const it of r.iterations) {
    lines.push(
      `${fmtPlan(it).padEnd(28)} ${pad(it.gammaMass.toFixed(3), 7)} ${pad(it.predictedMs.toFixed(2), 10)} ${pad(it.achievedMs.toFixed(2), 9)} ${pad(it.baselineMs.toFixed(2), 9)} ${pad(it.adjustedMs.toFixed(2), 9)}  ${it.met ? 'yes' : 'no '}  ${pad((it.bflops / r.baseline.bflops).toFixed(3), 7)} ${pad((it.params / r.baseline.params).toFixed(3), 7)}${it === r.chosen ? '  ← written' : ''}`,
    );
  }
  const c = r.chosen;
  lines.push(
    'achieved: measured interleaved with the baseline (its median in those rounds: baseline); adjusted: achieved / baseline × the median of every baseline measurement (what the fit uses and met compares)',
  );
  lines.push(
    `${c.met ? 'met' : 'MISSED'}: target ${targetMs.toFixed(2)} ms, predicted ${c.predictedMs.toFixed(2)} ms, achieved ${c.achievedMs.toFixed(2)} ms (${(c.achievedMs / c.baselineMs).toFixed(3)}× the baseline measured beside it)${c.map50 !== undefined ? `, mAP@0.5 ${c.map50.toFixed(4)}` : ''}`,
  );
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines;
}

export async function runPlan(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, PLAN_ARGS);
  const [cfg, weights] = args.positionals;
  const v = args.values;
  const given = (['target-ms', 'target-fps', 'target-ratio'] as const).filter((k) => v[k] !== undefined);
  if (given.length !== 1)
    throw new CliError(
      `give exactly one of --target-ms T, --target-fps F and --target-ratio R\nusage: darknet-pruner prune plan <cfg> <weights> --target-ms T | --target-fps F | --target-ratio R -o <dir>`,
    );
  const targetRatio = v['target-ratio'];
  const targetMs = targetRatio !== undefined ? undefined : (v['target-ms'] ?? 1000 / v['target-fps']!);
  if (targetRatio !== undefined ? !(targetRatio > 0) : !(targetMs! > 0) || !Number.isFinite(targetMs))
    throw new CliError(`--${given[0]} must be positive, got ${v[given[0]]}`);
  if (v.runtime === 'onnxruntime' && (v.device !== 'CPU' || v.precision !== undefined))
    throw new CliError('--device and --precision are OpenVINO settings; onnxruntime runs f32 on the CPU here');
  if (args.flags.has('time') && v.iterations !== undefined) throw new CliError('give --time or --iterations, not both');
  if ((v.limit !== undefined || args.flags.has('candidates')) && !v.data)
    throw new CliError('--limit and --candidates apply with --data only');
  const percents = percentRange(v.percents);
  const out = v.o;
  checkOutputDir(out, { inputs: [cfg, weights, ...(v.data ? [v.data] : [])], force: v.force, flag: '-o' });
  const name = checkFileName(
    v.name ??
      `${basename(cfg)
        .replace(/\.cfg$/i, '')
        .replace(/-pruned$/, '')}-pruned`,
    '--name',
  );
  const rep = makeReporter(v['json-events']);
  await requireRuntime(v.runtime);

  rep.progress(`reading ${cfg} and ${weights}`, 0);
  const input = loadModel(cfg, weights);
  const { planForLatency, PLAN_FILE, PLAN_VERSION } = await import('../../core/src/plan/latency-plan');
  const { DEFAULT_LAYER_KEEPS } = await import('../../core/src/plan/latency-search');
  const measure = {
    runtime: v.runtime,
    device: v.device,
    precision: v.precision,
    warmup: v.warmup,
    rounds: v.rounds,
    ...(v.iterations !== undefined ? { iterations: v.iterations } : { seconds: v.time }),
    profileIterations: v['profile-iterations'],
  };
  const choose = v.data
    ? await mapChooser(input.net, input.weights, cfg, v.data, v.runtime, v.limit, v.candidates, ctx, rep.progress)
    : undefined;
  // requireRuntime above has loaded the runtime: it cannot turn out missing during the search
  const result: LatencyPlanResult = await planForLatency(input.net, input.weights, {
    targetMs,
    targetRatio,
    maxMeasurements: v['max-iterations'],
    measure,
    choose,
    space: {
      percents,
      layerKeeps: v['layer-keep'] !== undefined ? [v['layer-keep']] : DEFAULT_LAYER_KEEPS,
      maxCut: v['max-cut'] ?? Number.MAX_SAFE_INTEGER,
    },
    progress: (message, fraction) => rep.progress(message, fraction),
    measured: (it, k) => {
      if (!rep.events) return;
      rep.emit({ type: 'metric', name: 'predicted_ms', value: it.predictedMs, step: k });
      rep.emit({ type: 'metric', name: 'achieved_ms', value: it.achievedMs, step: k });
      rep.emit({ type: 'metric', name: 'gamma_mass', value: it.gammaMass, step: k });
    },
  });
  const r = result;
  const c = r.chosen;
  const plan = {
    tool: 'darknet-pruner',
    planVersion: PLAN_VERSION,
    createdAt: new Date().toISOString(),
    // relative to the output folder, as in prune-report.json
    source: { cfg: relative(resolve(out), resolve(cfg)), weights: relative(resolve(out), resolve(weights)) },
    runtime: v.runtime,
    device: v.device,
    settings: r.settings,
    target: {
      ms: r.targetMs,
      ...(v['target-fps'] !== undefined ? { fps: v['target-fps'] } : {}),
      ...(targetRatio !== undefined ? { ratio: targetRatio, of: 'the median of every baseline measurement of this run' } : {}),
    },
    measurement: { ...measure, statistic: 'median latency of one synchronous request (batch 1), interleaved with the baseline' },
    latencyModel: r.latencyModel,
    baseline: r.baseline,
    chosen: {
      plan: { globalPercent: c.globalPercent, layerKeep: c.layerKeep, cutUnits: c.cutUnits, method: 'slim' },
      met: c.met,
      targetMs: r.targetMs,
      predictedMs: c.predictedMs,
      achievedMs: c.achievedMs,
      achievedFps: 1000 / c.achievedMs,
      baselineMs: c.baselineMs,
      speedup: c.baselineMs / c.achievedMs,
      gammaMass: c.gammaMass,
      bflops: c.bflops,
      params: c.params,
      bflopsRatio: c.bflops / r.baseline.bflops,
      paramsRatio: c.params / r.baseline.params,
      ...(c.map50 !== undefined ? { map50: c.map50 } : {}),
    },
    iterations: r.iterations,
    curve: r.curve,
    ...(r.evaluated ? { evaluated: r.evaluated } : {}),
    notes: r.notes,
  };
  const planText = JSON.stringify(plan, null, 2) + '\n';
  warnIfNotNearZero(rep, populationVerdict(input.net, input.weights, 'slim', c.globalPercent));
  const { report, files } = writeOutput(out, name, input, r.model, r.model.stages, r.model.kind, rep, [
    { name: PLAN_FILE, data: planText },
  ]);
  rep.emit({ type: 'artifact', kind: 'report', path: files[3] });
  const data = { out: dirname(files[0]), files, report, plan };
  if (rep.events) rep.emit({ type: 'result', command: 'prune plan', data });
  else if (v.json) ctx.out(JSON.stringify(data));
  else ctx.out(table(r, r.targetMs, files).join('\n'));
  return 0;
}

async function requireRuntime(runtime: 'openvino' | 'onnxruntime'): Promise<void> {
  try {
    if (runtime === 'openvino') (await import('../../core/src/openvino/api')).loadOpenvino();
    else (await import('../../core/src/export/ort')).loadOrt();
  } catch (e) {
    const why = String((e as Error).message).split('\n')[0];
    throw new CliError(
      `--runtime ${runtime} cannot be used here: ${why}${runtime === 'openvino' ? ' (OpenVINO is set up by npm run setup:openvino; without it, measure with --runtime onnxruntime)' : ''}`,
      1,
    );
  }
}

/** With --data: the best `k` feasible plans (by γ mass) are evaluated and the best mAP@0.5 wins. */
async function mapChooser(
  net: import('../../core/src/cfg/network').Network,
  weights: import('../../core/src/weights/read').DarknetWeights,
  cfg: string,
  dataPath: string,
  runtime: 'openvino' | 'onnxruntime',
  limit: number | undefined,
  k: number,
  ctx: CommandContext,
  progress: (m: string, f?: number) => void,
) {
  const { list, classes } = openDataset(dataPath, net, cfg, ctx);
  const { evaluate } = await import('../../core/src/eval/evaluate');
  const { openvinoSource, onnxSource } = await import('../../core/src/eval/sources');
  const { buildPlanModel } = await import('../../core/src/plan/latency-measure');
  const cache = new Map<string, number>();
  return async (ranked: PlanCandidate[]) => {
    const evaluated: { plan: { globalPercent: number; layerKeep: number; cutUnits: number }; gammaMass: number; map50: number }[] = [];
    let best: { plan: PlanCandidate; map50: number } | undefined;
    for (const [i, c] of ranked.slice(0, k).entries()) {
      const key = fmtPlan(c);
      let map50 = cache.get(key);
      if (map50 === undefined) {
        progress(`evaluating ${key} (${i + 1}/${Math.min(k, ranked.length)})`);
        const m = buildPlanModel(net, weights, c);
        const source = runtime === 'openvino' ? await openvinoSource(m.net, m.weights) : await onnxSource(m.net, m.weights);
        try {
          map50 = (await evaluate(m.net, source, list, classes, { conf: 0.001, nmsIou: 0.5, nms: 'merge', limit })).map50;
        } finally {
          await source.dispose();
        }
        cache.set(key, map50);
      }
      evaluated.push({
        plan: { globalPercent: c.globalPercent, layerKeep: c.layerKeep, cutUnits: c.cutUnits },
        gammaMass: c.gammaMass,
        map50,
      });
      if (!best || map50 > best.map50) best = { plan: c, map50 };
    }
    return { ...best!, evaluated };
  };
}
