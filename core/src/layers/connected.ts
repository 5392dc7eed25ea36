// [connected] (connected_layer.c; docs/network.md §Layer semantics): fully connected, optional BN, activation.

import type { LayerWeights } from '../weights/read';
import { bnBlocks, bnVariables, OPAQUE } from './common';
import { act, flag, int } from './keys';
import type { ConnectedParams, LayerSpec } from './spec';

export const connected = {
  name: 'connected',
  aliases: ['conn'],
  role: 'dense',
  doc: 'Fully connected layer.',
  keys: { output: int('1', 'Number of outputs.', { min: 1 }), activation: act('logistic'), batch_normalize: flag('Batch normalisation.') },
  analysis: {
    run({ layer, o, a, input, prev }) {
      a.output = o.int('output');
      a.activation = o.str('activation');
      a.batchNormalize = o.int('batch_normalize') !== 0;
      a.dontloadscales = o.int('dontloadscales') !== 0;
      if (!input) return;
      const n = a.output,
        inputs = prev.outputs;
      layer.output = [1, 1, n];
      layer.params = n * inputs + n + (a.batchNormalize ? n : 0);
      layer.weightFloats = n + n * inputs + (a.batchNormalize && !a.dontloadscales ? 3 * n : 0);
    },
  },
  blocks(l) {
    const a = l.attrs,
      n = a.output!;
    const bn = a.batchNormalize && !a.dontloadscales ? bnBlocks(n) : [];
    return [{ name: 'biases', length: n }, { name: 'weights', length: l.weightFloats - n - 3 * (bn.length ? n : 0) }, ...bn];
  },
  fanIn: (l, b) => b.length / l.attrs.output!,
  forward: {
    run({ tf, ops, layer: l, x, params, batchNorm }) {
      const p = params!.connected!;
      let y: ReturnType<typeof tf.add> = tf.matMul(ops.flattenCHW(x), p.weights);
      y = p.scales ? batchNorm(y, p.scales, p.biases, p.rollingMean!, p.rollingVariance!) : tf.add(y, p.biases);
      y = ops.activate(y, ops.resolveActivation(l.attrs.activation, 'logistic'));
      return y.reshape([x.shape[0], 1, 1, -1]);
    },
    params({ layer: l, variable, block, uniform, initialised }) {
      initialised();
      const a = l.attrs,
        n = a.output!;
      const nin = (l.params - n - (a.batchNormalize ? n : 0)) / n;
      const raw = block('weights', n * nin, () => uniform(n * nin, Math.sqrt(2 / nin)));
      // darknet [out][in] → [in, out] (ancient transposed files are not supported here).
      const t = new Float32Array(n * nin);
      for (let o = 0; o < n; o++) for (let i = 0; i < nin; i++) t[i * n + o] = raw[o * nin + i];
      const p: ConnectedParams = {
        weights: variable('weights', t, [nin, n]),
        biases: variable(
          'biases',
          block('biases', n, () => new Float32Array(n)),
          [n],
        ),
      };
      if (a.batchNormalize) Object.assign(p, bnVariables({ variable, block }, n));
      return { connected: p };
    },
    toBlocks(p, l, data) {
      const c = p.connected;
      if (!c) return undefined;
      const [nin, n] = c.weights.shape;
      const t = data(c.weights),
        w = new Float32Array(n * nin);
      for (let o = 0; o < n; o++) for (let i = 0; i < nin; i++) w[o * nin + i] = t[i * n + o];
      const blocks: LayerWeights['blocks'] = { biases: data(c.biases).slice(), weights: w };
      if (c.scales && !l.attrs.dontloadscales) {
        blocks.scales = data(c.scales).slice();
        blocks.rolling_mean = data(c.rollingMean!).slice();
        blocks.rolling_variance = data(c.rollingVariance!).slice();
      }
      return blocks;
    },
  },
  onnx({ g, layer: l, x, act: activation, blocks, need, bn, fold }) {
    const n = l.attrs.output!;
    const nin = l.input![0] * l.input![1] * l.input![2];
    const b = blocks();
    const folded = fold(need(b, 'weights', n * nin), nin, need(b, 'biases', n), bn(b, n));
    const flat = g.op('Flatten', [x], { axis: 1 });
    const y = g.op(
      'Gemm',
      [flat, g.floatTensor(`l${l.index}_weight`, folded.w, [n, nin]), g.floatTensor(`l${l.index}_bias`, folded.b, [n])],
      { transB: 1 },
    );
    return g.op('Reshape', [activation(y, 'logistic'), g.ints([0, n, 1, 1])]);
  },
  prune: OPAQUE,
} satisfies LayerSpec<'connected'>;
