import { basename, dirname, relative, resolve } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { headerBytes } from '../../core/src/weights/format';
import { serializeWeights } from '../../core/src/weights/write';
import { pruneChannels, type PrunedModel } from '../../core/src/prune/channel';
import { pruneLayers } from '../../core/src/prune/layer';
import { PRUNE_METHODS, type PruneMethod } from '../../core/src/prune/plan';
import { channelStageReport, figures, layerStageReport, PRUNE_REPORT_FILE, PRUNE_REPORT_VERSION, serializePruneReport, type PruneReport, type StageReport } from '../../core/src/prune/report';
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag, type ArgSpec, type ParsedArgs } from '../args';
import { makeReporter, type Reporter } from '../events';
import type { CommandContext } from '../main';
import type { PruneJobResult } from '../../core/src/protocol/jobs';
import { writeModelDir } from '../model-dir';
import { checkFileName, checkOutputDir } from '../outputs';
import { isDirectory, loadModel, loadModelDir, sha256, type ModelInput } from '../model-input';

const CHANNEL_USAGE = 'darknet-pruner prune channel <cfg> <weights> --global-percent P [--layer-keep K] [--method slim|shortcut|regular] [--then-shortcuts N] -o <dir> [--name NAME] [--force] [--json|--json-events]';
const LAYER_USAGE = 'darknet-pruner prune layer (<cfg> <weights> | <pruned-dir>) --shortcuts N -o <dir> [--name NAME] [--force] [--json|--json-events]';
export const USAGE = `${CHANNEL_USAGE}\n  ${LAYER_USAGE}`;
/** The options of each subcommand (exported for the test of the extension's argument builders). */
export const CHANNEL_ARGS: ArgSpec = { values: ['global-percent', 'layer-keep', 'method', 'o', 'output', 'then-shortcuts', 'name'], booleans: ['force'], aliases: { output: 'o', p: 'global-percent' } };
export const LAYER_ARGS: ArgSpec = { values: ['shortcuts', 'o', 'output', 'name'], booleans: ['force'], aliases: { output: 'o' } };

const percentFlag = (args: ParsedArgs, name: string, required: boolean, max1Inclusive: boolean): number | undefined => {
  const v = numberFlag(args, name, { min: 0, max: 1 });
  if (v === undefined && required) throw new CliError(`missing --${name} (a fraction in [0, 1), e.g. 0.8)`);
  if (v !== undefined && !max1Inclusive && v >= 1) throw new CliError(`--${name} must be < 1 (the threshold index int(N·p) must fall inside the γ list), got ${v}`);
  return v;
};

function wrap<T>(f: () => T): T {
  return f();
}

const defaultName = (cfgPath: string) => {
  const base = basename(cfgPath).replace(/\.cfg$/i, '');
  return base.endsWith('-pruned') ? base : `${base}-pruned`;
};

