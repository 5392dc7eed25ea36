// Native TensorFlow (backend 'tensorflow' from @tensorflow/tfjs-node built by `npm run setup:tensorflow`):
// a conv gradient against the cpu backend. Required in CI (CI=true): missing binding = failure.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { nativeBindingPath, probe, selectBackend } from '../../core/src/nn/backend';
import { conv2d } from '../../core/src/nn/conv';
import { on, relError, size, values } from './backend-test-utils';

const binding = nativeBindingPath('@tensorflow/tfjs-node');
const built = binding !== null && existsSync(binding);
const inCI = process.env.CI === 'true';
const missing = `native binding not built (${binding ?? '@tensorflow/tfjs-node not installed'}): run \`npm run setup:tensorflow\``;
if (!built && !inCI) console.log(`# skipping native TensorFlow test: ${missing}`);

it(
  'native TensorFlow: conv2d gradients (stride 2, groups, dilation) match the cpu backend',
  { skip: !built && !inCI ? missing : false },
  async () => {
    assert.ok(built, `CI=true requires native TensorFlow: ${missing}`);
    const c = await selectBackend({ purpose: 'train', prefer: 'tensorflow' });
    assert.equal(c.name, 'tensorflow', c.reason);
    assert.match(String(c.details.tensorflowVersion), /^2\./);
    await probe('cpu');
    for (const o of [
      { strides: 2, groups: 1, dilation: 1 },
      { strides: 1, groups: 2, dilation: 1 },
      { strides: 1, groups: 1, dilation: 2 },
    ]) {
      const xs: [number, number, number, number] = [2, 9, 9, 4],
        ws: [number, number, number, number] = [3, 3, 4 / o.groups, 6];
      const xv = values(size(xs), 1),
        wv = values(size(ws), 2);
      const run = () => {
        const x = tf.tensor4d(xv, xs),
          w = tf.tensor4d(wv, ws);
        const f = (xx: tf.Tensor, ww: tf.Tensor) => {
          const y = conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, { ...o, pad: 'same' });
          return tf.sum(tf.mul(y, y));
        };
        return tf.grads(f)([x, w]);
      };
      const [dxT, dwT] = await on('tensorflow', run);
      const [dxC, dwC] = await on('cpu', run);
      assert.ok(relError(dwT, dwC) < 1e-4, `${JSON.stringify(o)} dW rel ${relError(dwT, dwC)}`);
      assert.ok(relError(dxT, dxC) < 1e-4, `${JSON.stringify(o)} dx rel ${relError(dxT, dxC)}`);
    }
  },
);
