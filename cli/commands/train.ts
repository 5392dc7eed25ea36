// darknet-pruner train: darknet's training (yolo loss, SGD/Adam, lr policy, batch/subdivisions) in
// TensorFlow.js, with L1 sparsity on the prunable γ (--sparsity) and fine-tuning of a pruned model
// (--finetune). Every epoch: P/R/mAP@0.5 on valid, the γ histogram, a checkpoint; --resume continues
// a run exactly. See docs/training.md.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { PRUNE_METHODS, type PruneMethod } from '../../core/src/prune/plan';
import { serializeWeights } from '../../core/src/weights/write';
import { CliError, defineCommand, missingFlag, parseArgs, requirePositionals, type ParsedArgs } from '../args';
import { makeReporter } from '../events';
import { cleanStaleTemps, keepOutput, writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { loadTrainInputs, openTrainLists } from '../train-inputs';
import { checkOutputDir } from '../outputs';
import { withContext } from '../error-context';
import { runFile, RUN_FILES } from '../../core/src/train/run-dir';
import type { TrainJobResult } from '../../core/src/protocol/train';
import {
  AUTO_START,
  nextSparsity,
  startAutoSparsity,
  type AutoSparsityDecision,
  type AutoSparsityState,
} from '../../core/src/train/sparsity-auto';
import { runDarknetEngine, type DarknetEngineOptions } from './train-darknet';

export const SPEC = defineCommand({
  command: 'train',
  summary:
    "Train a detector as darknet does (yolo loss, SGD or Adam, the cfg's lr policy, batch/subdivisions), with L1 sparsity on the prunable γ, fine-tuning of a pruned model, a checkpoint every epoch and --resume.",
  positionals: [{ name: '<cfg>', description: 'the darknet .cfg (not with --finetune or --resume)', optional: true }],
  checkPositionals: false,
  forms: [
    'darknet-pruner train --finetune <pruned-dir> --data <file.data> -o <run-dir> [--warmup-epochs N] [...]',
    'darknet-pruner train --resume <run-dir> [--epochs N] [--iterations N] [--json-events]',
    'darknet-pruner train (<cfg> | --finetune <pruned-dir>) --engine darknet [--darknet PATH] [--gpus 0,1] [--no-weights] --data <file.data> -o <run-dir>',
  ],
  notes: [
    "--engine darknet runs `darknet detector train` (a child process) on a copy of the cfg in the run folder: --iterations/--epochs set its max_batches (else the cfg's), --batch, --subdivisions, --lr, --adam, --warmup-epochs (burn_in) its [net]; every weights file darknet saves is measured on valid (docs/training.md).",
  ],
  flags: {
    data: {
      type: 'path',
      placeholder: '<file.data>',
      description: 'the dataset (train= and valid= lists) [required, except with --resume]',
    },
    o: {
      type: 'path',
      aliases: ['output'],
      placeholder: '<run-dir>',
      description: 'the new run folder (weights, metrics, checkpoint) [required, except with --resume]',
    },
    weights: { type: 'path', placeholder: 'W', description: "start from these .weights (default: darknet's random init)" },
    epochs: { type: 'int', min: 1, placeholder: 'N', description: 'epochs to train (default 1, or as many as --iterations needs)' },
    iterations: { type: 'int', min: 1, placeholder: 'N', description: 'stop at this iteration' },
    batch: { type: 'int', min: 1, placeholder: 'B', description: "images per step instead of the cfg's batch (subdivisions then 1)" },
    subdivisions: { type: 'int', min: 1, placeholder: 'S', description: "instead of the cfg's subdivisions" },
    lr: { type: 'number', min: 0, placeholder: 'X', description: "learning rate instead of the cfg's" },
    adam: { type: 'boolean', description: 'Adam instead of SGD' },
    seed: { type: 'int', min: 0, max: 0xffffffff, default: 1, description: 'seed of initialisation, shuffling and augmentation' },
    backend: {
      type: 'enum',
      values: ['tensorflow', 'wasm'],
      refusals: { cpu: 'the pure-JS cpu backend cannot train: see darknet-pruner env' },
      description: 'TF.js backend (default: the best that can train here)',
    },
    'no-augment': { type: 'boolean', description: "images resized only, without the cfg's augmentation" },
    sparsity: {
      type: 'string',
      placeholder: 'S|auto',
      description:
        'L1 sparsity on the prunable γ (sparsity training before pruning); auto: from 0.001, adjusted every epoch from mAP and γ compression',
    },
    'prune-mode': { type: 'enum', values: PRUNE_METHODS, default: 'slim', description: 'with --sparsity: the γ set it acts on' },
    finetune: { type: 'path', placeholder: '<pruned-dir>', description: 'fine-tune a folder written by prune (its cfg and weights)' },
    'warmup-epochs': { type: 'int', min: 0, placeholder: 'N', description: 'learning-rate warm-up (default 6 with --finetune, else 0)' },
    resume: { type: 'path', placeholder: '<run-dir>', description: 'continue a run from its checkpoint' },
    engine: {
      type: 'enum',
      values: ['tfjs', 'darknet'],
      default: 'tfjs',
      description: 'who trains: TensorFlow.js here, or darknet itself',
    },
    darknet: { type: 'path', placeholder: 'PATH', description: 'with --engine darknet: the darknet executable (default: darknet on PATH)' },
    gpus: {
      type: 'string',
      placeholder: '0,1',
      description:
        "with --engine darknet: darknet's -gpus (a CPU build such as Debian's has no GPUs: it multiplies batch and rate by their count)",
    },
    'no-weights': {
      type: 'boolean',
      description: "with --engine darknet: start from darknet's random init (with --finetune: only the pruned cfg)",
    },
  },
});
export const SPECS = [SPEC];

/** --sparsity: a number ≥ 0, or auto (docs/training.md §Sparsity auto). */
function parseSparsity(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s < 0) throw new CliError(`--sparsity: expected a number ≥ 0 or auto, got "${text}"`);
  return s;
}

