// darknet-pruner bench: inference speed of one or more models on OpenVINO, onnxruntime-node or TF.js,
// measured interleaved (core/src/bench), optionally next to OpenVINO's own benchmark_app.

import { readFileSync } from 'node:fs';
import { CliError, defineCommand, parseArgs } from '../args';
import { BENCH_RUNTIME_NAMES, EVAL_RUNTIMES } from '../../core/src/eval/runtimes';
import type { CommandContext } from '../main';
import type { BenchmarkAppResult } from '../../core/src/bench/benchmark-app';
import type { BenchRunner } from '../../core/src/bench/runners';
import type { BenchReport } from '../../core/src/bench/report';
import type { BenchJobResult } from '../../core/src/protocol/jobs';
import { makeReporter, type Reporter } from '../events';
import { trackTemp, untrackTemp } from '../../core/src/io/atomic';
import { MISH_FLAG, parseSize } from './export-openvino';

/** Every device and precision some runtime of the table offers (createRunner refuses what the chosen one lacks). */
const DEVICES = [...new Set(EVAL_RUNTIMES.flatMap((r) => r.bench.devices))];
const PRECISIONS = [...new Set(EVAL_RUNTIMES.flatMap((r) => r.bench.precisions))];

/** The options bench parses (the extension's benchArgs are checked against it). */
export const BENCH_ARGS = defineCommand({
  command: 'bench',
  summary:
    "Inference speed of one or more models, measured interleaved: latency percentiles, FPS, ratios; optionally next to OpenVINO's benchmark_app.",
  positionals: [
    {
      name: '<model>',
      variadic: true,
      description: 'a .cfg (its .weights next as an argument, else NAME.weights beside it), a pruned-model folder, an .onnx, or an IR .xml',
    },
  ],
  flags: {
    runtime: { type: 'enum', values: BENCH_RUNTIME_NAMES, default: 'openvino', description: 'what runs the models' },
    device: {
      type: 'enum',
      values: DEVICES,
      default: 'CPU',
      normalize: (t) => t.toUpperCase(),
      description: 'OpenVINO device (the others run on the CPU)',
    },
    hint: {
      type: 'enum',
      values: ['latency', 'throughput'],
      default: 'latency',
      description: "one request at a time, or OpenVINO's throughput mode (parallel requests)",
    },
    time: { type: 'number', min: 0.1, placeholder: 'S', description: 'seconds per model (default 10; not with --iterations)' },
    iterations: { type: 'int', min: 1, placeholder: 'N', description: 'inferences per model instead of --time' },
    warmup: { type: 'int', min: 0, default: 3, description: 'inferences before measuring' },
    rounds: { type: 'int', min: 1, placeholder: 'N', description: 'slices the models take turns in (default 10; 3 with --reference)' },
    precision: { type: 'enum', values: PRECISIONS, description: "OpenVINO inference precision (default: the device's)" },
    'input-size': { type: 'string', placeholder: 'WxH', description: "network input size instead of the model's" },
    mish: MISH_FLAG,
    mosaic: { type: 'boolean', description: 'each cfg at twice its size: four frames per inference' },
    reference: { type: 'enum', values: ['benchmark_app'], description: "measure with OpenVINO's benchmark_app too, alternating with ours" },
    profile: {
      type: 'boolean',
      description: "after the measurement, per-layer times of each cfg from OpenVINO's profiling counters (a separate compiled model)",
    },
  },
});
export const SPECS = [BENCH_ARGS];

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, BENCH_ARGS);
  const { mosaic, runtime, device, hint, precision, time: seconds, iterations: iterationsFlag, warmup, reference, mish } = args.values;
  if (seconds !== undefined && iterationsFlag !== undefined) throw new CliError('give --time or --iterations, not both');
  if (reference && runtime !== 'openvino') throw new CliError('--reference benchmark_app compares against --runtime openvino');
  if (args.values.profile && runtime !== 'openvino')
    throw new CliError("--profile reads OpenVINO's profiling counters: give --runtime openvino");
  const size = parseSize(args.values['input-size']);
  const limits = { iterations: iterationsFlag, seconds: iterationsFlag === undefined ? (seconds ?? 10) : undefined, warmup, rounds: 0 };
  // With benchmark_app alternating, fewer and longer rounds (it reads and compiles the model each run).
  const defaultRounds = reference ? 3 : 10;
  // A throughput slice needs several iterations per request to keep them all busy.
  const perRound = hint === 'throughput' ? 8 : 1;
  limits.rounds =
    args.values.rounds ??
    (limits.iterations !== undefined ? Math.max(1, Math.min(defaultRounds, Math.floor(limits.iterations / perRound))) : defaultRounds);
  const reporter = makeReporter(args.values['json-events']);

  const { resolveModels } = await import('../../core/src/bench/models');
  const { createRunner } = await import('../../core/src/bench/runners');
  const { measureInterleaved } = await import('../../core/src/bench/interleave');
  const { buildReport, formatReport } = await import('../../core/src/bench/report');
  const { machineInfo } = await import('../../core/src/bench/machine');
  const specs = resolveModels(args.positionals, size);
  const opts = { runtime, device, hint, precision, size, mish };
  const runners: BenchRunner[] = [];
  try {
    for (const spec of specs) {
      // --mosaic: each cfg at twice its (or --input-size's) width and height: four frames per inference.
      let o = opts;
      if (mosaic) {
        if (spec.kind !== 'darknet')
          throw new CliError(`${spec.file}: --mosaic builds the 2×-size network from a cfg; give the .cfg and .weights`);
        const { analyseText } = await import('../../core/src/cfg/analyse');
        const base = analyseText(readFileSync(spec.cfg!, 'utf8'), size).net;
        o = { ...opts, size: { width: 2 * base.width, height: 2 * base.height } };
        const twice = analyseText(readFileSync(spec.cfg!, 'utf8'), o.size).totals;
        spec.bflops = twice.bflops;
      }
      try {
        runners.push(await createRunner(spec, o));
      } catch (e) {
        throw new CliError(`${spec.cfg ?? spec.file}: ${firstLine(e)}`, 1);
      }
    }
    let openvino;
    if (runtime === 'openvino') {
      const { loadOpenvino } = await import('../../core/src/openvino/api');
      const { ov, build } = loadOpenvino();
      openvino = { version: ov.getOpenvinoVersion().buildNumber, addon: build };
    }
    // --reference: benchmark_app takes its turn after each of our rounds, on the same model and
    // settings, so that both see the same load (bench/benchmark-app.ts combineRuns).
    const refRuns: (BenchmarkAppResult[] | { error: string })[] = runners.map(() => []);
    const afterRound = async (k: number, n: number) => {
      reporter.progress(`bench: round ${k}/${n}`, k / n);
      if (!reference) return;
      const { runBenchmarkApp } = await import('../../core/src/bench/benchmark-app');
      for (const [i, r] of runners.entries()) {
        const acc = refRuns[i];
        if (!Array.isArray(acc)) continue;
        try {
          acc.push(
            await runBenchmarkApp(r.onnx ?? r.spec.file!, {
              device,
              hint,
              precision,
              inputName: r.inputName,
              inputShape: r.inputShape,
              iterations: limits.iterations !== undefined ? Math.max(1, Math.round(limits.iterations / n)) : undefined,
              seconds: limits.seconds !== undefined ? Math.max(1, limits.seconds / n) : undefined,
              temp: { track: trackTemp, untrack: untrackTemp },
            }),
          );
        } catch (e) {
          refRuns[i] = { error: firstLine(e) };
        }
      }
    };
    const measured = await measureInterleaved(runners, limits, afterRound);
    const report = buildReport(opts, measured, machineInfo(), {
      warmup,
      rounds: limits.rounds,
      openvino,
      framesPerInference: mosaic ? 4 : 1,
    });
    if (reference) {
      const { combineRuns } = await import('../../core/src/bench/benchmark-app');
      report.models.forEach((m, i) => {
        const acc = refRuns[i];
        m.reference = Array.isArray(acc) ? combineRuns(acc) : acc;
      });
    }
    if (args.values.profile) await profileLayers(runners, report, { device, precision, warmup }, reporter);
    if (reporter.events) reporter.emit({ type: 'result', command: 'bench', data: report satisfies BenchJobResult });
    else ctx.out(args.values.json ? JSON.stringify(report) : formatReport(report));
  } finally {
    for (const r of runners) await r.dispose();
  }
  return 0;
}