function writeOutput(out: string, name: string, input: ModelInput, model: PrunedModel, stages: StageReport[], kind: PruneReport['kind'], rep: Reporter): { report: PruneReport; files: string[] } {
  const weightsBytes = serializeWeights(model.net, model.weights, model.weights.header);
  const before = input.net.totals, after = model.net.totals;
  const last = stages[stages.length - 1];
  const report: PruneReport = {
    tool: 'darknet-pruner', reportVersion: PRUNE_REPORT_VERSION, kind, createdAt: new Date().toISOString(),
    // Paths relative to the output folder (like `output`), so the folder can move with its original.
    source: { cfg: relative(resolve(out), resolve(input.cfgPath)), cfgSha256: input.cfgSha256, weights: relative(resolve(out), resolve(input.weightsPath)), weightsSha256: input.weightsSha256 },
    ...(input.report !== undefined ? { provenance: input.report } : {}),
    output: { cfg: `${name}.cfg`, weights: `${name}.weights`, cfgSha256: sha256(model.cfgText), weightsSha256: sha256(weightsBytes) },
    stages,
    ...(last.stage === 'layer' ? { removed: last.removed, prunedToOriginal: last.prunedToOriginal } : { layers: last.layers }),
    totals: {
      before: figures(before, headerBytes(input.weights.header) + 4 * before.weightFloats),
      after: figures(after, weightsBytes.byteLength),
    },
  };
  rep.progress(`writing ${out}`, 0.9);
  const files = writeModelDir(out, [
    { name: `${name}.cfg`, data: model.cfgText },
    { name: `${name}.weights`, data: weightsBytes },
    { name: PRUNE_REPORT_FILE, data: serializePruneReport(report) },
  ], () => {
    // what is about to be renamed into place must be what we meant to write
    const again = analyseText(model.cfgText);
    if (again.diagnostics.some((d) => d.severity === 'error') || headerBytes(model.weights.header) + 4 * again.totals.weightFloats !== weightsBytes.byteLength) {
      throw new CliError('internal: the pruned cfg and weights do not match; nothing written', 70);
    }
  });
  rep.emit({ type: 'artifact', kind: 'cfg', path: files[0] });
  rep.emit({ type: 'artifact', kind: 'weights', path: files[1] });
  rep.emit({ type: 'artifact', kind: 'report', path: files[2] });
  return { report, files };
}

function summary(ctx: CommandContext, report: PruneReport, files: string[], before: Network, after: Network) {
  const b = report.totals.before, a = report.totals.after;
  const pct = (x: number, y: number) => (y ? `${(100 * (1 - x / y)).toFixed(1)}% less` : '');
  ctx.out(`${files[0]}\n${files[1]}\n${files[2]}`);
  for (const s of report.stages) {
    if (s.stage === 'channel') {
      const changed = s.layers.filter((l) => l.filtersAfter !== l.filtersBefore).length;
      ctx.out(`channel (${s.method}, p=${s.parameters.globalPercent}${s.parameters.layerKeep !== null ? `, layer keep ${s.parameters.layerKeep}` : ''}): threshold ${s.threshold} (index ${s.thresholdIndex} of ${s.population.gammas} γ over ${s.population.layers} layers); ${changed} convs narrowed; ${s.excluded.length} BN convs excluded; ${s.emptied.length} layers emptied by the threshold, ${s.floored.length} floored`);
    } else {
      ctx.out(`layer: removed ${s.removedUnits.length} residual unit(s) (${s.removed.length} layers: ${s.layersBefore} → ${s.layersAfter}); ${s.remapped.length} reference(s) rewritten; ${s.rejected.length} shortcut(s) not removable`);
    }
    for (const w of s.warnings) ctx.err(`warning: ${w}`);
  }
  ctx.out(`params ${b.params.toLocaleString('en-US')} → ${a.params.toLocaleString('en-US')} (${pct(a.params, b.params)}); weights ${b.weightsBytes.toLocaleString('en-US')} → ${a.weightsBytes.toLocaleString('en-US')} bytes; BFLOPs ${b.bflops.toFixed(3)} → ${a.bflops.toFixed(3)} (${pct(a.bflops, b.bflops)}); layers ${before.layers.length} → ${after.layers.length}`);
}

function finish(ctx: CommandContext, args: ParsedArgs, rep: Reporter, command: string, report: PruneReport, files: string[], before: Network, after: Network): number {
  const data = { out: dirname(files[0]), files, report } satisfies PruneJobResult;
  if (rep.events) rep.emit({ type: 'result', command, data });
  else if (args.flags.has('json')) ctx.out(JSON.stringify(data));
  else summary(ctx, report, files, before, after);
  return 0;
}

