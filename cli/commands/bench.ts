// darknet-pruner bench: inference speed of one or more models on OpenVINO, onnxruntime-node or TF.js,
// measured interleaved (core/src/bench), optionally next to OpenVINO's own benchmark_app.

import { readFileSync } from 'node:fs';
import { CliError, numberFlag, parseArgs, stringFlag } from '../args';
import type { CommandContext } from '../main';
import type { BenchmarkAppResult } from '../../core/src/bench/benchmark-app';
import type { BenchRunner } from '../../core/src/bench/runners';
import type { BenchJobResult } from '../../core/src/protocol/jobs';
import { makeReporter } from '../events';
import { trackTemp, untrackTemp } from '../../core/src/io/atomic';
import { parseSize } from './export-openvino';

export const USAGE = 'darknet-pruner bench <model…> [--runtime openvino|onnxruntime|tfjs] [--device CPU|GPU|NPU|AUTO] [--hint latency|throughput] [--time S | --iterations N] [--warmup N] [--rounds N] [--precision f32|bf16|fp16] [--input-size WxH] [--mish op|softplus|exp] [--mosaic] [--reference benchmark_app] [--json]\n  model: a .cfg (its .weights next as an argument, else NAME.weights beside it), a pruned-model folder, an .onnx, or an IR .xml';

const oneOf = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[], dflt: T): T => {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${flag} must be ${allowed.join(', ')}, got "${v}"`);
  return v as T;
};

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['runtime', 'device', 'hint', 'time', 'iterations', 'warmup', 'rounds', 'precision', 'input-size', 'reference', 'mish'], booleans: ['mosaic'] });
  const mosaic = args.flags.has('mosaic');
  if (args.positionals.length === 0) throw new CliError(`missing <model>\nusage: ${USAGE}`);
  const runtime = oneOf('runtime', stringFlag(args, 'runtime'), ['openvino', 'onnxruntime', 'tfjs'] as const, 'openvino');
  const device = oneOf('device', stringFlag(args, 'device')?.toUpperCase(), ['CPU', 'GPU', 'NPU', 'AUTO'] as const, 'CPU');
  const hint = oneOf('hint', stringFlag(args, 'hint'), ['latency', 'throughput'] as const, 'latency');
  const precisionFlag = stringFlag(args, 'precision');
  const precision = precisionFlag === undefined ? undefined : oneOf('precision', precisionFlag, ['f32', 'bf16', 'fp16'] as const, 'f32');
  const seconds = numberFlag(args, 'time', { min: 0.1 });
  const iterationsFlag = numberFlag(args, 'iterations', { integer: true, min: 1 });
  if (seconds !== undefined && iterationsFlag !== undefined) throw new CliError('give --time or --iterations, not both');
  const warmup = numberFlag(args, 'warmup', { integer: true, min: 0 }) ?? 3;
  const reference = stringFlag(args, 'reference');
  if (reference !== undefined && reference !== 'benchmark_app') throw new CliError(`--reference must be benchmark_app, got "${reference}"`);
  if (reference && runtime !== 'openvino') throw new CliError('--reference benchmark_app compares against --runtime openvino');
  const size = parseSize(stringFlag(args, 'input-size'));
  const mishFlag = stringFlag(args, 'mish');
  const mish = mishFlag === undefined ? undefined : oneOf('mish', mishFlag, ['op', 'softplus', 'exp'] as const, 'op');
  const limits = { iterations: iterationsFlag, seconds: iterationsFlag === undefined ? seconds ?? 10 : undefined, warmup, rounds: 0 };
  // With benchmark_app alternating, fewer and longer rounds (it reads and compiles the model each run).
  const defaultRounds = reference ? 3 : 10;
  // A throughput slice needs several iterations per request to keep them all busy.
  const perRound = hint === 'throughput' ? 8 : 1;
  limits.rounds = numberFlag(args, 'rounds', { integer: true, min: 1 }) ?? (limits.iterations !== undefined ? Math.max(1, Math.min(defaultRounds, Math.floor(limits.iterations / perRound))) : defaultRounds);
  const reporter = makeReporter(args.flags.has('json-events'));

  const { resolveModels, BenchModelError } = await import('../../core/src/bench/models');
  const { createRunner } = await import('../../core/src/bench/runners');
  const { measureInterleaved } = await import('../../core/src/bench/interleave');
  const { buildReport, formatReport } = await import('../../core/src/bench/report');
  const { machineInfo } = await import('../../core/src/bench/machine');
  let specs;
  try { specs = resolveModels(args.positionals, size); } catch (e) {
    if (e instanceof BenchModelError) throw new CliError(e.message);
    throw e;
  }
  const opts = { runtime, device, hint, precision, size, mish };
  const runners: BenchRunner[] = [];
  try {
    for (const spec of specs) {
      // --mosaic: each cfg at twice its (or --input-size's) width and height: four frames per inference.
      let o = opts;
      if (mosaic) {
        if (spec.kind !== 'darknet') throw new CliError(`${spec.file}: --mosaic builds the 2×-size network from a cfg; give the .cfg and .weights`);
        const { analyseText } = await import('../../core/src/cfg/analyse');
        const base = analyseText(readFileSync(spec.cfg!, 'utf8'), size).net;
        o = { ...opts, size: { width: 2 * base.width, height: 2 * base.height } };
        const twice = analyseText(readFileSync(spec.cfg!, 'utf8'), o.size).totals;
        spec.bflops = twice.bflops;
      }
      try { runners.push(await createRunner(spec, o)); } catch (e) {
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
          acc.push(await runBenchmarkApp(r.onnx ?? r.spec.file!, {
            device, hint, precision, inputName: r.inputName, inputShape: r.inputShape,
            iterations: limits.iterations !== undefined ? Math.max(1, Math.round(limits.iterations / n)) : undefined,
            seconds: limits.seconds !== undefined ? Math.max(1, limits.seconds / n) : undefined,
            temp: { track: trackTemp, untrack: untrackTemp },
          }));
        } catch (e) {
          refRuns[i] = { error: firstLine(e) };
        }
      }
    };
    const measured = await measureInterleaved(runners, limits, afterRound);
    const report = buildReport(opts, measured, machineInfo(), { warmup, rounds: limits.rounds, openvino, framesPerInference: mosaic ? 4 : 1 });
    if (reference) {
      const { combineRuns } = await import('../../core/src/bench/benchmark-app');
      report.models.forEach((m, i) => { const acc = refRuns[i]; m.reference = Array.isArray(acc) ? combineRuns(acc) : acc; });
    }
    if (reporter.events) reporter.emit({ type: 'result', command: 'bench', data: report satisfies BenchJobResult });
    else ctx.out(args.flags.has('json') ? JSON.stringify(report) : formatReport(report));
  } finally {
    for (const r of runners) await r.dispose();
  }
  return 0;
}
