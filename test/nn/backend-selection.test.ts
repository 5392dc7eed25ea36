// Backend selection: forced choices, refusing to train on cpu, the reasons it gives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, CPU_TRAINING_REFUSAL, nativeBindingPath, selectBackend } from '../../core/src/nn/backend';

describe('selectBackend', () => {
  it('refuses to train on cpu when asked for it, and says why', async () => {
    await assert.rejects(
      selectBackend({ purpose: 'train', prefer: 'cpu' }),
      (e: Error) =>
        e instanceof BackendError && /refusing to train/.test(e.message) && /0\.7 GFLOP\/s/.test(e.message) && /156 s/.test(e.message),
    );
  });

  it('refuses DARKNET_BACKEND=cpu for training too, but runs inference on it', async () => {
    await assert.rejects(selectBackend({ purpose: 'train', env: { DARKNET_BACKEND: 'cpu' } }), /DARKNET_BACKEND=cpu: refusing to train/);
    const c = await selectBackend({ purpose: 'infer', env: { DARKNET_BACKEND: 'cpu' } });
    assert.equal(c.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.match(c.reason, /forced by DARKNET_BACKEND=cpu/);
    assert.match(c.reason, /inference only/);
  });

  it('rejects an unknown DARKNET_BACKEND', async () => {
    await assert.rejects(selectBackend({ purpose: 'infer', env: { DARKNET_BACKEND: 'webgpu' } }), /not a backend/);
  });

  it('forces wasm, with our gradient kernels registered', async () => {
    const c = await selectBackend({ purpose: 'train', env: { DARKNET_BACKEND: 'wasm' } });
    assert.equal(c.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(c.package, '@tensorflow/tfjs-backend-wasm');
    assert.match(c.version, /^\d+\.\d+\.\d+$/);
    for (const k of [
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'MaxPoolGrad',
      'ResizeNearestNeighborGrad',
    ]) {
      assert.ok(tf.getKernel(k, 'wasm'), k);
    }
  });

  it('prefer overrides DARKNET_BACKEND', async () => {
    const c = await selectBackend({ purpose: 'infer', prefer: 'wasm', env: { DARKNET_BACKEND: 'cpu' } });
    assert.equal(c.name, 'wasm');
    assert.match(c.reason, /prefer: 'wasm'/);
  });

  it('auto: picks the best available for training (never cpu) and explains every skip', async () => {
    const c = await selectBackend({ purpose: 'train', env: {} });
    assert.notEqual(c.name, 'cpu');
    assert.ok(c.reason.length > 10);
    const cpuBinding = nativeBindingPath('@tensorflow/tfjs-node');
    if (cpuBinding && existsSync(cpuBinding)) {
      assert.equal(c.name, 'tensorflow', c.reason);
    } else {
      assert.equal(c.name, 'wasm');
      const tfSkip = c.skipped.find((s) => s.name === 'tensorflow');
      assert.ok(tfSkip, 'tensorflow listed as skipped');
      assert.match(tfSkip.why, /setup:tensorflow|not installed|failed to load/);
    }
    const gpuSkip = c.skipped.find((s) => s.name === 'tensorflow-gpu');
    if (!c.gpu) assert.ok(gpuSkip && gpuSkip.why.length > 10, 'tensorflow-gpu skip explained');
  });

  it('the refusal text names the alternatives', () => {
    assert.match(CPU_TRAINING_REFUSAL, /DARKNET_BACKEND=wasm/);
    assert.match(CPU_TRAINING_REFUSAL, /npm run setup:tensorflow/);
  });
});