function runChannel(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, CHANNEL_ARGS);
  const [cfg, weights] = requirePositionals(args, ['<cfg>', '<weights>'], CHANNEL_USAGE);
  const globalPercent = percentFlag(args, 'global-percent', true, false)!;
  const method = (stringFlag(args, 'method') ?? 'slim') as PruneMethod;
  if (!PRUNE_METHODS.includes(method)) throw new CliError(`--method must be slim, shortcut or regular, got "${method}"`);
  const layerKeep = percentFlag(args, 'layer-keep', false, true);
  if (layerKeep !== undefined && method !== 'slim') throw new CliError('--layer-keep applies to --method slim only');
  const thenShortcuts = numberFlag(args, 'then-shortcuts', { integer: true, min: 0 });
  const out = stringFlag(args, 'o');
  if (!out) throw new CliError(`missing -o <dir>\nusage: ${CHANNEL_USAGE}`);
  checkOutputDir(out, { inputs: [cfg, weights], force: args.flags.has('force'), flag: '-o' });
  const name = checkFileName(stringFlag(args, 'name') ?? defaultName(cfg), '--name');
  const rep = makeReporter(args.flags.has('json-events'));
  rep.progress(`reading ${cfg} and ${weights}`, 0);
  const input = loadModel(cfg, weights);
  rep.progress(`planning ${method} channel pruning at ${globalPercent}`, 0.3);
  const ch = wrap(() => pruneChannels(input.net, input.weights, { globalPercent, layerKeep, method }));
  const stages: StageReport[] = [channelStageReport(ch)];
  let model: PrunedModel = ch;
  if (thenShortcuts !== undefined) {
    rep.progress(`removing ${thenShortcuts} residual unit(s)`, 0.6);
    const lp = wrap(() => pruneLayers(ch.net, ch.weights, thenShortcuts));
    stages.push(layerStageReport(lp, ch.net));
    model = lp;
  }
  const { report, files } = writeOutput(out, name, input, model, stages, thenShortcuts !== undefined ? 'channel+layer' : 'channel', rep);
  return finish(ctx, args, rep, 'prune channel', report, files, input.net, model.net);
}

function runLayer(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, LAYER_ARGS);
  const dirInput = args.positionals.length === 1 && isDirectory(args.positionals[0]);
  const inputs = dirInput ? requirePositionals(args, ['<pruned-dir>'], LAYER_USAGE) : requirePositionals(args, ['<cfg>', '<weights>'], LAYER_USAGE);
  const shortcuts = numberFlag(args, 'shortcuts', { integer: true, min: 0 });
  if (shortcuts === undefined) throw new CliError(`missing --shortcuts N (the number of residual units to remove)\nusage: ${LAYER_USAGE}`);
  const out = stringFlag(args, 'o');
  if (!out) throw new CliError(`missing -o <dir>\nusage: ${LAYER_USAGE}`);
  checkOutputDir(out, { inputs, force: args.flags.has('force'), flag: '-o' });
  const nameFlag = stringFlag(args, 'name');
  if (nameFlag !== undefined) checkFileName(nameFlag, '--name');
  const rep = makeReporter(args.flags.has('json-events'));
  rep.progress(`reading ${inputs.join(' and ')}`, 0);
  const input = dirInput ? loadModelDir(inputs[0]) : loadModel(inputs[0], inputs[1]);
  rep.progress(`removing ${shortcuts} residual unit(s)`, 0.4);
  const lp = wrap(() => pruneLayers(input.net, input.weights, shortcuts));
  const name = nameFlag ?? defaultName(input.cfgPath);
  const { report, files } = writeOutput(out, name, input, lp, [layerStageReport(lp, input.net)], 'layer', rep);
  return finish(ctx, args, rep, 'prune layer', report, files, input.net, lp.net);
}

export function run(argv: string[], ctx: CommandContext): number {
  const [sub, ...rest] = argv;
  if (sub === 'channel') return runChannel(rest, ctx);
  if (sub === 'layer') return runLayer(rest, ctx);
  throw new CliError(`unknown prune subcommand "${sub ?? ''}" (channel or layer)\nusage: ${USAGE}`);
}

