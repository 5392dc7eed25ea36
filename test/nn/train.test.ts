// Training mode: BN normalises with batch statistics, gradients reach every γ, rolling statistics
// update, and a few SGD steps lower a loss. Runs on the training backend (native TF or wasm + our kernels).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { buildNetwork, type BatchStats } from '../../core/src/nn/model';
import { analyse, ramp, useBackend } from './helpers';

before(async () => {
  await useBackend('train');
});

const CFG = `[net]
width=16
height=16
channels=3

[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=linear

[convolutional]
batch_normalize=1
filters=16
size=3
stride=2
pad=1
activation=mish

[convolutional]
batch_normalize=1
filters=8
size=1
activation=leaky

[convolutional]
batch_normalize=1
filters=16
size=3
pad=1
groups=2
activation=swish

[shortcut]
from=-3
activation=linear

[maxpool]
size=2
stride=1

[route]
layers=-1,1

[convolutional]
filters=21
size=1
activation=linear

[yolo]
mask=0,1,2
anchors=2,3,4,5,6,7
classes=2
num=3
scale_x_y=1.05
`;

test('training forward: BN uses batch statistics, γ gets finite non-zero gradients, rolling stats move, SGD lowers the loss', () => {
  const net = analyse(CFG);
  const model = buildNetwork(net, synthesizeWeights(net));
  const x = tf.tensor4d(ramp(2 * 16 * 16 * 3, 5, 0, 1), [2, 16, 16, 3]);
  const gammas = model.gammas();
  assert.deepEqual(
    gammas.map((g) => g.layer),
    [0, 1, 2, 3],
  );

  // 1. Batch statistics: a linear conv+BN output has per-channel batch mean β and (unbiased) variance ≈ γ².
  tf.tidy(() => {
    const y = model.forward(x, { training: true, outputs: [0] }).get(0)!;
    const mean = tf.mean(y, [0, 1, 2]).dataSync();
    const n = 2 * 16 * 16;
    const variance = tf.div(tf.sum(tf.square(tf.sub(y, tf.mean(y, [0, 1, 2]))), [0, 1, 2]), n - 1).dataSync();
    const beta = model.params[0]!.conv!.biases.dataSync(),
      gamma = model.params[0]!.conv!.scales!.dataSync();
    for (let c = 0; c < 8; c++) {
      assert.ok(Math.abs(mean[c] - beta[c]) < 1e-4, `channel ${c}: mean ${mean[c]} vs β ${beta[c]}`);
      assert.ok(Math.abs(variance[c] / (gamma[c] * gamma[c]) - 1) < 1e-3, `channel ${c}: variance ${variance[c]} vs γ² ${gamma[c] ** 2}`);
    }
    // The same layer in inference mode uses the rolling statistics, so it differs.
    const yi = model.forward(x, { outputs: [0] }).get(0)!;
    assert.ok(tf.max(tf.abs(tf.sub(y, yi))).dataSync()[0] > 1e-2);
  });

  // 2. Gradients reach every γ.
  const stats = new Map<number, BatchStats>();
  const loss = () => {
    const out = model.forward(x, { training: true, bnStats: stats }).get(8)!;
    return tf.mean(tf.square(tf.sub(out, 0.25))) as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(
    loss,
    gammas.map((g) => g.gamma),
  );
  for (const { gamma } of gammas) {
    const g = grads[gamma.name].dataSync();
    assert.equal(g.length, gamma.shape[0]);
    assert.ok(g.every(Number.isFinite), `${gamma.name}: non-finite gradient`);
    assert.ok(
      g.some((v) => v !== 0),
      `${gamma.name}: all-zero gradient`,
    );
  }
  Object.values(grads).forEach((g) => g.dispose());

  // 3. Rolling statistics: darknet's 0.99/0.01 update.
  assert.deepEqual([...stats.keys()].sort(), [0, 1, 2, 3]);
  const before = model.params[1]!.conv!.rollingMean!.dataSync().slice();
  const batchMean = stats.get(1)!.mean.dataSync().slice();
  model.updateRollingStats(stats);
  const after = model.params[1]!.conv!.rollingMean!.dataSync();
  for (let c = 0; c < before.length; c++) assert.ok(Math.abs(after[c] - (0.99 * before[c] + 0.01 * batchMean[c])) < 1e-6);
  assert.equal(stats.size, 0);

  // 4. SGD on all trainable variables lowers the loss.
  const opt = tf.train.sgd(0.05);
  const first = value.dataSync()[0];
  value.dispose();
  let last = first;
  for (let i = 0; i < 5; i++) {
    const l = opt.minimize(loss, true, model.trainableVariables())!;
    last = l.dataSync()[0];
    l.dispose();
    for (const s of stats.values()) {
      s.mean.dispose();
      s.variance.dispose();
    }
    stats.clear();
  }
  assert.ok(last < first * 0.9, `loss ${first} → ${last}`);
  assert.ok(model.trainableVariables().every((v) => !v.name.includes('rolling')));
  opt.dispose();
  x.dispose();
  model.dispose();
});

test('gradients flow through upsample (nearest ×2) and route', () => {
  const net = analyse(`[net]
width=8
height=8
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=1
pad=1
activation=leaky

[convolutional]
batch_normalize=1
filters=4
size=3
stride=2
pad=1
activation=leaky

[upsample]
stride=2

[route]
layers=-1,-3

[convolutional]
batch_normalize=1
filters=4
size=1
activation=leaky
`);
  const model = buildNetwork(net, synthesizeWeights(net));
  const x = tf.tensor4d(ramp(2 * 8 * 8 * 3, 3, 0, 1), [2, 8, 8, 3]);
  const gammas = model.gammas();
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(model.forward(x, { training: true, outputs: [4] }).get(4)!)) as tf.Scalar,
    gammas.map((g) => g.gamma),
  );
  for (const { gamma } of gammas) {
    const g = grads[gamma.name].dataSync();
    assert.ok(g.every(Number.isFinite) && g.some((v) => v !== 0), `${gamma.name}: gradient ${Array.from(g)}`);
  }
  Object.values(grads).forEach((g) => g.dispose());
  value.dispose();
  x.dispose();
  model.dispose();
});
