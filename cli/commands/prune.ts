import { basename, dirname, relative, resolve } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { headerBytes } from '../../core/src/weights/format';
import { serializeWeights } from '../../core/src/weights/write';
import { pruneChannels, type PrunedModel } from '../../core/src/prune/channel';
import { pruneLayers } from '../../core/src/prune/layer';
import { PRUNE_METHODS } from '../../core/src/prune/plan';
import {
  channelStageReport,
  figures,
  layerStageReport,
  PRUNE_REPORT_FILE,
  PRUNE_REPORT_VERSION,
  serializePruneReport,
  type PruneReport,
  type StageReport,
} from '../../core/src/prune/report';
import { CliError, defineCommand, parseArgs, requirePositionals, synopsis } from '../args';
import { makeReporter, type Reporter } from '../events';
import type { CommandContext } from '../main';
import type { PruneJobResult } from '../../core/src/protocol/jobs';
import { writeModelDir } from '../model-dir';
import { checkFileName, checkOutputDir } from '../outputs';
import { isDirectory, loadModel, loadModelDir, sha256, type ModelInput } from '../model-input';
import { PLAN_ARGS, runPlan } from './prune-plan';
import { populationVerdict } from '../../core/src/prune/population-verdict';
import { warnIfNotNearZero } from '../sparsity-warning';

const OUTPUT_FLAGS = {
  o: {
    type: 'path',
    aliases: ['output'],
    placeholder: '<dir>',
    required: true,
    description: 'the folder to write (<name>.cfg, <name>.weights, prune-report.json)',
  },
  name: { type: 'string', placeholder: 'NAME', description: "file name stem (default: the cfg's, with -pruned)" },
  force: { type: 'boolean', description: 'replace an existing output folder' },
} as const;

/** The options of each subcommand (the extension's argument builders are tested against them). */
export const CHANNEL_ARGS = defineCommand({
  command: 'prune channel',
  summary: 'Channel pruning at a global BN-γ percent (slim, shortcut or regular), optionally followed by layer pruning.',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    'global-percent': {
      type: 'number',
      min: 0,
      max: 1,
      aliases: ['p'],
      placeholder: 'P',
      required: true,
      description: 'fraction of the γ population to prune, in [0, 1) (0.8 = 80%)',
    },
    'layer-keep': {
      type: 'number',
      min: 0,
      max: 1,
      placeholder: 'K',
      description: 'slim only: each layer keeps at least this fraction of its channels (default 0.01)',
    },
    method: { type: 'enum', values: PRUNE_METHODS, default: 'slim', description: 'which convs are pruned and how the threshold is set' },
    'then-shortcuts': { type: 'int', min: 0, placeholder: 'N', description: 'then remove N residual units (layer pruning)' },
    ...OUTPUT_FLAGS,
  },
});
export const LAYER_ARGS = defineCommand({
  command: 'prune layer',
  summary: 'Layer pruning: remove whole residual units (shortcut blocks) of least γ.',
  positionals: [
    { name: '(<cfg> <weights> | <pruned-dir>)', description: 'the model: a cfg and its weights, or a folder written by prune' },
  ],
  checkPositionals: false,
  flags: {
    shortcuts: { type: 'int', min: 0, placeholder: 'N', required: true, description: 'the number of residual units to remove' },
    ...OUTPUT_FLAGS,
  },
});
export const SPECS = [CHANNEL_ARGS, LAYER_ARGS, PLAN_ARGS];

function wrap<T>(f: () => T): T {
  return f();
}

const defaultName = (cfgPath: string) => {
  const base = basename(cfgPath).replace(/\.cfg$/i, '');
  return base.endsWith('-pruned') ? base : `${base}-pruned`;
};

