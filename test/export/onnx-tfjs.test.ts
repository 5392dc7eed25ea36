// The ONNX export equals our tfjs network (wasm backend; never tfjs-node next to onnxruntime-node):
// every layer's output on small cfgs covering each layer type and activation the exporter handles,
// at opsets 13 (Mish as Softplus·Tanh·Mul, ReduceMax axes attribute) and 18, and the heads of every
// corpus detector at a reduced input size.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { exportOnnx, OnnxExportError } from '../../core/src/export/onnx';
import { createOrtSession } from '../../core/src/export/ort';
import { selectBackend } from '../../core/src/nn/backend';
import { buildNetwork, chwToNHWC } from '../../core/src/nn/model';
import { corpusCfgs, readCfg } from '../corpus';
import { maxAbs, maxAbsDiff } from './helpers';

/** Absolute tolerance, scaled by the tensor's magnitude (float32 accumulation order differs). */
const REL = 2e-5;

before(async () => {
  await selectBackend({ purpose: 'infer', prefer: 'wasm' });
});

function nhwcToNchw(t: tf.Tensor): Float32Array {
  const [n, h, w, c] = t.shape;
  const d = t.dataSync();
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          out[((b * c + ch) * h + y) * w + x] = d[((b * h + y) * w + x) * c + ch];
        }
  return out;
}

function analyse(text: string, size?: { width: number; height: number }): Network {
  const net = analyseText(text, size ?? {});
  const err = net.diagnostics.find((d) => d.severity === 'error');
  if (err) throw new Error(`cfg line ${err.range.start.line + 1}: ${err.message}`);
  return net;
}

/** Compare tfjs and ORT on `layers` (default: every layer); returns the worst relative diff. */
async function compare(
  net: Network,
  opts: { opset?: number; layers?: number[]; heads?: boolean; mish?: 'op' | 'softplus' | 'exp' },
): Promise<{ worst: number; where: string }> {
  const weights = synthesizeWeights(net);
  const { width: w, height: h, channels: c } = net.net;
  const input = synthesizeInput(w, h, c);
  const layers = opts.heads ? [] : (opts.layers ?? net.layers.map((l) => l.index));
  const ex = exportOnnx(net, weights, { opset: opts.opset, layers, mish: opts.mish });
  const s = await createOrtSession(ex.bytes);
  const ort = await s.run(input, [1, c, h, w]);
  await s.release();
  const model = buildNetwork(net, weights, { trainable: false });
  const x = chwToNHWC(input, w, h, c);
  const wanted = opts.heads ? ex.heads.map((hd) => hd.layer) : layers;
  const outs = model.forward(x, { outputs: wanted, heads: 'raw' });
  x.dispose();
  let worst = 0,
    where = '';
  try {
    for (const o of ex.outputs) {
      const ref = nhwcToNchw(outs.get(o.layer!)!);
      const got = ort[o.name].data;
      const rel = maxAbsDiff(got, ref) / Math.max(1, maxAbs(ref));
      if (!(rel <= worst)) {
        worst = Number.isNaN(rel) ? Infinity : rel;
        where = `${o.name} (${net.layers[o.layer!].type})`;
      }
    }
  } finally {
    for (const t of outs.values()) t.dispose();
    model.dispose();
  }
  return { worst, where };
}

const ACTS = [
  'linear',
  'leaky',
  'relu',
  'relu6',
  'logistic',
  'loggy',
  'tanh',
  'elu',
  'selu',
  'gelu',
  'relie',
  'ramp',
  'plse',
  'hardtan',
  'lhtan',
  'swish',
  'mish',
  'hard_mish',
  'normalize_channels',
  'normalize_channels_softmax',
  'normalize_channels_softmax_maxval',
];

