// darknet's learning-rate schedule, its SGD update (momentum, decay on kernels only, lr/batch) and
// Adam, and the BN backward darknet uses, against hand-computed values and finite differences.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { learningRate, trainSettings } from '../../core/src/train/lr-policy';
import { DarknetOptimizer } from '../../core/src/train/optimizer';
import { buildNetwork } from '../../core/src/nn/model';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { ramp, useBackend } from '../nn/helpers';

before(async () => {
  await useBackend('train');
});

const settings = (net: string) =>
  trainSettings(analyseText(`[net]\nwidth=8\nheight=8\nchannels=3\n${net}\n[convolutional]\nfilters=2\nsize=1\nactivation=linear\n`));

test('lr policy: burn_in^power, steps/scales, poly, sgdr, step, exp', () => {
  const s = settings('learning_rate=0.1\nburn_in=10\npower=4\npolicy=steps\nsteps=20,30\nscales=.1,.5\nmax_batches=40');
  assert.ok(Math.abs(learningRate(s, 5) - 0.1 * 0.5 ** 4) < 1e-7);
  assert.ok(Math.abs(learningRate(s, 19) - 0.1) < 1e-7);
  assert.ok(Math.abs(learningRate(s, 20) - 0.01) < 1e-7);
  assert.ok(Math.abs(learningRate(s, 35) - 0.005) < 1e-7);
  const poly = settings('learning_rate=0.1\npolicy=poly\npower=2\nmax_batches=100');
  assert.ok(Math.abs(learningRate(poly, 50) - 0.1 * 0.25) < 1e-7);
  const sgdr = settings('learning_rate=0.1\npolicy=sgdr\nsgdr_cycle=10\nsgdr_mult=2\nlearning_rate_min=0\nmax_batches=100');
  assert.ok(Math.abs(learningRate(sgdr, 5) - 0.05) < 1e-6); // half-way through the first cycle
  assert.ok(Math.abs(learningRate(sgdr, 20) - 0.05) < 1e-6); // half-way through the second (length 20, from 10)
  const step = settings('learning_rate=0.1\npolicy=step\nstep=10\nscale=0.5');
  assert.ok(Math.abs(learningRate(step, 25) - 0.025) < 1e-7);
  const exp = settings('learning_rate=0.1\npolicy=exp\ngamma=0.9');
  assert.ok(Math.abs(learningRate(exp, 2) - 0.081) < 1e-7);
  assert.throws(() => settings('policy=steps\nsteps=10'), /steps= and scales= of the same length/);
});

test('SGD as darknet: decay only on kernels, lr/batch, momentum on the update buffer', () => {
  const w = tf.variable(tf.tensor1d([1, -2]), true, 'm/l0/kernel');
  const g = tf.variable(tf.tensor1d([0.5, 1]), true, 'm/l0/scales');
  const opt = new DarknetOptimizer([w, g], { momentum: 0.9, decay: 0.01, adam: false, b1: 0.9, b2: 0.999, eps: 1e-7 });
  opt.accumulate({ 'm/l0/kernel': tf.tensor1d([4, 4]), 'm/l0/scales': tf.tensor1d([2, -2]) });
  opt.step(0.1, 2);
  // kernel: u = −g − decay·B·w = [−4 − 0.02, −4 + 0.04]; w += lr/B·u; u ← 0.9·u
  const wu = [-4 - 0.02, -4 + 0.04];
  assert.deepEqual(
    [...w.dataSync()].map((v) => +v.toFixed(6)),
    [1 + 0.05 * wu[0], -2 + 0.05 * wu[1]].map((v) => +v.toFixed(6)),
  );
  // γ: no decay
  assert.deepEqual(
    [...g.dataSync()].map((v) => +v.toFixed(6)),
    [0.5 - 0.1, 1 + 0.1],
  );
  const st = opt.state();
  assert.deepEqual(
    [...st.buffers['m/l0/kernel'].u].map((v) => +v.toFixed(5)),
    wu.map((v) => +(0.9 * v).toFixed(5)),
  );
  // A second step with no new gradient: momentum alone moves γ by lr/B·0.9·u.
  opt.step(0.1, 2);
  assert.deepEqual(
    [...g.dataSync()].map((v) => +v.toFixed(6)),
    [0.4 - 0.05 * 0.9 * 2, 1.1 + 0.05 * 0.9 * 2].map((v) => +v.toFixed(6)),
  );
  opt.dispose();
  w.dispose();
  g.dispose();
});

test('Adam: bias-corrected first step moves each weight by lr·sign(d)', () => {
  const w = tf.variable(tf.tensor1d([1, -2]), true, 'a/l0/biases');
  const opt = new DarknetOptimizer([w], { momentum: 0.9, decay: 0, adam: true, b1: 0.9, b2: 0.999, eps: 1e-7 });
  opt.accumulate({ 'a/l0/biases': tf.tensor1d([3, -0.5]) });
  opt.step(0.01, 1);
  const v = w.dataSync();
  assert.ok(Math.abs(v[0] - (1 - 0.01)) < 1e-5 && Math.abs(v[1] - (-2 + 0.01)) < 1e-5, `${v[0]}, ${v[1]}`);
  opt.dispose();
  w.dispose();
});

test("darknet's BN backward: ∂γ, ∂β equal the exact derivative and finite differences", () => {
  const net = analyseText(
    '[net]\nwidth=4\nheight=4\nchannels=2\n\n[convolutional]\nbatch_normalize=1\nfilters=3\nsize=1\nactivation=linear\n',
  );
  const weights = synthesizeWeights(net);
  const dk = buildNetwork(net, weights, { darknetBackward: true }),
    exact = buildNetwork(net, weights);
  const x = tf.tensor4d(ramp(2 * 4 * 4 * 2, 3, 0, 1), [2, 4, 4, 2]);
  const target = tf.tensor4d(ramp(2 * 4 * 4 * 3, 4, -1, 1), [2, 4, 4, 3]);
  const loss = (m: typeof dk) => () =>
    tf.sum(tf.square(tf.sub(m.forward(x, { training: true, outputs: [0] }).get(0)!, target))) as tf.Scalar;
  const gd = tf.variableGrads(loss(dk)),
    ge = tf.variableGrads(loss(exact));
  const name = (m: typeof dk, k: string) => m.trainableVariables().find((v) => v.name.endsWith(k))!.name;
  for (const k of ['/scales', '/biases']) {
    const a = gd.grads[name(dk, k)].dataSync(),
      b = ge.grads[name(exact, k)].dataSync();
    for (let i = 0; i < a.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) < 1e-3 * Math.max(1, Math.abs(b[i])), `${k}[${i}]: ${a[i]} vs ${b[i]}`);
  }
  // finite difference of γ[0] against darknet's ∂γ
  const gamma = dk.gammas()[0].gamma;
  const base = gamma.dataSync().slice();
  const at = (d: number) => {
    const v = base.slice();
    v[0] += d;
    gamma.assign(tf.tensor1d(v));
    return loss(dk)().dataSync()[0];
  };
  const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
  gamma.assign(tf.tensor1d(base));
  const an = gd.grads[gamma.name].dataSync()[0];
  assert.ok(Math.abs(fd - an) < 1e-2 * Math.max(1, Math.abs(an)), `∂γ0: finite difference ${fd}, darknet ${an}`);
  // ∂x (and so every kernel gradient) is darknet's: its variance term divides by N where the
  // derivative of the forward (variance over N − 1) has N − 1 — checked against darknet itself in
  // darknet.test.ts, not here.
  dk.dispose();
  exact.dispose();
});