/** Everything a run needs, stored in its checkpoint so --resume continues with the same settings. */
interface RunOptions {
  argv: string[];
  cfg: string;
  weights?: string;
  data: string;
  epochs: number;
  iterations?: number;
  batch?: number;
  subdivisions?: number;
  lr?: number;
  adam: boolean;
  seed: number;
  backend?: 'tensorflow' | 'wasm';
  /** A fixed s, or auto (core/src/train/sparsity-auto.ts). */
  sparsity?: number | 'auto';
  pruneMode: PruneMethod;
  finetune?: string;
  warmupEpochs: number;
  /** Augment as the cfg asks (core/src/data's loader); false: images resized only. */
  augment: boolean;
}

interface RunExtra {
  options: RunOptions;
  metrics: string[];
  gamma: string[];
  bestMap: number | null;
  /** --sparsity auto: the s in force and what it is judged against (absent in older checkpoints). */
  autoSparsity?: AutoSparsityState;
  /** Losses of the steps taken in the epoch in progress (its mean goes to metrics.jsonl); the parts are absent in older checkpoints. */
  epochLoss: { sum: number; count: number; box?: number; obj?: number; cls?: number };
}

function parseOptions(
  argv: string[],
  args: ParsedArgs<typeof SPEC.flags>,
): {
  opts?: RunOptions;
  resume?: string;
  out?: string;
  overrides: { epochs?: number; iterations?: number };
  events: boolean;
} {
  const v = args.values;
  const events = v['json-events'];
  const { epochs, iterations, resume } = v;
  if (resume) {
    const extra = [...args.flags.keys()].filter((k) => !['resume', 'epochs', 'iterations', 'json-events', 'json'].includes(k));
    if (extra.length || args.positionals.length)
      throw new CliError(
        `--resume takes its settings from the run; only --epochs and --iterations may change (got ${[...extra.map((k) => `--${k}`), ...args.positionals].join(' ')})`,
      );
    return { resume, overrides: { epochs, iterations }, events };
  }
  const finetune = v.finetune;
  const [cfgPositional] = finetune ? args.positionals : requirePositionals(args, ['<cfg>'], SPEC);
  if (finetune && args.positionals.length) throw new CliError(`--finetune ${finetune} brings its own cfg; drop ${args.positionals[0]}`);
  if (finetune && args.flags.has('weights')) throw new CliError(`--finetune ${finetune} brings its own weights; drop --weights`);
  const { data, o: out, backend, 'prune-mode': pruneMode, sparsity } = v;
  if (!data) throw missingFlag(SPEC, 'data');
  if (!out) throw missingFlag(SPEC, 'o');
  if (args.flags.has('prune-mode') && sparsity === undefined)
    throw new CliError('--prune-mode chooses the γ set of --sparsity; give --sparsity S too');
  return {
    out,
    overrides: {},
    events,
    opts: {
      argv,
      cfg: finetune ?? cfgPositional,
      weights: v.weights,
      // --iterations alone: as many epochs as those iterations need (set once the steps per epoch are known).
      data,
      epochs: epochs ?? (iterations ? 0 : 1),
      iterations,
      batch: v.batch,
      subdivisions: v.subdivisions,
      lr: v.lr,
      adam: v.adam,
      seed: v.seed,
      backend,
      sparsity: sparsity === undefined ? undefined : parseSparsity(sparsity),
      pruneMode,
      finetune,
      warmupEpochs: v['warmup-epochs'] ?? (finetune ? 6 : 0),
      augment: !v['no-augment'],
    },
  };
}