/**
 * --profile: each darknet model's per-layer times (median of 10 profiled inferences) from
 * OpenVINO's profiling counters, on a model compiled apart with PERF_COUNT, after the timed rounds
 * (the counters cost the measurement nothing). ONNX and IR files are not profiled (no layer map).
 */
async function profileLayers(
  runners: BenchRunner[],
  report: BenchReport,
  o: { device: string; precision?: 'f32' | 'bf16' | 'fp16'; warmup: number },
  reporter: Reporter,
): Promise<void> {
  const { analyseText } = await import('../../core/src/cfg/analyse');
  const { readWeightsFile } = await import('../../core/src/weights/read');
  const { profileOpenvino, ProfilingUnavailableError } = await import('../../core/src/plan/latency-measure');
  for (const [i, r] of runners.entries()) {
    const spec = r.spec;
    if (spec.kind !== 'darknet') continue;
    reporter.progress(`bench: profiling ${spec.label}`);
    const net = analyseText(readFileSync(spec.cfg!, 'utf8'), { width: r.inputShape[3], height: r.inputShape[2] });
    try {
      const p = await profileOpenvino(net, readWeightsFile(spec.weights!, net), {
        runtime: 'openvino',
        device: o.device,
        precision: o.precision,
        warmup: o.warmup,
        rounds: 1,
        profileIterations: 10,
      });
      report.models[i].layerMs = Array.from(p.layerMs, (ms, layer) => ({ layer, type: net.layers[layer].type, ms })).filter(
        (l) => l.ms > 0,
      );
    } catch (e) {
      if (!(e instanceof ProfilingUnavailableError)) throw e;
      reporter.progress(`bench: no profiling counters: ${e.message}`);
      return;
    }
  }
}
