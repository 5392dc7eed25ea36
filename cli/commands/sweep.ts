import type { Network } from '../../core/src/cfg/network';
import { pruneChannels } from '../../core/src/prune/channel';
import { absGammas, PRUNE_METHODS, type PruneMethod } from '../../core/src/prune/plan';
import type { DarknetWeights } from '../../core/src/weights/read';
import { openDataset } from '../dataset-input';
import { sweepChannelPrune, type SweepPoint } from '../../core/src/prune/sweep';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { CliError, decimalPlaces, defineCommand, parseArgs, parseNumber } from '../args';
import { EVAL_RUNTIME_NAMES, evalRuntime, type EvalRuntimeName } from '../../core/src/eval/runtimes';
import { requireRuntime } from '../runtime-input';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import type { SweepJobResult } from '../../core/src/protocol/jobs';
import { loadModel } from '../model-input';
import { withContext } from '../error-context';
import { populationVerdict } from '../../core/src/prune/population-verdict';
import { warnIfNotNearZero } from '../sparsity-warning';

/** The command's options (the extension's argument builders are tested against them). */
export const SWEEP_ARGS = defineCommand({
  command: 'sweep',
  summary:
    'Params, .weights bytes and BFLOPs of channel pruning over a range of global percents, with a suggested percent; with --data, P, R and mAP@0.5 of each point.',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    percents: { type: 'string', placeholder: 'start:end:step', default: '0.5:0.95:0.01', description: 'global percents, end included' },
    method: { type: 'enum', values: PRUNE_METHODS, default: 'slim', description: 'as prune channel --method' },
    'layer-keep': { type: 'number', min: 0, max: 1, placeholder: 'K', description: 'slim only: as prune channel --layer-keep' },
    data: { type: 'path', placeholder: '<file.data>', description: "evaluate every point on this dataset's valid= list" },
    limit: { type: 'int', min: 1, placeholder: 'N', description: 'with --data: the first N images only' },
    runtime: { type: 'enum', values: EVAL_RUNTIME_NAMES, default: 'tfjs', description: 'with --data: what runs each pruned network' },
  },
});
export const SPECS = [SWEEP_ARGS];

