// train --engine darknet (cli/commands/train-darknet.ts) with the real darknet (Debian's 2018 build:
// `apt-get install darknet`, npm run setup:darknet): a few iterations of a yolov3-tiny-like cfg on a
// synthesized dataset — the events are darknet's printed lines, the weights it saved come back into
// the run and load with the cfg —, a fine-tune of a pruned cfg with and without its weights, the
// located refusal of a cfg this darknet does not know, and a cancel that kills darknet and leaves
// nothing.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { readWeightsFile } from '../../core/src/weights/read';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { runView } from '../../client/src/training/runData';
import { runCli } from '../cli/run';
import { runAndInterrupt } from '../cli/interrupt';
import { tinyCfg } from './darknet-fixture';
import { tempDir } from '../tmp';
import { onPath } from '../../cli/runtimes/steps';

const darknet = onPath('darknet');
const skip = darknet ? false : 'darknet is not on PATH: install it with `apt-get install darknet` (npm run setup:darknet)';

let dir = '';
let cfg = '',
  weights = '',
  data = '';
before(() => {
  dir = tempDir('dp-engine-darknet-');
  cfg = join(dir, 'tiny.cfg');
  weights = join(dir, 'tiny.weights');
  const text = tinyCfg({ batch: 2, lr: 0.001, maxBatches: 1000 });
  writeFileSync(cfg, text);
  writeFileSync(weights, serializeWeights(analyseText(text), synthesizeWeights(analyseText(text))));
  if (skip) return;
  const r = runCli(['data', 'synth', '-o', join(dir, 'data'), '--classes', '2', '--images', '6', '--size', '64', '--seed', '1'], dir);
  assert.equal(r.code, 0, r.err);
  data = join(dir, 'data', 'obj.data');
});

type Event = { type: string; name?: string; value?: number; step?: number; message?: string; data?: Record<string, unknown> };
const events = (out: string): Event[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Event);

/** darknet's own iteration lines, read independently of the engine's parser. */
function printedIterations(log: string): { step: number; loss: number; rate: number }[] {
  return [...log.matchAll(/^(\d+): ([-\d.]+), [-\d.]+ avg, ([-\d.]+) rate,/gm)].map((m) => ({
    step: Number(m[1]),
    loss: Number(m[2]),
    rate: Number(m[3]),
  }));
}

const noTemps = (d: string) => readdirSync(d).filter((f) => /^\..+\.tmp-\d+-\d+$/.test(f));

test('a few darknet iterations: the events are its printed lines, its weights come back and load with the cfg', { skip }, () => {
  const cfgBefore = readFileSync(cfg, 'utf8');
  const run = join(dir, 'run');
  const r = runCli(
    ['train', cfg, '--weights', weights, '--engine', 'darknet', '--data', data, '--iterations', '4', '-o', run, '--json-events'],
    dir,
  );
  assert.equal(r.code, 0, r.err + r.out);
  const ev = events(r.out);
  const printed = printedIterations(readFileSync(join(run, 'darknet.log'), 'utf8'));
  assert.deepEqual(
    printed.map((p) => p.step),
    [1, 2, 3, 4],
  );
  const metric = (name: string) => ev.filter((e) => e.type === 'metric' && e.name === name).map((e) => ({ step: e.step, value: e.value }));
  assert.deepEqual(
    metric('loss'),
    printed.map((p) => ({ step: p.step, value: p.loss })),
  );
  assert.deepEqual(
    metric('lr'),
    printed.map((p) => ({ step: p.step, value: p.rate })),
  );
  assert.ok(printed.every((p) => Number.isFinite(p.loss) && p.loss > 0));
  console.log(`# darknet printed ${printed.map((p) => `${p.step}: ${p.loss}`).join(', ')}; the events carry the same`);

  // The user's cfg is untouched; the run's copy stops at 4 iterations.
  assert.equal(readFileSync(cfg, 'utf8'), cfgBefore);
  const runCfg = readFileSync(join(run, 'tiny.cfg'), 'utf8');
  assert.match(runCfg, /^max_batches=4$/m);
  assert.doesNotMatch(runCfg, /max_batches=1000/);
  const runData = readFileSync(join(run, 'tiny.data'), 'utf8');
  assert.match(runData, new RegExp(`^backup=${join(run, 'backup')}$`, 'm'));
  assert.match(runData, new RegExp(`^train=${join(run, 'train.txt')}$`, 'm'));
  for (const img of readFileSync(join(run, 'train.txt'), 'utf8').trim().split('\n')) assert.ok(img.startsWith('/') && existsSync(img), img);

  // darknet's final weights, copied back, load with the cfg (our reader checks the size layer by layer).
  const final = readFileSync(join(run, 'backup', 'tiny_final.weights'));
  assert.deepEqual(readFileSync(join(run, 'last.weights')), final);
  const net = analyseText(cfgBefore);
  const w = readWeightsFile(join(run, 'last.weights'), net);
  assert.ok(w.layers.length > 0);
  assert.notDeepEqual(final, readFileSync(weights), 'darknet changed the weights');
  assert.ok(existsSync(join(run, 'best.weights')));

  // One metrics line per saved weights file (here the final one), with P/R/mAP and the mean printed loss.
  const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  assert.equal(lines.length, 1);
  assert.equal(lines[0].iteration, 4);
  assert.ok(Math.abs(lines[0].loss - printed.reduce((s, p) => s + p.loss, 0) / 4) < 1e-9);
  for (const k of ['precision', 'recall', 'map50']) assert.ok(lines[0][k] >= 0 && lines[0][k] <= 1, k);
  assert.ok(ev.some((e) => e.type === 'metric' && e.name === 'mAP50' && e.step === 4));
  assert.equal(readFileSync(join(run, 'gamma.jsonl'), 'utf8').trim().split('\n').length, 1);
  const command = JSON.parse(readFileSync(join(run, 'command.txt'), 'utf8')) as { darknet: string[] };
  assert.deepEqual(command.darknet.slice(0, 3), ['darknet', 'detector', 'train']);
  assert.ok(command.darknet.includes('-clear'));
  // The training dashboard opens the run folder (Open Training Run…).
  const view = runView(run, undefined);
  assert.deepEqual(
    view.epochs.map((e) => e.iteration),
    [4],
  );
  assert.equal(view.gamma.length, 1);
  assert.equal(view.status, 'finished');
  assert.equal(view.canResume, false);
  assert.deepEqual(view.latest, { cfg, weights: join(run, 'last.weights') });
  const result = ev.find((e) => e.type === 'result')!.data!;
  assert.equal(result.backend, 'darknet');
  assert.equal(result.iteration, 4);
  assert.deepEqual(noTemps(dir), []);
});

