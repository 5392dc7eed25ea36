// The reduced pipeline: sparsity training → channel pruning → fine-tuning, through the CLI, on a
// tiny yolov3-tiny-like cfg and 19 synthetic 64×64 images (a few seconds per stage). Asserts that
// sparsity moves the prunable γ toward zero (the fraction below 0.01 grows, and stays near zero
// without it) and that fine-tuning recovers loss after pruning. The cfg has momentum=0 so that a
// run this short is not dominated by momentum's overshoot around zero (with 0.9 the subgradient
// s·sign(γ) makes |γ| swing by ≈ 50·lr·s); its γ start at 0.15…0.45 (synthesised, scaled by 0.3).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { runCli } from '../cli/run';
import { synthDataArgs, tinyCfg } from './darknet-fixture';
import { tempDir } from '../tmp';

const dir = tempDir('dp-pipeline-');
const cfg = join(dir, 'tiny.cfg'),
  weights = join(dir, 'tiny.weights'),
  data = join(dir, 'set', 'obj.data');
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
const ok = (args: string[]) => {
  const r = runCli(args, dir);
  assert.equal(r.code, 0, r.err);
  return r;
};

before(() => {
  const text = tinyCfg({ batch: 2, lr: 0.01, maxBatches: 1000 }).replace('momentum=0.9', 'momentum=0');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  const w = synthesizeWeights(net);
  for (const l of w.layers) if (l?.blocks.scales) l.blocks.scales = l.blocks.scales.map((v) => v * 0.3);
  writeFileSync(weights, serializeWeights(net, w));
  ok(synthDataArgs(join(dir, 'set'), 24, 1, 0.2));
});

test('sparsity training (slim set, s = 2) drives γ toward zero; the same run without it does not', { timeout: 300_000 }, () => {
  ok([
    'train',
    cfg,
    '--weights',
    weights,
    '--data',
    data,
    '-o',
    join(dir, 'sparse'),
    '--epochs',
    '3',
    '--sparsity',
    '2',
    '--prune-mode',
    'slim',
  ]);
  ok(['train', cfg, '--weights', weights, '--data', data, '-o', join(dir, 'plain'), '--epochs', '3']);
  const sparse = lines(join(dir, 'sparse', 'gamma.jsonl')),
    plain = lines(join(dir, 'plain', 'gamma.jsonl'));
  console.log(
    `# |γ| < 0.01: sparse ${sparse.map((g) => g.below001.toFixed(3)).join(' → ')}; plain ${plain.map((g) => g.below001.toFixed(3)).join(' → ')}`,
  );
  console.log(
    `# mean |γ|: sparse ${sparse.map((g) => g.meanAbs.toFixed(4)).join(' → ')}; plain ${plain.map((g) => g.meanAbs.toFixed(4)).join(' → ')}`,
  );
  assert.ok(sparse[2].below001 > sparse[0].below001, 'the fraction of |γ| < 0.01 did not grow');
  assert.ok(sparse[2].below001 >= 0.2, `only ${sparse[2].below001} of γ below 0.01`);
  assert.ok(plain[2].below001 < sparse[2].below001 / 2);
  assert.ok(sparse[2].meanAbs < plain[2].meanAbs / 2);
});

test('channel pruning of the sparse model, then fine-tuning recovers the loss', { timeout: 300_000 }, () => {
  ok(['prune', 'channel', cfg, join(dir, 'sparse', 'last.weights'), '--global-percent', '0.4', '-o', join(dir, 'pruned')]);
  // The pruned model's loss over an epoch of the same batches, unchanged (lr 0).
  ok([
    'train',
    '--finetune',
    join(dir, 'pruned'),
    '--data',
    data,
    '-o',
    join(dir, 'before'),
    '--epochs',
    '1',
    '--lr',
    '0',
    '--warmup-epochs',
    '0',
  ]);
  ok(['train', '--finetune', join(dir, 'pruned'), '--data', data, '-o', join(dir, 'ft'), '--epochs', '3', '--warmup-epochs', '1']);
  const before = lines(join(dir, 'before', 'metrics.jsonl'))[0].loss;
  const ft = lines(join(dir, 'ft', 'metrics.jsonl'));
  const sparseEnd = lines(join(dir, 'sparse', 'metrics.jsonl'))[2].loss;
  console.log(
    `# epoch loss: sparse model ${sparseEnd.toFixed(3)}; pruned ${before.toFixed(3)}; fine-tuned ${ft.map((m) => m.loss.toFixed(3)).join(' → ')}`,
  );
  assert.ok(ft[2].loss < before, `fine-tuned ${ft[2].loss} vs pruned ${before}`);
  const command = JSON.parse(readFileSync(join(dir, 'ft', 'command.txt'), 'utf8')) as { argv: string[] };
  assert.deepEqual(command.argv.slice(0, 4), ['darknet-pruner', 'train', '--finetune', join(dir, 'pruned')]);
});
