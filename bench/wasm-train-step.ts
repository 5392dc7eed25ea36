// Training-step throughput (images/s) of a small Darknet-style conv net on the wasm backend with
// our gradient kernels, side by side with native TensorFlow (@tensorflow/tfjs-node built by
// `npm run setup:tensorflow`) as the peer. Also the Conv2DBackpropFilter kernel alone (GFLOP/s).
// Usage: node --import tsx bench/wasm-train-step.ts [--batch 8] [--size 64] [--steps 5]
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type Preference } from '../core/src/nn/backend';
import { conv2d } from '../core/src/nn/conv';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const BATCH = arg('batch', 8),
  SIZE = arg('size', 64),
  STEPS = arg('steps', 5);

function lcg(n: number, seed: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2147483648 - 1) * scale;
  }
  return a;
}

// conv3×3(3→16) BN leaky · max2 · conv3×3(16→32)/2 BN leaky · conv1×1(32→16) · conv3×3(16→32) · shortcut · conv1×1(32→18)
const SPECS: Array<[string, number[]]> = [
  ['w1', [3, 3, 3, 16]],
  ['g1', [16]],
  ['b1', [16]],
  ['w2', [3, 3, 16, 32]],
  ['g2', [32]],
  ['b2', [32]],
  ['w3', [1, 1, 32, 16]],
  ['w4', [3, 3, 16, 32]],
  ['w5', [1, 1, 32, 18]],
];

function bnLeaky(y: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(y, [0, 1, 2]);
  return tf.leakyRelu(tf.add(tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b), 0.1) as tf.Tensor4D;
}

/** Forward FLOPs of the convs (multiply-add = 2); a training step ≈ 3× that. */
function convFlops(): number {
  const s = SIZE,
    h = s / 2,
    q = s / 4;
  return 2 * BATCH * (s * s * 27 * 16 + q * q * 144 * 32 + q * q * 32 * 16 + q * q * 144 * 32 + q * q * 32 * 18) * (h > 0 ? 1 : 1);
}

async function trainSteps(
  prefer: Preference,
): Promise<{ name: string; imgPerS: number; msPerStep: number } | { name: string; error: string }> {
  try {
    const c = await selectBackend({ purpose: 'train', prefer });
    const vars = Object.fromEntries(
      SPECS.map(([k, s], i) => [
        k,
        tf.variable(
          tf.tensor(
            k.startsWith('g')
              ? new Float32Array(s[0]).fill(1)
              : k.startsWith('b')
                ? new Float32Array(s[0])
                : lcg(
                    s.reduce((a, b) => a * b, 1),
                    10 + i,
                    0.2,
                  ),
            s,
          ),
        ),
      ]),
    );
    const x = tf.tensor4d(lcg(BATCH * SIZE * SIZE * 3, 1, 1), [BATCH, SIZE, SIZE, 3]);
    const target = tf.tensor4d(lcg(BATCH * (SIZE / 4) * (SIZE / 4) * 18, 2, 0.5), [BATCH, SIZE / 4, SIZE / 4, 18]);
    const opt = tf.train.sgd(1e-3);
    const step = () =>
      tf.tidy(() =>
        opt
          .minimize(() => {
            const v = vars;
            let y = bnLeaky(conv2d(x, v.w1 as unknown as tf.Tensor4D), v.g1, v.b1);
            y = tf.maxPool(y, 2, 2, 'same');
            y = bnLeaky(conv2d(y, v.w2 as unknown as tf.Tensor4D, { strides: 2 }), v.g2, v.b2);
            const r = tf.leakyRelu(
              conv2d(
                tf.leakyRelu(conv2d(y, v.w3 as unknown as tf.Tensor4D, { pad: 'valid' }), 0.1) as tf.Tensor4D,
                v.w4 as unknown as tf.Tensor4D,
              ),
              0.1,
            );
            const out = conv2d(tf.add(r, y) as tf.Tensor4D, v.w5 as unknown as tf.Tensor4D, { pad: 'valid' });
            return tf.mean(tf.square(tf.sub(out, target))) as tf.Scalar;
          }, true)
          ?.dataSync(),
      );
    step(); // warm-up (kernel setup, allocation)
    const t0 = performance.now();
    for (let i = 0; i < STEPS; i++) step();
    const ms = (performance.now() - t0) / STEPS;
    tf.dispose([x, target, ...Object.values(vars)]);
    return { name: `${c.name} (${c.package})`, imgPerS: (BATCH * 1000) / ms, msPerStep: ms };
  } catch (e) {
    return { name: prefer, error: (e as Error).message.split('\n')[0] };
  }
}

async function filterGrad(prefer: Preference): Promise<string> {
  try {
    const c = await selectBackend({ purpose: 'train', prefer });
    const [n, h, ci, co] = [8, 32, 32, 64];
    const x = tf.tensor4d(lcg(n * h * h * ci, 3, 1), [n, h, h, ci]),
      dy = tf.tensor4d(lcg(n * h * h * co, 4, 1), [n, h, h, co]);
    const run = () =>
      tf.tidy(() =>
        (
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
            strides: 1,
            pad: 'same',
            dataFormat: 'NHWC',
            filterShape: [3, 3, ci, co],
          } as never) as tf.Tensor
        ).dataSync(),
      );
    run();
    const reps = 5,
      t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    const ms = (performance.now() - t0) / reps;
    tf.dispose([x, dy]);
    const gflop = (2 * n * h * h * 9 * ci * co) / 1e9;
    return `${c.name}: ${ms.toFixed(1)} ms = ${(gflop / (ms / 1000)).toFixed(1)} GFLOP/s`;
  } catch (e) {
    return `${prefer}: ${(e as Error).message.split('\n')[0]}`;
  }
}

(async () => {
  console.log(
    `small conv net, batch ${BATCH}, ${SIZE}×${SIZE}×3, ${(convFlops() / 1e9).toFixed(3)} GFLOP forward convs/step, mean of ${STEPS} steps after 1 warm-up`,
  );
  const ours = await trainSteps('wasm');
  const peer = await trainSteps('tensorflow');
  const fmt = (r: typeof ours) =>
    'error' in r
      ? `${r.name}: unavailable — ${r.error}`
      : `${r.name}: ${r.imgPerS.toFixed(1)} images/s (${r.msPerStep.toFixed(0)} ms/step)`;
  console.log(`  ours  wasm + our kernels   ${fmt(ours)}`);
  console.log(`  peer  native TensorFlow    ${fmt(peer)}`);
  if (!('error' in ours) && !('error' in peer)) console.log(`  ratio wasm / native = ${(ours.imgPerS / peer.imgPerS).toFixed(2)}×`);
  console.log('Conv2DBackpropFilter alone, 8×32×32×32 → 3×3×32×64:');
  console.log(`  ours  ${await filterGrad('wasm')}`);
  console.log(`  peer  ${await filterGrad('tensorflow')}`);
})();