/** "start:end:step", end included; each value the double nearest its decimal (as Python reads it). */
export function percentRange(spec: string): number[] {
  const parts = spec.split(':');
  if (parts.length !== 3) throw new CliError(`--percents "${spec}" must be start:end:step, e.g. 0.5:0.95:0.01`);
  const [start, end, step] = parts.map((p, k) => parseNumber(p, `--percents ${['start', 'end', 'step'][k]}`));
  if (step <= 0) throw new CliError(`--percents: step must be > 0, got ${step}`);
  if (start < 0 || end >= 1 || start > end) throw new CliError(`--percents must satisfy 0 ≤ start ≤ end < 1, got ${start}:${end}`);
  const n = Math.floor((end - start) / step + 1e-9);
  if (n > 10000) throw new CliError(`--percents ${spec} has ${n + 1} points; at most 10001`);
  const decimals = parts.reduce((m, part) => Math.max(m, decimalPlaces(part)), -Infinity);
  return Array.from({ length: n + 1 }, (_, k) => Number((start + k * step).toFixed(decimals)));
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SWEEP_ARGS);
  const [cfg, weights] = args.positionals;
  const { method, 'layer-keep': layerKeep, data: dataPath } = args.values;
  if (layerKeep !== undefined && method !== 'slim') throw new CliError('--layer-keep applies to --method slim only');
  const percents = percentRange(args.values.percents);
  const rep = makeReporter(args.values['json-events']);
  rep.progress(`reading ${cfg} and ${weights}`, 0);
  const input = loadModel(cfg, weights);
  const structure = analyseChannelStructure(input.net);
  const gammas = absGammas(input.net, input.weights);
  // the top percent cuts the most: one warning for the range
  warnIfNotNearZero(rep, populationVerdict(input.net, input.weights, method, percents[percents.length - 1], structure, gammas));
  const result = sweepChannelPrune(input.net, gammas, percents, { method, layerKeep }, structure, (k, p) => {
    if (!rep.events) return;
    rep.progress(`p=${p.percent}`, (k + 1) / percents.length);
    rep.emit({ type: 'metric', name: 'bflops', value: p.bflops, step: p.percent });
    rep.emit({ type: 'metric', name: 'params', value: p.params, step: p.percent });
  });
  let evaluation = 'not run: pass --data <file.data> for P, R and mAP@0.5 per point';
  if (dataPath) {
    evaluation = await evaluatePoints(
      input.net,
      input.weights,
      result.points,
      { method, layerKeep: result.layerKeep },
      {
        dataPath,
        cfg,
        ctx,
        runtime: args.values.runtime,
        limit: args.values.limit,
        progress: (k, n, p) => rep.progress(`evaluating p=${p} (${k}/${n})`, k / n),
        metric: (p) => {
          if (!rep.events) return;
          rep.emit({ type: 'metric', name: 'map50', value: p.map50!, step: p.percent });
        },
      },
    );
  }
  const data = { cfg, weights, ...result, evaluation } satisfies SweepJobResult;
  if (rep.events) {
    rep.emit({ type: 'result', command: 'sweep', data });
    return 0;
  }
  if (args.values.json) {
    ctx.out(JSON.stringify(data));
    return 0;
  }
  const b = result.before;
  ctx.out(
    `${cfg}: ${method}${method === 'slim' ? `, layer keep ${result.layerKeep}` : ''}; before: ${b.params.toLocaleString('en-US')} params, ${b.weightsBytes.toLocaleString('en-US')} bytes, ${b.bflops.toFixed(3)} BFLOPs`,
  );
  const withMap = result.points.some((p) => p.map50 !== undefined);
  ctx.out(`percent  threshold      params        bytes     BFLOPs  emptied  floored${withMap ? '      P      R  mAP@0.5' : ''}`);
  for (const p of result.points) {
    const mark = result.suggested?.percent === p.percent ? '  ← suggested' : '';
    const m = withMap
      ? `  ${p.precision!.toFixed(3).padStart(5)}  ${p.recall!.toFixed(3).padStart(5)}  ${p.map50!.toFixed(3).padStart(7)}`
      : '';
    ctx.out(
      `${p.percent.toFixed(3).padStart(7)}  ${p.threshold.toPrecision(6).padStart(9)}  ${p.params.toLocaleString('en-US').padStart(10)}  ${p.weightsBytes.toLocaleString('en-US').padStart(11)}  ${p.bflops.toFixed(3).padStart(9)}  ${String(p.emptied.length).padStart(7)}  ${String(p.floored.length).padStart(7)}${m}${mark}`,
    );
  }
  if (withMap) ctx.out(evaluation);
  ctx.out(
    result.suggested
      ? `suggested: ${result.suggested.percent} (${result.rule})`
      : `no suggestion: the first percent already empties a layer (${result.rule})`,
  );
  return 0;
}

interface EvalContext {
  dataPath: string;
  cfg: string;
  ctx: CommandContext;
  runtime: EvalRuntimeName;
  limit: number | undefined;
  progress(k: number, n: number, percent: number): void;
  metric(p: SweepPoint): void;
}

/** P, R and mAP@0.5 of the compact model at every sweep point (the reference protocol of `eval`). */
async function evaluatePoints(
  net: Network,
  weights: DarknetWeights,
  points: SweepPoint[],
  opts: { method: PruneMethod; layerKeep: number },
  e: EvalContext,
): Promise<string> {
  const { data, list, classes } = openDataset(e.dataPath, net, e.cfg, e.ctx);
  const { evaluate } = await import('../../core/src/eval/evaluate');
  const rt = await requireRuntime(evalRuntime(e.runtime));
  let runtime = '';
  for (const [k, p] of points.entries()) {
    e.progress(k, points.length, p.percent);
    const pruned = withContext(`p=${p.percent}`, () =>
      pruneChannels(net, weights, { globalPercent: p.percent, layerKeep: opts.layerKeep, method: opts.method }),
    );
    const source = await rt.source(pruned.net, pruned.weights);
    try {
      const r = await evaluate(pruned.net, source, list, classes, { conf: 0.001, nmsIou: 0.5, nms: 'merge', limit: e.limit });
      p.precision = r.precision;
      p.recall = r.recall;
      p.map50 = r.map50;
      runtime = r.runtime;
    } finally {
      await source.dispose();
    }
    e.metric(p);
  }
  return `P, R (end of the PR curve) and mAP@0.5 on ${data.valid}${e.limit ? ` (first ${e.limit} images)` : ''}, conf 0.001, MERGE NMS 0.5, ${runtime}`;
}