/** The pruned model's folder; `extra` files (prune plan's plan.json) are written with it, atomically. */
export function writeOutput(
  out: string,
  name: string,
  input: ModelInput,
  model: PrunedModel,
  stages: StageReport[],
  kind: PruneReport['kind'],
  rep: Reporter,
  extra: { name: string; data: string }[] = [],
): { report: PruneReport; files: string[] } {
  const weightsBytes = serializeWeights(model.net, model.weights, model.weights.header);
  const before = input.net.totals,
    after = model.net.totals;
  const last = stages[stages.length - 1];
  const report: PruneReport = {
    tool: 'darknet-pruner',
    reportVersion: PRUNE_REPORT_VERSION,
    kind,
    createdAt: new Date().toISOString(),
    // Paths relative to the output folder (like `output`), so the folder can move with its original.
    source: {
      cfg: relative(resolve(out), resolve(input.cfgPath)),
      cfgSha256: input.cfgSha256,
      weights: relative(resolve(out), resolve(input.weightsPath)),
      weightsSha256: input.weightsSha256,
    },
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
  const files = writeModelDir(
    out,
    [
      { name: `${name}.cfg`, data: model.cfgText },
      { name: `${name}.weights`, data: weightsBytes },
      { name: PRUNE_REPORT_FILE, data: serializePruneReport(report) },
      ...extra,
    ],
    () => {
      // what is about to be renamed into place must be what we meant to write
      const again = analyseText(model.cfgText);
      if (
        again.diagnostics.some((d) => d.severity === 'error') ||
        headerBytes(model.weights.header) + 4 * again.totals.weightFloats !== weightsBytes.byteLength
      ) {
        throw new CliError('internal: the pruned cfg and weights do not match; nothing written', 70);
      }
    },
  );
  rep.emit({ type: 'artifact', kind: 'cfg', path: files[0] });
  rep.emit({ type: 'artifact', kind: 'weights', path: files[1] });
  rep.emit({ type: 'artifact', kind: 'report', path: files[2] });
  return { report, files };
}

function summary(ctx: CommandContext, report: PruneReport, files: string[], before: Network, after: Network) {
  const b = report.totals.before,
    a = report.totals.after;
  const pct = (x: number, y: number) => (y ? `${(100 * (1 - x / y)).toFixed(1)}% less` : '');
  ctx.out(`${files[0]}\n${files[1]}\n${files[2]}`);
  for (const s of report.stages) {
    if (s.stage === 'channel') {
      const changed = s.layers.filter((l) => l.filtersAfter !== l.filtersBefore).length;
      ctx.out(
        `channel (${s.method}, p=${s.parameters.globalPercent}${s.parameters.layerKeep !== null ? `, layer keep ${s.parameters.layerKeep}` : ''}): threshold ${s.threshold} (index ${s.thresholdIndex} of ${s.population.gammas} γ over ${s.population.layers} layers); ${changed} convs narrowed; ${s.excluded.length} BN convs excluded; ${s.emptied.length} layers emptied by the threshold, ${s.floored.length} floored`,
      );
    } else {
      ctx.out(
        `layer: removed ${s.removedUnits.length} residual unit(s) (${s.removed.length} layers: ${s.layersBefore} → ${s.layersAfter}); ${s.remapped.length} reference(s) rewritten; ${s.rejected.length} shortcut(s) not removable`,
      );
    }
    for (const w of s.warnings) ctx.err(`warning: ${w}`);
  }
  ctx.out(
    `params ${b.params.toLocaleString('en-US')} → ${a.params.toLocaleString('en-US')} (${pct(a.params, b.params)}); weights ${b.weightsBytes.toLocaleString('en-US')} → ${a.weightsBytes.toLocaleString('en-US')} bytes; BFLOPs ${b.bflops.toFixed(3)} → ${a.bflops.toFixed(3)} (${pct(a.bflops, b.bflops)}); layers ${before.layers.length} → ${after.layers.length}`,
  );
}

function finish(
  ctx: CommandContext,
  json: boolean,
  rep: Reporter,
  command: string,
  report: PruneReport,
  files: string[],
  before: Network,
  after: Network,
): number {
  const data = { out: dirname(files[0]), files, report } satisfies PruneJobResult;
  if (rep.events) rep.emit({ type: 'result', command, data });
  else if (json) ctx.out(JSON.stringify(data));
  else summary(ctx, report, files, before, after);
  return 0;
}

function runChannel(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, CHANNEL_ARGS);
  const [cfg, weights] = args.positionals;
  const { 'global-percent': globalPercent, method, 'layer-keep': layerKeep, 'then-shortcuts': thenShortcuts, o: out } = args.values;
  if (globalPercent >= 1)
    throw new CliError(`--global-percent must be < 1 (the threshold index int(N·p) must fall inside the γ list), got ${globalPercent}`);
  if (layerKeep !== undefined && method !== 'slim') throw new CliError('--layer-keep applies to --method slim only');
  checkOutputDir(out, { inputs: [cfg, weights], force: args.values.force, flag: '-o' });
  const name = checkFileName(args.values.name ?? defaultName(cfg), '--name');
  const rep = makeReporter(args.values['json-events']);
  rep.progress(`reading ${cfg} and ${weights}`, 0);
  const input = loadModel(cfg, weights);
  warnIfNotNearZero(rep, populationVerdict(input.net, input.weights, method, globalPercent));
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
  return finish(ctx, args.values.json, rep, 'prune channel', report, files, input.net, model.net);
}

function runLayer(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, LAYER_ARGS);
  const dirInput = args.positionals.length === 1 && isDirectory(args.positionals[0]);
  const inputs = dirInput
    ? requirePositionals(args, ['<pruned-dir>'], LAYER_ARGS)
    : requirePositionals(args, ['<cfg>', '<weights>'], LAYER_ARGS);
  const { shortcuts, o: out, name: nameFlag } = args.values;
  checkOutputDir(out, { inputs, force: args.values.force, flag: '-o' });
  if (nameFlag !== undefined) checkFileName(nameFlag, '--name');
  const rep = makeReporter(args.values['json-events']);
  rep.progress(`reading ${inputs.join(' and ')}`, 0);
  const input = dirInput ? loadModelDir(inputs[0]) : loadModel(inputs[0], inputs[1]);
  rep.progress(`removing ${shortcuts} residual unit(s)`, 0.4);
  const lp = wrap(() => pruneLayers(input.net, input.weights, shortcuts));
  const name = nameFlag ?? defaultName(input.cfgPath);
  const { report, files } = writeOutput(out, name, input, lp, [layerStageReport(lp, input.net)], 'layer', rep);
  return finish(ctx, args.values.json, rep, 'prune layer', report, files, input.net, lp.net);
}

export function run(argv: string[], ctx: CommandContext): number | Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'channel') return runChannel(rest, ctx);
  if (sub === 'layer') return runLayer(rest, ctx);
  if (sub === 'plan') return runPlan(rest, ctx);
  throw new CliError(`unknown prune subcommand "${sub ?? ''}" (channel, layer or plan)\nusage: ${SPECS.map(synopsis).join('\n       ')}`);
}
