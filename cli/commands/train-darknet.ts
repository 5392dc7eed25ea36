// darknet-pruner train --engine darknet: the run trained by darknet itself (`darknet detector
// train`, a child process), as the seed suggests for fine-tuning a pruned cfg. We write the cfg copy
// (with the [net] overrides), absolute image lists and a .data into the run, read darknet's log into
// the same metric events as the TF.js engine, then measure every weights file darknet saved (P, R,
// mAP@0.5 on valid, |γ| histogram) and copy the last and the best into the run.
// The run is built in a temporary folder renamed into place at the end, and darknet dies with the
// job's thread (PR_SET_PDEATHSIG), so a cancel leaves nothing. See docs/training.md §Training in darknet.

import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { PDEATHSIG_EXEC } from '../../core/src/io/pdeathsig';
import { committedOutput, replaceDir, tempPathFor, trackTemp, untrackTemp, writeFileAtomic } from '../../core/src/io/atomic';
import type { TrainJobResult } from '../../core/src/protocol/train';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { setNetOptions } from '../../core/src/cfg/edits';
import { CfgProblemWatcher, locateProblems, parseIterationLine, parseSavingLine } from '../../core/src/train/darknet-log';
import { runFile, RUN_FILES } from '../../core/src/train/run-dir';
import { readWeightsFile } from '../../core/src/weights/read';
import { CliError } from '../args';
import { withContext } from '../error-context';
import type { Reporter } from '../events';
import type { CommandContext } from '../main';
import { checkOutputDir } from '../outputs';
import { onPath } from '../runtimes/steps';
import { loadTrainInputs, openTrainLists } from '../train-inputs';

export interface DarknetEngineOptions {
  argv: string[];
  cfg?: string;
  weights?: string;
  finetune?: string;
  /** --no-weights: darknet's random init (with --finetune: only the pruned cfg). */
  noWeights: boolean;
  data: string;
  out: string;
  epochs?: number;
  iterations?: number;
  batch?: number;
  subdivisions?: number;
  lr?: number;
  adam: boolean;
  warmupEpochs?: number;
  darknet?: string;
  gpus?: string;
  /** --json: the result as one JSON line. */
  json: boolean;
}

const INSTALL =
  "install Debian's darknet (`apt-get install darknet`, or npm run setup:darknet: a 2018 CPU build for YOLOv3-family cfgs), or build AlexeyAB's or hank-ai's darknet (YOLOv4 cfgs, GPUs) and pass --darknet PATH";

function findDarknet(given: string | undefined): string {
  if (given === undefined) {
    const found = onPath('darknet');
    if (!found) throw new CliError(`--engine darknet: darknet is not on PATH; ${INSTALL}`, 1);
    return found;
  }
  const p = resolve(given);
  try {
    accessSync(p, constants.X_OK);
    if (!statSync(p).isFile()) throw new Error();
  } catch {
    throw new CliError(`--darknet ${given}: not an executable file; ${INSTALL}`, 1);
  }
  return p;
}

/** Reads a child's output stream line by line. */
function lines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.search(/[\r\n]/); nl >= 0; nl = buf.search(/[\r\n]/)) {
      each(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buf) each(buf);
  });
}

/**
 * What darknet's command line starts with: setpriv (else the python3 prctl shim) ties it to the job's
 * thread, killed when a cancel ends it (docs/reliability.md §Child processes); stdbuf keeps its lines
 * when it crashes at exit.
 */
function wrapper(): string[] {
  const stdbuf = onPath('stdbuf');
  const unbuffered = stdbuf ? [stdbuf, '-o0', '-e0'] : [];
  const setpriv = onPath('setpriv');
  if (setpriv) return [setpriv, '--pdeathsig', 'KILL', '--', ...unbuffered];
  const python = onPath('python3');
  if (!python)
    throw new CliError(
      '--engine darknet: neither setpriv nor python3 is on PATH, so a cancel could not stop darknet; install util-linux (setpriv) or python3',
      1,
    );
  // the shim execs its first argument as given: an absolute path
  return [python, '-c', PDEATHSIG_EXEC, ...unbuffered];
}

