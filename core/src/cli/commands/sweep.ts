import { absGammas, PruneError, PRUNE_METHODS, type PruneMethod } from '../../prune/plan';
import { parsePercentRange, sweepChannelPrune } from '../../prune/sweep';
import { analyseChannelStructure } from '../../prune/structure';
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag } from '../args';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import { loadModel } from '../model-input';

export const USAGE = 'darknet-pruner sweep <cfg> <weights> [--percents 0.5:0.95:0.01] [--method slim|shortcut|regular] [--layer-keep K] [--json|--json-events]';

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, { values: ['percents', 'method', 'layer-keep'] });
  const [cfg, weights] = requirePositionals(args, ['<cfg>', '<weights>'], USAGE);
  const method = (stringFlag(args, 'method') ?? 'slim') as PruneMethod;
  if (!PRUNE_METHODS.includes(method)) throw new CliError(`--method must be slim, shortcut or regular, got "${method}"`);
  const layerKeep = numberFlag(args, 'layer-keep', { min: 0, max: 1 });
  if (layerKeep !== undefined && method !== 'slim') throw new CliError('--layer-keep applies to --method slim only');
  let percents: number[];
  try {
    percents = parsePercentRange(stringFlag(args, 'percents') ?? '0.5:0.95:0.01');
  } catch (e) {
    throw new CliError(`--percents: ${(e as Error).message}`);
  }
  const rep = makeReporter(args.flags.has('json-events'));
  rep.progress(`reading ${cfg} and ${weights}`, 0);
  const input = loadModel(cfg, weights);
  let result;
  try {
    const structure = analyseChannelStructure(input.net);
    const gammas = absGammas(input.net, input.weights);
    result = sweepChannelPrune(input.net, gammas, percents, { method, layerKeep }, structure, (k, p) => {
      if (!rep.events) return;
      rep.progress(`p=${p.percent}`, (k + 1) / percents.length);
      rep.emit({ type: 'metric', name: 'bflops', value: p.bflops, step: p.percent });
      rep.emit({ type: 'metric', name: 'params', value: p.params, step: p.percent });
    });
  } catch (e) {
    if (e instanceof PruneError) throw new CliError(e.message, 1);
    throw e;
  }
  const data = { cfg, weights, ...result, evaluation: null as null | string };
  data.evaluation = 'not run: P, R and mAP@0.5 per point need an evaluator and a dataset';
  if (rep.events) { rep.emit({ type: 'result', command: 'sweep', data }); return 0; }
  if (args.flags.has('json')) { ctx.out(JSON.stringify(data)); return 0; }
  const b = result.before;
  ctx.out(`${cfg}: ${method}${method === 'slim' ? `, layer keep ${result.layerKeep}` : ''}; before: ${b.params.toLocaleString('en-US')} params, ${b.weightsBytes.toLocaleString('en-US')} bytes, ${b.bflops.toFixed(3)} BFLOPs`);
  ctx.out('percent  threshold      params        bytes     BFLOPs  emptied  floored');
  for (const p of result.points) {
    const mark = result.suggested?.percent === p.percent ? '  ← suggested' : '';
    ctx.out(`${p.percent.toFixed(3).padStart(7)}  ${p.threshold.toPrecision(6).padStart(9)}  ${p.params.toLocaleString('en-US').padStart(10)}  ${p.weightsBytes.toLocaleString('en-US').padStart(11)}  ${p.bflops.toFixed(3).padStart(9)}  ${String(p.emptied.length).padStart(7)}  ${String(p.floored.length).padStart(7)}${mark}`);
  }
  ctx.out(result.suggested ? `suggested: ${result.suggested.percent} (${result.rule})` : `no suggestion: the first percent already empties a layer (${result.rule})`);
  return 0;
}