test('fine-tune of a pruned cfg in darknet: with its weights, and only the cfg (--no-weights)', { skip }, () => {
  const pruned = join(dir, 'pruned');
  const p = runCli(['prune', 'channel', cfg, weights, '-p', '0.3', '-o', pruned], dir);
  assert.equal(p.code, 0, p.err);
  const prunedCfg = readdirSync(pruned).find((f) => f.endsWith('.cfg'))!;
  const net = analyseText(readFileSync(join(pruned, prunedCfg), 'utf8'));
  for (const [name, extra] of [
    ['ft', ['--gpus', '0']],
    ['ft-cfg-only', ['--no-weights']],
  ] as const) {
    const run = join(dir, name);
    const r = runCli(
      ['train', '--finetune', pruned, '--engine', 'darknet', ...extra, '--data', data, '--iterations', '2', '-o', run, '--json-events'],
      dir,
    );
    assert.equal(r.code, 0, r.err + r.out);
    const command = JSON.parse(readFileSync(join(run, 'command.txt'), 'utf8')) as { darknet: string[] };
    const cfgOnly = (extra as readonly string[]).includes('--no-weights');
    assert.equal(
      command.darknet.some((a) => a.endsWith('.weights')),
      !cfgOnly,
      command.darknet.join(' '),
    );
    // -gpus passed through (one id: the CPU build trains as without it)
    assert.equal(command.darknet.join(' ').includes(' -gpus 0'), !cfgOnly);
    assert.ok(readWeightsFile(join(run, 'last.weights'), net).layers.length > 0);
    assert.deepEqual(
      printedIterations(readFileSync(join(run, 'darknet.log'), 'utf8')).map((x) => x.step),
      [1, 2],
    );
  }
});

test('a cfg this darknet does not know: located refusal, nothing written', { skip }, () => {
  const text = tinyCfg()
    .replace('activation=leaky', 'activation=mish')
    .replace(/\[yolo\]\n/, '[yolo]\nscale_x_y=1.05\n');
  const v4 = join(dir, 'v4.cfg');
  writeFileSync(v4, text);
  const run = join(dir, 'v4-run');
  const r = runCli(['train', v4, '--engine', 'darknet', '--data', data, '--iterations', '2', '-o', run], dir);
  assert.equal(r.code, 1, r.err);
  const lines = text.split('\n');
  const mish = lines.indexOf('activation=mish') + 1;
  const sxy = lines.indexOf('scale_x_y=1.05') + 1;
  assert.match(r.err, new RegExp(`${v4}:${mish}: layer 0 \\[convolutional\\]: activation=mish is unknown`));
  assert.match(r.err, new RegExp(`${v4}:${sxy}: layer \\d+ \\[yolo\\]: scale_x_y= is unknown`));
  assert.match(r.err, /AlexeyAB's or hank-ai's darknet with --darknet PATH/);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  assert.ok(!existsSync(run));
  assert.deepEqual(noTemps(dir), []);
});