const CASES: Record<string, string> = {
  activations: [
    '[net]\nwidth=12\nheight=10\nchannels=3',
    '[convolutional]\nfilters=6\nsize=3\npad=1\nactivation=linear',
    ...ACTS.flatMap((a) => [`[convolutional]\nfilters=6\nsize=1\nbatch_normalize=1\nactivation=${a}`, '[route]\nlayers=-2']),
  ].join('\n\n'),
  'conv-pool': `[net]\nwidth=26\nheight=22\nchannels=3
[convolutional]\nfilters=8\nsize=3\nstride=2\npad=1\nbatch_normalize=1\nactivation=leaky
[convolutional]\nfilters=8\nsize=3\ndilation=2\npad=1\ngroups=2\nactivation=mish
[convolutional]\nfilters=8\nsize=3\nstride_x=2\nstride_y=1\npad=1\ngroups=8\nactivation=swish
[convolutional]\nfilters=6\nsize=3\nstride=2\npad=1\nantialiasing=1\nbatch_normalize=1\nactivation=leaky
[maxpool]\nsize=2\nstride=2
[maxpool]\nsize=2\nstride=1
[maxpool]\nsize=3\nstride=2
[route]\nlayers=-4
[maxpool]\nsize=5\nstride=1
[maxpool]\nsize=2\nstride=2\nantialiasing=2
[local_avgpool]\nsize=3\nstride=2
[route]\nlayers=-3
[maxpool]\nmaxpool_depth=1\nout_channels=4
[avgpool]`,
  'route-shortcut': `[net]\nwidth=16\nheight=16\nchannels=3
[convolutional]\nfilters=8\nsize=3\npad=1\nbatch_normalize=1\nactivation=leaky
[convolutional]\nfilters=12\nsize=1\nactivation=leaky
[route]\nlayers=-1\ngroups=2\ngroup_id=1
[route]\nlayers=-1,-3
[shortcut]\nfrom=-3\nactivation=linear
[convolutional]\nfilters=6\nsize=1\nactivation=linear
[shortcut]\nfrom=-2
[shortcut]\nfrom=-3,-6\nweights_type=per_channel\nweights_normalization=softmax\nactivation=mish
[shortcut]\nfrom=-1\nweights_type=per_feature\nweights_normalization=relu\nactivation=swish
[upsample]\nstride=2
[upsample]\nstride=-4\nscale=0.25
[reorg3d]\nstride=2
[route]\nlayers=0
[reorg]\nstride=2`,
  'attention-fc': `[net]\nwidth=8\nheight=8\nchannels=3
[convolutional]\nfilters=8\nsize=3\npad=1\nbatch_normalize=1\nactivation=leaky
[convolutional]\nfilters=8\nsize=1\nactivation=logistic
[sam]\nfrom=-2
[avgpool]
[convolutional]\nfilters=8\nsize=1\nactivation=logistic
[scale_channels]\nfrom=-3
[convolutional]\nfilters=1\nsize=1\nactivation=logistic
[scale_channels]\nfrom=-2\nscale_wh=1
[batchnorm]
[activation]\nactivation=hard_mish
[dropout]\nprobability=0.3
[connected]\noutput=10\nbatch_normalize=1\nactivation=leaky
[connected]\noutput=6\nactivation=linear
[softmax]\ngroups=2`,
};

for (const [name, cfg] of Object.entries(CASES)) {
  for (const [opset, mish] of [
    [13, undefined],
    [18, undefined],
    [18, 'exp'],
  ] as const) {
    test(`layer coverage "${name}", opset ${opset}${mish ? `, mish=${mish}` : ''}: every layer's ONNX output equals tfjs`, async (t) => {
      const net = analyse(cfg);
      const { worst, where } = await compare(net, { opset, mish });
      t.diagnostic(`max diff / max(1, max|ref|) = ${worst.toExponential(2)} at ${where}`);
      assert.ok(worst <= REL, `${where}: ${worst}`);
    });
  }
}

test('a layer ONNX cannot express is refused with the layer and line', () => {
  const net = analyse(
    '[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\nsize=1\n\n[implicit]\nfilters=4\n[convolutional]\nfilters=6\nsize=1\n[yolo]\nclasses=1\nnum=1\nmask=0\nanchors=1,1',
  );
  assert.throws(
    () => exportOnnx(net, synthesizeWeights(net)),
    (e: Error) => e instanceof OnnxExportError && /layer 1 \[implicit\] \(line 9\)/.test(e.message),
  );
});

test('mish=exp: yolov4 at 64×64, heads equal tfjs', async (t) => {
  const net = analyse(readCfg('yolov4.cfg'), { width: 64, height: 64 });
  const { worst, where } = await compare(net, { heads: true, mish: 'exp' });
  t.diagnostic(`max diff / max(1, max|ref|) = ${worst.toExponential(2)} at ${where}`);
  assert.ok(worst <= REL, `${where}: ${worst}`);
});

// Every corpus detector at 64×64 (all have a stride-32 head): heads only.
const DETECTORS = corpusCfgs().filter((f) => /\[(yolo|Gaussian_yolo|region)\]/.test(readCfg(f)));
for (const f of DETECTORS) {
  test(`corpus ${f} at 64×64: ONNX heads equal tfjs`, async (t) => {
    const net = analyse(readCfg(f), { width: 64, height: 64 });
    const { worst, where } = await compare(net, { heads: true });
    t.diagnostic(`max diff / max(1, max|ref|) = ${worst.toExponential(2)} at ${where}`);
    assert.ok(worst <= REL, `${where}: ${worst}`);
  });
}

// Classifiers (no heads; the export outputs the last layer): the last three layers (logits, pooling, softmax).
for (const f of ['darknet19.cfg', 'csdarknet53-omega.cfg']) {
  test(`corpus classifier ${f} at 64×64: the last layers' ONNX outputs equal tfjs`, async (t) => {
    const net = analyse(readCfg(f), { width: 64, height: 64 });
    const n = net.layers.length;
    const { worst, where } = await compare(net, { layers: [n - 3, n - 2, n - 1] });
    t.diagnostic(`max diff / max(1, max|ref|) = ${worst.toExponential(2)} at ${where}`);
    assert.ok(worst <= REL, `${where}: ${worst}`);
  });
}
