// [crop] end to end (core/src/layers/crop.ts): darknet's shapes and figures, no .weights floats, the
// TF.js forward against darknet's loop, the ONNX export against TF.js, and channel pruning through it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { layerSpec } from '../../core/src/cfg/schema';
import { exportOnnx } from '../../core/src/export/onnx';
import { createOrtSession } from '../../core/src/export/ort';
import { selectBackend } from '../../core/src/nn/backend';
import { darknetLayout } from '../../core/src/nn/heads';
import { buildNetwork, chwToNHWC, NetworkBuildError } from '../../core/src/nn/model';
import { pruneChannels } from '../../core/src/prune/channel';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { layerBlocks } from '../../core/src/weights/format';
import { parseWeights, type DarknetWeights } from '../../core/src/weights/read';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { maxAbs, maxAbsDiff } from '../export/helpers';

// ONNX Runtime runs beside the wasm backend only (never tfjs-node in the same process).
before(async () => {
  await selectBackend({ purpose: 'infer', prefer: 'wasm' });
});

const CROP_FIRST = `[net]
width=11
height=9
channels=3

[crop]
crop_width=6
crop_height=4

[convolutional]
batch_normalize=1
filters=5
size=3
pad=1
activation=leaky
`;

/** darknet's forward_crop_layer at inference (CHW). */
function darknetCrop(input: Float32Array, w: number, h: number, c: number, ow: number, oh: number, noadjust: boolean): Float32Array {
  const dh = Math.trunc((h - oh) / 2),
    dw = Math.trunc((w - ow) / 2);
  const scale = noadjust ? 1 : 2,
    trans = noadjust ? 0 : -1;
  const out = new Float32Array(ow * oh * c);
  let k = 0;
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) out[k++] = Math.fround(input[(ch * h + i + dh) * w + j + dw] * scale + trans);
  return out;
}

test('analysis: W′×H′×C′ = crop_width × crop_height × c, no params, no BFLOPs, no .weights floats', () => {
  const net = analyseText(CROP_FIRST);
  assert.deepEqual(net.diagnostics, []);
  const l = net.layers[0];
  assert.equal(l.type, 'crop');
  assert.equal(layerSpec('crop'), l.spec);
  assert.deepEqual([l.input, l.output, l.outputs, l.params, l.bflops, l.weightFloats], [[11, 9, 3], [6, 4, 3], 72, 0, 0, 0]);
  assert.deepEqual(net.layers[1].input, [6, 4, 3]);
  assert.deepEqual(layerBlocks(l), []);
  const w = synthesizeWeights(net);
  assert.equal(parseWeights(serializeWeights(net, w), net).totalFloats, net.layers[1].weightFloats);
});

test('a crop larger than its input is an error (darknet reads outside the input) and is not built', () => {
  const net = analyseText(CROP_FIRST.replace('crop_width=6', 'crop_width=12'));
  const d = net.diagnostics.find((x) => x.code === 'shape-mismatch');
  assert.ok(d && d.severity === 'error' && /crop 12×4 is larger than the input 11×9/.test(d.message), JSON.stringify(net.diagnostics));
  assert.throws(
    () => buildNetwork(net, undefined),
    (e: Error) => e instanceof NetworkBuildError && /layer 0 \[crop\].*larger than the input/.test(e.message),
  );
});

for (const noadjust of [false, true]) {
  test(`TF.js forward equals darknet's centred crop${noadjust ? ' with noadjust=1' : ' mapped to [−1, 1]'}`, () => {
    const net = analyseText(noadjust ? CROP_FIRST.replace('crop_height=4', 'crop_height=4\nnoadjust=1') : CROP_FIRST);
    const input = synthesizeInput(11, 9, 3);
    const m = buildNetwork(net, synthesizeWeights(net), { trainable: false });
    const x = chwToNHWC(input, 11, 9, 3);
    const t = m.forward(x, { outputs: [0] }).get(0)!;
    const got = darknetLayout(net.layers[0], t.dataSync() as Float32Array, t.shape);
    assert.equal(maxAbsDiff(got, darknetCrop(input, 11, 9, 3, 6, 4, noadjust)), 0);
    t.dispose();
    x.dispose();
    m.dispose();
  });
}

test('ONNX export equals the TF.js forward on every layer', async () => {
  const net = analyseText(CROP_FIRST);
  const weights = synthesizeWeights(net);
  const input = synthesizeInput(11, 9, 3);
  const ex = exportOnnx(net, weights, { layers: [0, 1] });
  const s = await createOrtSession(ex.bytes);
  const ort = await s.run(input, [1, 3, 9, 11]);
  await s.release();
  const m = buildNetwork(net, weights, { trainable: false });
  const x = chwToNHWC(input, 11, 9, 3);
  const outs = m.forward(x, { outputs: [0, 1] });
  for (const i of [0, 1]) {
    const t = outs.get(i)!;
    const ref = darknetLayout(net.layers[i], t.dataSync() as Float32Array, t.shape);
    assert.ok(maxAbsDiff(ort[`layer_${i}`].data, ref) <= 2e-5 * Math.max(1, maxAbs(ref)), `layer ${i}`);
  }
  for (const t of outs.values()) t.dispose();
  x.dispose();
  m.dispose();
});

test('channel pruning flows through [crop]: the conv before it is prunable, and the compact model equals the masked one', () => {
  const cfg = `[net]\nwidth=10\nheight=10\nchannels=3
[convolutional]\nbatch_normalize=1\nfilters=8\nsize=3\npad=1\nactivation=leaky
[crop]\ncrop_width=6\ncrop_height=6
[convolutional]\nfilters=4\nsize=1\nactivation=linear
`;
  const net = analyseText(cfg);
  assert.deepEqual(net.diagnostics, []);
  assert.deepEqual(analyseChannelStructure(net).prunable, [0]);
  const w = synthesizeWeights(net, 3);
  const r = pruneChannels(net, w, { globalPercent: 0.5 });
  const mask = r.evaluation.plan.masks[0]!;
  assert.ok(mask.includes(0) && r.net.layers[1].output![2] < 8, 'the crop got narrower');
  assert.deepEqual(r.net.layers[1].output!.slice(0, 2), [6, 6]);
  // The masked model: pruned channels keep β and get γ = 0, so they emit the constant leaky(β),
  // which crop maps to 2·leaky(β) − 1 and the compact model folds into the last conv's bias.
  const masked = {
    ...w,
    layers: w.layers.map(
      (lw) => lw && { layer: lw.layer, blocks: Object.fromEntries(Object.entries(lw.blocks).map(([k, v]) => [k, v!.slice()])) },
    ),
  };
  mask.forEach((keep, k) => {
    if (!keep) masked.layers[0]!.blocks.scales![k] = 0;
  });
  const input = synthesizeInput(10, 10, 3);
  const run = (n: Network, wts: DarknetWeights) => {
    const m = buildNetwork(n, wts, { trainable: false });
    const x = chwToNHWC(input, 10, 10, 3);
    const t = m.forward(x, { outputs: [2] }).get(2)!;
    const d = t.dataSync() as Float32Array;
    t.dispose();
    x.dispose();
    m.dispose();
    return d;
  };
  const diff = maxAbsDiff(run(r.net, r.weights), run(net, masked));
  assert.ok(diff < 1e-5, `max |Δ| = ${diff}`);
});