test('bad command lines and a missing darknet: clear errors', { skip }, () => {
  const run = join(dir, 'bad');
  const base = [cfg, '--engine', 'darknet', '--data', data, '--iterations', '1', '-o', run];
  const missing = runCli(['train', ...base, '--darknet', join(dir, 'no-darknet')], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /--darknet .*no-darknet: not an executable file; .*apt-get install darknet/);
  const emptyBin = join(dir, 'empty-bin');
  mkdirSync(emptyBin, { recursive: true });
  const noPath = runCli(['train', ...base], dir, { PATH: emptyBin });
  assert.equal(noPath.code, 1);
  assert.match(noPath.err, /darknet is not on PATH; install Debian's darknet \(`apt-get install darknet`/);
  const gpus = runCli(['train', ...base, '--gpus', 'a,b'], dir);
  assert.equal(gpus.code, 2);
  assert.match(gpus.err, /--gpus a,b: expected GPU indices/);
  const sparsity = runCli(['train', ...base, '--sparsity', '0.001'], dir);
  assert.equal(sparsity.code, 2);
  assert.match(sparsity.err, /--sparsity belong to --engine tfjs/);
  const tfjs = runCli(['train', cfg, '--data', data, '--gpus', '0', '-o', run], dir);
  assert.equal(tfjs.code, 2);
  assert.match(tfjs.err, /--gpus: only with --engine darknet/);
  assert.ok(!existsSync(run));
});

/** darknet's process has ended (gone, or a zombie nobody reaps in a container). */
function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** A cancel while darknet trains; `env`: the CLI's environment (PATH without setpriv). */
async function cancelWhileTraining(env: NodeJS.ProcessEnv = {}, darknetArgs: string[] = []): Promise<void> {
  const work = tempDir('dp-engine-darknet-cancel-');
  const run = join(work, 'run');
  const r = await runAndInterrupt(
    ['train', cfg, '--weights', weights, '--engine', 'darknet', ...darknetArgs, '--data', data, '--iterations', '1000000', '-o', run],
    work,
    { when: (e) => e.type === 'metric' },
    'SIGTERM',
    env,
  );
  assert.ok(r.sent, 'interrupted while training');
  assert.equal(r.code, 143, r.stderr);
  const note = r.events.find((e) => e.type === 'note' && /^darknet \(pid \d+\)/.test(e.message ?? ''));
  assert.ok(note, 'the darknet pid was announced');
  const pid = Number(/pid (\d+)/.exec(note.message!)![1]);
  // killed by the kernel when the job's thread ended (PR_SET_PDEATHSIG): wait for that state.
  for (let i = 0; !ended(pid); i++) {
    assert.ok(i < 2000, `darknet (pid ${pid}) still runs after the cancel`);
    await new Promise((res) => setTimeout(res, 5));
  }
  console.log(`# cancel: the CLI exited ${r.stopMs.toFixed(0)} ms after SIGTERM; darknet (pid ${pid}) had ended`);
  assert.ok(!existsSync(run));
  assert.deepEqual(readdirSync(work), []);
}

test('cancel while darknet trains: darknet is killed, nothing is left', { skip }, () => cancelWhileTraining());

// The real python3 (a pyenv shim needs pyenv on PATH), for a PATH that has no setpriv. darknet trains
// through the prctl shim here; that the shim's child dies with its thread is test/io/pdeathsig.test.ts
// (darknet also dies of SIGPIPE at its next line once the CLI has exited).
const python = skip ? '' : spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim();

test(
  'without setpriv: darknet is tied to the job by the python3 prctl shim, and a cancel still kills it',
  { skip: skip || (!python && 'python3 is not on PATH: install python3') },
  async () => {
    const bin = tempDir('dp-engine-darknet-bin-');
    symlinkSync(python!, join(bin, 'python3'));
    await cancelWhileTraining({ PATH: bin }, ['--darknet', darknet!]);
  },
);

test('without setpriv or python3: refused before darknet starts, saying what to install', { skip }, () => {
  const work = tempDir('dp-engine-darknet-nopath-');
  const run = join(work, 'run');
  const r = runCli(['train', cfg, '--engine', 'darknet', '--darknet', darknet!, '--data', data, '--iterations', '1', '-o', run], work, {
    PATH: tempDir('dp-engine-darknet-empty-'),
  });
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, /neither setpriv nor python3 is on PATH.*install util-linux \(setpriv\) or python3/);
  assert.deepEqual(readdirSync(work), []);
});