/** --engine darknet's options; the TF.js engine's own flags are refused with the reason. */
function darknetEngineOptions(argv: string[], args: ParsedArgs<typeof SPEC.flags>): DarknetEngineOptions {
  const v = args.values;
  const tfjsOnly = ['resume', 'sparsity', 'prune-mode', 'backend', 'no-augment', 'seed'].filter((k) => args.flags.has(k));
  if (tfjsOnly.length)
    throw new CliError(
      `--engine darknet trains with darknet's own settings; ${tfjsOnly.map((k) => `--${k}`).join(', ')} belong to --engine tfjs`,
    );
  const finetune = v.finetune;
  const [cfg] = finetune ? args.positionals : requirePositionals(args, ['<cfg>'], SPEC);
  if (finetune && args.positionals.length) throw new CliError(`--finetune ${finetune} brings its own cfg; drop ${args.positionals[0]}`);
  if (v['no-weights'] && v.weights) throw new CliError("--no-weights starts from darknet's random init; drop --weights");
  if (v.gpus !== undefined && !/^\d+(,\d+)*$/.test(v.gpus)) throw new CliError(`--gpus ${v.gpus}: expected GPU indices such as 0 or 0,1`);
  if (!v.data) throw missingFlag(SPEC, 'data');
  if (!v.o) throw missingFlag(SPEC, 'o');
  return {
    argv,
    cfg,
    weights: v.weights,
    finetune,
    noWeights: v['no-weights'],
    data: v.data,
    out: v.o,
    epochs: v.epochs,
    iterations: v.iterations,
    batch: v.batch,
    subdivisions: v.subdivisions,
    lr: v.lr,
    adam: v.adam,
    warmupEpochs: v['warmup-epochs'],
    darknet: v.darknet,
    gpus: v.gpus,
    json: v.json,
  };
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (args.values.engine === 'darknet')
    return runDarknetEngine(darknetEngineOptions(argv, args), makeReporter(args.values['json-events']), ctx);
  const darknetOnly = ['darknet', 'gpus', 'no-weights'].filter((k) => args.flags.has(k));
  if (darknetOnly.length) throw new CliError(`${darknetOnly.map((k) => `--${k}`).join(', ')}: only with --engine darknet`);
  const parsed = parseOptions(argv, args);
  const reporter = makeReporter(parsed.events);
  const { decodeCheckpoint, encodeCheckpoint, optimizerStateOf, restoreModel } = await import('../../core/src/train/checkpoint');
  let opts: RunOptions, runDir: string;
  let resumed: ReturnType<typeof decodeCheckpoint<RunExtra>> | undefined;
  if (parsed.resume) {
    runDir = parsed.resume;
    cleanStaleTemps(runDir); // left by a run killed with SIGKILL
    const ckPath = runFile(runDir, 'checkpoint');
    if (!existsSync(ckPath))
      throw new CliError(
        `--resume ${runDir}: no ${RUN_FILES.checkpoint} (not a training run, or it stopped before its first checkpoint)`,
        1,
      );
    resumed = decodeCheckpoint<RunExtra>(readFileSync(ckPath), ckPath);
    opts = { ...resumed.header.extra.options };
    if (parsed.overrides.epochs !== undefined) opts.epochs = parsed.overrides.epochs;
    // --iterations is where this invocation stops, not a setting of the run.
    opts.iterations = parsed.overrides.iterations;
  } else {
    opts = parsed.opts!;
    runDir = parsed.out!;
  }

  const start = loadTrainInputs({ cfg: opts.cfg, weights: opts.weights, finetune: opts.finetune });
  const { net, weights } = start;
  const lists = openTrainLists(opts.data, start);
  const { classes } = lists;
  if (!resumed)
    checkOutputDir(runDir, { inputs: [...start.inputs, opts.data, lists.train.listPath, lists.valid.listPath], force: false, flag: '-o' });

  const { trainSettings } = await import('../../core/src/train/lr-policy');
  const settings = withContext(opts.cfg, () => trainSettings(net));
  if (opts.batch !== undefined) settings.batch = opts.batch;
  if (opts.subdivisions !== undefined) settings.subdivisions = opts.subdivisions;
  if (opts.batch !== undefined && opts.subdivisions === undefined) settings.subdivisions = 1;
  if (settings.batch % settings.subdivisions)
    throw new CliError(`batch ${settings.batch} is not a multiple of subdivisions ${settings.subdivisions}`);
  if (opts.lr !== undefined) settings.learningRate = opts.lr;
  if (opts.adam) settings.adam = true;

  const { selectBackend, describeChoice } = await import('../../core/src/nn/backend');
  const choice = await selectBackend({ purpose: 'train', prefer: opts.backend });
  const { buildNetwork } = await import('../../core/src/nn/model');
  const { Trainer } = await import('../../core/src/train/trainer');
  const { stepsPerEpoch } = await import('../../core/src/train/batches');
  const { augmentedSource, plainSource } = await import('../../core/src/train/step-source');
  const { epochRecord, measureEpoch } = await import('../../core/src/train/epoch-record');

  const structure = analyseChannelStructure(net);
  const gammaSet = opts.pruneMode === 'regular' ? structure.prunableNoShortcut : structure.prunable;
  const model = buildNetwork(net, weights, { darknetBackward: true });
  const images = lists.train.images.length;
  const perEpoch = stepsPerEpoch(images, settings.batch);
  if (opts.epochs === 0) opts.epochs = Math.ceil(opts.iterations! / perEpoch);
  let trainer;
  try {
    trainer = withContext(
      opts.cfg,
      () =>
        new Trainer(model, net, {
          settings,
          sparsity: opts.sparsity
            ? { s: opts.sparsity === 'auto' ? (resumed?.header.extra.autoSparsity?.s ?? AUTO_START) : opts.sparsity, layers: gammaSet }
            : undefined,
          warmup: opts.warmupEpochs ? { steps: opts.warmupEpochs * perEpoch, stepsPerEpoch: perEpoch } : undefined,
        }),
    );
  } catch (e) {
    model.dispose();
    throw e;
  }
  // Everything checked: the run directory (its files stay after a cancel, for --resume).
  if (!resumed) mkdirSync(runDir, { recursive: true });
  for (const k of Object.keys(RUN_FILES) as (keyof typeof RUN_FILES)[]) keepOutput(resolve(runFile(runDir, k)));
  const extra: RunExtra = resumed
    ? resumed.header.extra
    : { options: opts, metrics: [], gamma: [], bestMap: null, epochLoss: { sum: 0, count: 0 } };
  extra.options = opts;
  let epoch = 0,
    stepInEpoch = 0;
  if (resumed) {
    const ck = runFile(runDir, 'checkpoint');
    try {
      restoreModel(model, resumed, ck);
      trainer.optimizer.restore(optimizerStateOf(model, resumed));
    } catch (e) {
      throw new CliError((e as Error).message, 1);
    }
    ({ epoch, stepInEpoch } = resumed.header.position);
    trainer.iteration = resumed.header.position.iteration;
    trainer.seen = resumed.header.position.seen;
  } else {
    writeFileAtomic(
      runFile(runDir, 'command'),
      JSON.stringify({ argv: ['darknet-pruner', 'train', ...opts.argv], options: opts }, null, 2) + '\n',
    );
  }
  if (!reporter.events)
    ctx.err(
      `train: ${images} images${opts.augment ? ' (augmented)' : ''}, batch ${settings.batch}/${settings.subdivisions}, ${perEpoch} steps per epoch, tfjs ${describeChoice(choice)}`,
    );

  const weightsBytes = () => {
    const w = model.toDarknetWeights();
    return serializeWeights(net, w, { major: 0, minor: 2, revision: 5, seen: BigInt(trainer.seen) });
  };
  const checkpoint = () => {
    writeFileAtomic(runFile(runDir, 'last'), weightsBytes());
    writeFileAtomic(
      runFile(runDir, 'checkpoint'),
      encodeCheckpoint(
        model,
        trainer.optimizer.state(),
        { epoch, stepInEpoch, iteration: trainer.iteration, seen: trainer.seen },
        opts.seed,
        extra,
      ),
    );
  };

  let lastLoss = NaN;
  const t0 = performance.now();
  let imagesThisRun = 0;
  let steps: Awaited<ReturnType<typeof augmentedSource>> | undefined;
  try {
    // --sparsity auto: the starting weights measured once, the reference of its choices
    if (opts.sparsity === 'auto' && !extra.autoSparsity) {
      const m0 = await measureEpoch(net, model, lists.valid, classes ?? 1, gammaSet);
      const d = startAutoSparsity(m0.v.map50, m0.hist.below001);
      extra.autoSparsity = d.state;
      reporter.emit({ type: 'metric', name: 'sparsity', value: d.state.s, step: trainer.iteration });
      reporter.note('info', `sparsity auto: ${d.reason}`);
    }
    steps = opts.augment
      ? await augmentedSource(opts.data, net, settings.batch, opts.seed, trainer.iteration)
      : plainSource(lists.train, classes ?? 1, net, settings.batch, opts.seed, perEpoch, trainer.iteration);
    outer: while (epoch < opts.epochs) {
      while (stepInEpoch < perEpoch) {
        if (opts.iterations !== undefined && trainer.iteration >= opts.iterations) break outer;
        const r = trainer.step(await steps.next());
        stepInEpoch++;
        imagesThisRun += settings.batch;
        lastLoss = r.loss;
        extra.epochLoss.sum += r.loss;
        extra.epochLoss.count++;
        const el = extra.epochLoss;
        el.box = (el.box ?? 0) + r.parts.box;
        el.obj = (el.obj ?? 0) + r.parts.obj;
        el.cls = (el.cls ?? 0) + r.parts.cls;
        reporter.emit({ type: 'metric', name: 'loss', value: r.loss, step: r.iteration });
        for (const part of ['box', 'obj', 'cls'] as const)
          reporter.emit({ type: 'metric', name: `loss_${part}`, value: r.parts[part], step: r.iteration });
        reporter.emit({ type: 'metric', name: 'lr', value: r.lr, step: r.iteration });
        if (!reporter.events) ctx.err(`${r.iteration}: loss ${r.loss.toFixed(6)}, rate ${r.lr.toPrecision(6)}`);
      }
      // End of an epoch: measure, then commit.
      const { v, hist } = await measureEpoch(net, model, lists.valid, classes ?? 1, gammaSet);
      const trainedWith = trainer.opts.sparsity?.s;
      let auto: AutoSparsityDecision | undefined;
      if (opts.sparsity === 'auto') {
        auto = nextSparsity(extra.autoSparsity!, v.map50, hist.below001);
        extra.autoSparsity = auto.state;
        trainer.opts.sparsity!.s = auto.state.s;
      }
      const el = extra.epochLoss;
      const meanLoss = el.count ? el.sum / el.count : lastLoss;
      const meanPart = (v: number | undefined) => (el.count && v !== undefined ? v / el.count : null);
      extra.epochLoss = { sum: 0, count: 0 };
      const record = epochRecord({
        epoch: epoch + 1,
        iteration: trainer.iteration,
        loss: meanLoss,
        lossParts: { lossBox: meanPart(el.box), lossObj: meanPart(el.obj), lossCls: meanPart(el.cls) },
        lr: trainer.rate(),
        v,
        hist,
        gammaSet,
        moreMetrics: auto ? [{ name: 'sparsity', value: auto.state.s }] : [],
        moreFields: {
          ...(trainedWith !== undefined ? { sparsity: trainedWith } : {}),
          ...(auto ? { sparsityNext: auto.state.s, sparsityReason: auto.reason } : {}),
        },
      });
      for (const e of record.events) reporter.emit(e);
      if (auto) reporter.note('info', `sparsity auto, epoch ${epoch + 1}: ${auto.reason}`);
      extra.metrics.push(record.metrics);
      extra.gamma.push(record.gamma);
      const best = extra.bestMap === null || v.map50 >= extra.bestMap;
      if (best) extra.bestMap = v.map50;
      epoch++;
      stepInEpoch = 0;
      writeFileAtomic(runFile(runDir, 'metrics'), extra.metrics.join('\n') + '\n');
      writeFileAtomic(runFile(runDir, 'gamma'), extra.gamma.join('\n') + '\n');
      if (best) writeFileAtomic(runFile(runDir, 'best'), weightsBytes());
      checkpoint();
      if (!reporter.events)
        ctx.err(
          `epoch ${epoch}: loss ${meanLoss.toFixed(4)}  P ${v.precision.toFixed(3)}  R ${v.recall.toFixed(3)}  mAP@0.5 ${v.map50.toFixed(3)}  |γ|<0.01 ${(100 * hist.below001).toFixed(1)}%`,
        );
    }
    // Stopped by --iterations inside an epoch: a checkpoint of the position reached.
    if (stepInEpoch > 0) checkpoint();
  } finally {
    await steps?.close();
    trainer.dispose();
    model.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    runDir,
    iteration: trainer.iteration,
    epoch,
    seen: trainer.seen,
    loss: lastLoss,
    bestMap50: extra.bestMap,
    imagesPerSecond: seconds > 0 ? imagesThisRun / seconds : 0,
    backend: choice.name,
    files: Object.values(RUN_FILES).filter((f) => existsSync(resolve(runDir, f))),
  } satisfies TrainJobResult;
  for (const f of result.files)
    reporter.emit({
      type: 'artifact',
      kind: f.endsWith('.weights') ? 'weights' : f.endsWith('.dpck') ? 'checkpoint' : 'report',
      path: resolve(runDir, f),
    });
  if (reporter.events) reporter.emit({ type: 'result', command: 'train', data: result });
  else if (args.values.json) ctx.out(JSON.stringify(result));
  else
    ctx.out(
      `${runDir}: ${trainer.iteration} iterations, ${epoch} epochs, loss ${lastLoss.toFixed(6)}, best mAP@0.5 ${extra.bestMap?.toFixed(3) ?? '-'} (${result.imagesPerSecond.toFixed(1)} images/s)`,
    );
  return 0;
}