export async function runDarknetEngine(o: DarknetEngineOptions, reporter: Reporter, ctx: CommandContext): Promise<number> {
  const darknet = findDarknet(o.darknet);
  const prefix = wrapper();
  // --weights is parsed only to check that it fits the cfg: darknet reads the file itself
  const { weights: _parsed, ...start } = loadTrainInputs(o);
  const inputs = { ...start, weightsPath: o.noWeights || !start.weightsPath ? undefined : resolve(start.weightsPath) };
  const { net } = inputs;
  const { data, train, valid, classes } = openTrainLists(o.data, inputs);
  checkOutputDir(o.out, { inputs: [...inputs.inputs, o.data, train.listPath, valid.listPath], force: false, flag: '-o' });

  const { trainSettings } = await import('../../core/src/train/lr-policy');
  const settings = withContext(inputs.cfgPath, () => trainSettings(net));
  const batch = o.batch ?? settings.batch;
  const subdivisions = o.subdivisions ?? (o.batch !== undefined ? 1 : settings.subdivisions);
  if (batch % subdivisions) throw new CliError(`batch ${batch} is not a multiple of subdivisions ${subdivisions}`);
  const perEpoch = Math.ceil(train.images.length / batch);
  const maxBatches = o.iterations ?? (o.epochs !== undefined ? o.epochs * perEpoch : settings.maxBatches);
  if (maxBatches < 1) throw new CliError(`${inputs.cfgPath}: max_batches is ${maxBatches}; give --iterations N or --epochs N`, 1);
  const overrides: Record<string, string | number> = { batch, subdivisions, max_batches: maxBatches };
  if (o.lr !== undefined) overrides.learning_rate = o.lr;
  if (o.adam) overrides.adam = 1;
  if (o.warmupEpochs !== undefined) overrides.burn_in = o.warmupEpochs * perEpoch;

  // The run, built in a temporary sibling and renamed into place.
  const out = resolve(o.out);
  const tmp = tempPathFor(out);
  trackTemp(tmp);
  try {
    mkdirSync(join(tmp, 'backup'), { recursive: true });
    const base = basename(inputs.cfgPath, extname(inputs.cfgPath)) || 'model';
    const cfgName = `${base}.cfg`,
      dataName = `${base}.data`;
    writeFileAtomic(join(tmp, cfgName), setNetOptions(inputs.cfgText, overrides));
    writeFileAtomic(join(tmp, 'train.txt'), train.images.map((p) => resolve(p)).join('\n') + '\n');
    writeFileAtomic(join(tmp, 'valid.txt'), valid.images.map((p) => resolve(p)).join('\n') + '\n');
    const dataText = (dir: string) =>
      [
        `classes=${classes ?? data.classes ?? 1}`,
        `train=${join(dir, 'train.txt')}`,
        `valid=${join(dir, 'valid.txt')}`,
        ...(data.namesPath ? [`names=${resolve(data.namesPath)}`] : []),
        `backup=${join(dir, 'backup')}`,
      ].join('\n') + '\n';
    writeFileAtomic(join(tmp, dataName), dataText(tmp));

    const dnArgs = ['detector', 'train', join(tmp, dataName), join(tmp, cfgName)];
    if (inputs.weightsPath) dnArgs.push(inputs.weightsPath);
    if (o.gpus) dnArgs.push('-gpus', o.gpus);
    // the iteration counter starts at 0 whatever the weights' `seen` (darknet -clear)
    if (inputs.weightsPath) dnArgs.push('-clear');
    const shownCommand = ['darknet', ...dnArgs].map((a) => a.split(tmp).join(out));
    writeFileAtomic(
      join(tmp, RUN_FILES.command),
      JSON.stringify({ argv: ['darknet-pruner', 'train', ...o.argv], darknet: shownCommand, executable: darknet, options: o }, null, 2) +
        '\n',
    );

    if (!reporter.events)
      ctx.err(
        `train (darknet ${darknet}): ${train.images.length} images, batch ${batch}/${subdivisions}, ${perEpoch} iterations per epoch, max_batches ${maxBatches}${inputs.weightsPath ? '' : ', from darknet\u2019s random init'}`,
      );

    // darknet
    const log = createWriteStream(join(tmp, 'darknet.log'));
    const watcher = new CfgProblemWatcher();
    const losses: { iteration: number; loss: number; rate: number }[] = [];
    const saved: string[] = [];
    const tail: string[] = [];
    const t0 = performance.now();
    const cmd = [...prefix, darknet, ...dnArgs];
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      const child = spawn(cmd[0], cmd.slice(1), { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
      reporter.note('info', `darknet (pid ${child.pid}): ${shownCommand.join(' ')}`);
      let killed = false;
      const each = (line: string) => {
        log.write(line + '\n');
        if (line.trim()) tail.push(line);
        if (tail.length > 20) tail.shift();
        const it = parseIterationLine(line);
        if (it) {
          losses.push({ iteration: it.iteration, loss: it.loss, rate: it.rate });
          reporter.emit({ type: 'metric', name: 'loss', value: it.loss, step: it.iteration });
          reporter.emit({ type: 'metric', name: 'lr', value: it.rate, step: it.iteration });
          if (!reporter.events)
            ctx.err(`${it.iteration}: loss ${it.loss.toFixed(6)}, avg ${it.avgLoss.toFixed(6)}, rate ${it.rate.toPrecision(6)}`);
        }
        const s = parseSavingLine(line);
        if (s) saved.push(s);
        watcher.line(line);
        // darknet goes on training something else than the cfg: stop it once it has listed the cfg's layers
        if ((it || /^Learning Rate:/.test(line.trim())) && watcher.problems.length && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      };
      lines(child.stdout, each);
      lines(child.stderr, each);
      child.on('error', (e) => fail(new CliError(`${darknet}: ${e.message}`, 1)));
      child.on('close', (code, signal) => done({ code, signal }));
    });
    await new Promise<void>((r) => log.end(r));
    const seconds = (performance.now() - t0) / 1000;

    if (watcher.problems.length) {
      const where = locateProblems(inputs.cfgPath, inputs.cfgText, watcher.problems);
      throw new CliError(
        `${where.slice(0, 8).join('\n')}${where.length > 8 ? `\n… and ${where.length - 8} more` : ''}\n${darknet} cannot train this cfg as written (a 2018 build such as Debian's does not know YOLOv4-era layers and keys): use AlexeyAB's or hank-ai's darknet with --darknet PATH (docs/training.md)`,
        1,
      );
    }

    // The weights darknet saved: <base>_<iteration>.weights and <base>_final.weights.
    const backup = join(tmp, 'backup');
    const lastIteration = losses[losses.length - 1]?.iteration ?? maxBatches;
    const snapshots = readdirSync(backup)
      .map((f) => ({ f, m: new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d+|final)\\.weights$`).exec(f) }))
      .filter((x) => x.m)
      .map((x) => ({
        path: join(backup, x.f),
        iteration: x.m![1] === 'final' ? lastIteration : Number(x.m![1]),
        final: x.m![1] === 'final',
      }))
      .sort((a, b) => a.iteration - b.iteration || Number(a.final) - Number(b.final));
    const final = snapshots.find((s) => s.final);
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
    if (!final || (exit.code !== 0 && !saved.some((s) => s.endsWith('_final.weights'))))
      throw new CliError(`${darknet} ${how} before saving its final weights; the last lines of its log:\n${tail.slice(-12).join('\n')}`, 1);
    try {
      readWeightsFile(final.path, net);
    } catch (e) {
      throw new CliError(`${darknet} ${how}, and its final weights are not complete: ${(e as Error).message}`, 1);
    }
    if (exit.code !== 0)
      reporter.note(
        'warning',
        `darknet ${how} after saving its final weights (${basename(final.path)}, read back complete): the 2018 build can crash while stopping its loader thread after the last iteration`,
      );

    // Measure every saved weights file: the metrics line each one gets, the best one.
    const { selectBackend } = await import('../../core/src/nn/backend');
    await selectBackend({ purpose: 'infer' });
    const { buildNetwork } = await import('../../core/src/nn/model');
    const { epochRecord, measureEpoch } = await import('../../core/src/train/epoch-record');
    const gammaSet = analyseChannelStructure(net).prunable;
    const metrics: string[] = [],
      gamma: string[] = [];
    let best: { map: number; path: string } | undefined;
    let from = 0;
    const kept = snapshots.filter((s) => !s.final || !snapshots.some((x) => !x.final && x.iteration === s.iteration));
    for (const [k, s] of kept.entries()) {
      if (!reporter.events) ctx.err(`evaluating ${basename(s.path)} on ${valid.images.length} images`);
      else reporter.progress(`evaluating ${basename(s.path)}`, k / kept.length);
      const model = buildNetwork(net, readWeightsFile(s.path, net));
      try {
        const { v, hist } = await measureEpoch(net, model, valid, classes ?? 1, gammaSet);
        const span = losses.filter((l) => l.iteration > from && l.iteration <= s.iteration);
        // no iteration since the previous file: the last printed values (the dashboard wants numbers)
        const upTo = losses.filter((l) => l.iteration <= s.iteration);
        const loss = span.length ? span.reduce((a, l) => a + l.loss, 0) / span.length : (upTo[upTo.length - 1]?.loss ?? null);
        from = s.iteration;
        const record = epochRecord({
          epoch: Math.round((s.iteration / perEpoch) * 1000) / 1000,
          iteration: s.iteration,
          weights: `backup/${basename(s.path)}`,
          loss,
          lr: upTo[upTo.length - 1]?.rate ?? null,
          v,
          hist,
          gammaSet,
        });
        for (const e of record.events) reporter.emit(e);
        metrics.push(record.metrics);
        gamma.push(record.gamma);
        if (!best || v.map50 >= best.map) best = { map: v.map50, path: s.path };
        if (!reporter.events)
          ctx.err(
            `iteration ${s.iteration}: P ${v.precision.toFixed(3)}  R ${v.recall.toFixed(3)}  mAP@0.5 ${v.map50.toFixed(3)}  |γ|<0.01 ${(100 * hist.below001).toFixed(1)}%`,
          );
      } finally {
        model.dispose();
      }
    }
    writeFileAtomic(runFile(tmp, 'metrics'), metrics.join('\n') + '\n');
    writeFileAtomic(runFile(tmp, 'gamma'), gamma.join('\n') + '\n');
    copyFileSync(final.path, runFile(tmp, 'last'));
    copyFileSync(best!.path, runFile(tmp, 'best'));
    writeFileAtomic(join(tmp, dataName), dataText(out));

    // Into place (an existing empty -o folder is replaced).
    replaceDir(tmp, out);
    committedOutput(out);

    const last = losses[losses.length - 1];
    const images = last ? last.iteration * batch : 0;
    const result = {
      runDir: o.out,
      iteration: last?.iteration ?? 0,
      epoch: Math.floor((last?.iteration ?? 0) / perEpoch),
      seen: images,
      loss: last?.loss ?? NaN,
      bestMap50: best?.map ?? null,
      imagesPerSecond: seconds > 0 ? images / seconds : 0,
      backend: 'darknet',
      files: Object.values(RUN_FILES).filter((f) => existsSync(join(out, f))),
    } satisfies TrainJobResult;
    for (const f of result.files)
      reporter.emit({ type: 'artifact', kind: f.endsWith('.weights') ? 'weights' : 'report', path: join(out, f) });
    if (reporter.events) reporter.emit({ type: 'result', command: 'train', data: result });
    else if (o.json) ctx.out(JSON.stringify(result));
    else
      ctx.out(
        `${o.out}: darknet ${result.iteration} iterations, loss ${result.loss.toFixed(6)}, best mAP@0.5 ${result.bestMap50?.toFixed(3) ?? '-'} (${result.imagesPerSecond.toFixed(1)} images/s)`,
      );
    return 0;
  } finally {
    // a failed run leaves nothing (darknet's log went with it: its last lines are in the error)
    rmSync(tmp, { recursive: true, force: true });
    untrackTemp(tmp);
  }
}
