// CLI forward on a classifier: no decoded heads, so it writes the network's output layer (the last
// layer that is not a [cost]) as output_<layer>.f32 in darknet's layout.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNetwork, chwToNHWC } from '../../core/src/nn/model';
import { darknetLayout } from '../../core/src/nn/heads';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { analyse, maxAbsDiff, ramp, useBackend } from './helpers';
import { runMain as cli } from '../cli/in-process';
import { tempDir } from '../tmp';

before(async () => {
  await useBackend('infer');
});

const CLASSIFIER = `[net]
width=16
height=16
channels=3

[convolutional]
batch_normalize=1
filters=8
size=3
stride=2
pad=1
activation=leaky

[convolutional]
filters=10
size=1
stride=1
pad=1
activation=linear

[avgpool]

[softmax]
groups=1

[cost]
type=sse
`;

test("CLI forward writes a classifier's softmax output as output_<layer>.f32, equal to the in-process forward", async () => {
  const dir = tempDir('dnp-forward-cls-');
  const net = analyse(CLASSIFIER);
  const w = synthesizeWeights(net);
  writeFileSync(join(dir, 'n.cfg'), CLASSIFIER);
  writeFileSync(join(dir, 'n.weights'), serializeWeights(net, w));
  const input = ramp(16 * 16 * 3, 5, 0, 1);
  writeFileSync(join(dir, 'in.f32'), new Uint8Array(input.buffer));
  const r = await cli([
    'forward',
    join(dir, 'n.cfg'),
    join(dir, 'n.weights'),
    '--input',
    join(dir, 'in.f32'),
    '--out-dir',
    join(dir, 'out'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out) as { outputs: { layer: number; type: string; file: string; shape: number[]; floats: number }[] };
  assert.deepEqual(
    report.outputs.map((o) => [o.layer, o.type, o.shape, o.floats]),
    [[3, 'softmax', [1, 1, 10], 10]],
  );
  const b = readFileSync(join(dir, 'out', 'output_3.f32'));
  const got = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  assert.ok(Math.abs(got.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  const m = buildNetwork(net, w);
  const x = chwToNHWC(input, 16, 16, 3);
  const t = m.forward(x, { outputs: [3] }).get(3)!;
  assert.equal(maxAbsDiff(got, darknetLayout(net.layers[3], t.dataSync() as Float32Array, t.shape)), 0);
  t.dispose();
  x.dispose();
  m.dispose();
});
