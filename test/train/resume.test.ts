// `train --resume` continues a run exactly: stopped by --iterations, killed with SIGKILL mid-epoch,
// or stopped by Ctrl-C, the resumed run ends with the same bytes of last.weights as a run that was
// never interrupted (native TensorFlow on the CPU and wasm are deterministic for a given build).
// Ctrl-C keeps the run's committed checkpoint (a cancel otherwise removes what a job wrote).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run';
import { runAndInterrupt, type JobEventLine } from '../cli/interrupt';
import { tinyCfg } from './darknet-fixture';
import { tempDir } from '../tmp';

const dir = tempDir('dp-resume-');
const cfg = join(dir, 'tiny.cfg');
const data = join(dir, 'set', 'obj.data');
// 15 training images, batch 4: 3 steps per epoch; 2 epochs = 6 iterations.
const train = (out: string, ...more: string[]) => [
  'train',
  cfg,
  '--data',
  data,
  '-o',
  out,
  '--epochs',
  '2',
  '--sparsity',
  '0.001',
  ...more,
];
const weightsOf = (run: string) => readFileSync(join(run, 'last.weights'));
const atStep = (k: number) => (e: JobEventLine & { name?: string; step?: number }) =>
  e.type === 'metric' && e.name === 'loss' && e.step === k;

before(() => {
  writeFileSync(cfg, tinyCfg({ batch: 4, lr: 0.005, maxBatches: 100 }));
  const r = runCli(
    ['data', 'synth', '-o', join(dir, 'set'), '--classes', '2', '--images', '19', '--size', '64', '--seed', '3', '--valid-fraction', '0.2'],
    dir,
  );
  assert.equal(r.code, 0, r.err);
});

let reference: Buffer;
test('an uninterrupted run: 2 epochs, every file of the run directory', { timeout: 300_000 }, () => {
  const r = runCli([...train(join(dir, 'a')), '--json-events'], dir);
  assert.equal(r.code, 0, r.err);
  const events = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; name?: string; step?: number; value?: number });
  const losses = events.filter((e) => e.type === 'metric' && e.name === 'loss');
  assert.deepEqual(
    losses.map((e) => e.step),
    [1, 2, 3, 4, 5, 6],
  );
  assert.equal(events.filter((e) => e.type === 'metric' && e.name === 'lr').length, 6);
  assert.equal(events.filter((e) => e.type === 'histogram').length, 2);
  for (const f of ['command.txt', 'checkpoint.dpck', 'last.weights', 'best.weights', 'metrics.jsonl', 'gamma.jsonl'])
    assert.ok(existsSync(join(dir, 'a', f)), f);
  assert.equal(
    readFileSync(join(dir, 'a', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n').length,
    2,
  );
  reference = weightsOf(join(dir, 'a'));
});

test('stopped by --iterations mid-epoch, then --resume: byte-identical weights and metrics', { timeout: 300_000 }, () => {
  const out = join(dir, 'b');
  assert.equal(runCli([...train(out), '--iterations', '4'], dir).code, 0);
  const r = runCli(['train', '--resume', out], dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(weightsOf(out).equals(reference), 'last.weights differ from the uninterrupted run');
  assert.equal(readFileSync(join(out, 'metrics.jsonl'), 'utf8'), readFileSync(join(dir, 'a', 'metrics.jsonl'), 'utf8'));
});

test('killed with SIGKILL mid-epoch 2, then --resume: byte-identical weights', { timeout: 300_000 }, async () => {
  const out = join(dir, 'c');
  const k = await runAndInterrupt(train(out), dir, { when: atStep(5) }, 'SIGKILL');
  assert.ok(k.sent && k.signal === 'SIGKILL', `not killed: ${k.code} ${k.stderr}`);
  const r = runCli(['train', '--resume', out], dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(weightsOf(out).equals(reference), 'last.weights differ from the uninterrupted run');
});

test('Ctrl-C mid-epoch 2 exits 130 and keeps the epoch-1 checkpoint; --resume ends identical', { timeout: 300_000 }, async () => {
  const out = join(dir, 'd');
  const k = await runAndInterrupt(train(out), dir, { when: atStep(5) }, 'SIGINT');
  assert.equal(k.code, 130, k.stderr);
  for (const f of ['checkpoint.dpck', 'last.weights', 'metrics.jsonl', 'command.txt'])
    assert.ok(existsSync(join(out, f)), `${f} removed by the cancel`);
  const r = runCli(['train', '--resume', out], dir);
  assert.equal(r.code, 0, r.err);
  assert.ok(weightsOf(out).equals(reference), 'last.weights differ from the uninterrupted run');
});

test('--no-augment (plain batches): stopped by --iterations and resumed equals the uninterrupted run', { timeout: 300_000 }, () => {
  const plain = join(dir, 'p'),
    stopped = join(dir, 'q');
  assert.equal(runCli([...train(plain), '--no-augment'], dir).code, 0);
  assert.equal(runCli([...train(stopped), '--no-augment', '--iterations', '2'], dir).code, 0);
  assert.equal(runCli(['train', '--resume', stopped], dir).code, 0);
  assert.ok(weightsOf(stopped).equals(weightsOf(plain)), 'last.weights differ');
  assert.ok(!weightsOf(plain).equals(reference), 'augmentation had no effect');
});

test('errors are one located line', { timeout: 120_000 }, () => {
  const r = runCli(['train', '--resume', join(dir, 'set')], dir);
  assert.equal(r.code, 1);
  assert.match(r.err.trim(), /^darknet-pruner: --resume .*set: no checkpoint\.dpck/);
  assert.equal(r.err.trim().split('\n').length, 1);
  const c = runCli(['train', cfg, '--data', data, '-o', join(dir, 'e'), '--backend', 'cpu'], dir);
  assert.equal(c.code, 2);
  assert.match(c.err, /cpu backend cannot train/);
});
