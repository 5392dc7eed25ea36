// [batchnorm] (batchnorm_layer.c; docs/network.md §Layer semantics): stand-alone batch normalisation.

import { bnBlocks, bnVariables, OPAQUE } from './common';
import type { LayerSpec } from './spec';

export const batchnorm = {
  name: 'batchnorm',
  aliases: [],
  role: 'normalise',
  doc: 'Stand-alone batch normalisation.',
  keys: {},
  analysis: {
    run({ layer, input, prev }) {
      if (!input) return;
      layer.output = [...input];
      layer.params = 2 * input[2];
      layer.weightFloats = 4 * input[2];
      layer.rf = prev.rf;
    },
  },
  blocks: (l) => [{ name: 'biases', length: l.output![2] }, ...bnBlocks(l.output![2])],
  forward: {
    run({ x, params, batchNorm }) {
      const bn = params!.batchnorm!;
      return batchNorm(x, bn.scales, bn.biases, bn.rollingMean, bn.rollingVariance);
    },
    params({ layer: l, variable, block, initialised }) {
      initialised();
      const c = l.output![2];
      return {
        batchnorm: {
          biases: variable(
            'biases',
            block('biases', c, () => new Float32Array(c)),
            [c],
          ),
          ...bnVariables({ variable, block }, c),
        },
      };
    },
    toBlocks: (p, _l, data) =>
      p.batchnorm
        ? {
            biases: data(p.batchnorm.biases).slice(),
            scales: data(p.batchnorm.scales).slice(),
            rolling_mean: data(p.batchnorm.rollingMean).slice(),
            rolling_variance: data(p.batchnorm.rollingVariance).slice(),
          }
        : undefined,
  },
  onnx({ g, layer: l, x, blocks, need, fold }) {
    const c = l.output![2];
    const b = blocks();
    const scales = need(b, 'scales', c),
      mean = need(b, 'rolling_mean', c),
      variance = need(b, 'rolling_variance', c);
    const folded = fold(new Float32Array(c).fill(1), 1, need(b, 'biases', c), { scales, mean, variance });
    const m = g.op('Mul', [x, g.floatTensor(`l${l.index}_scale`, folded.w, [1, c, 1, 1])]);
    return g.op('Add', [m, g.floatTensor(`l${l.index}_shift`, folded.b, [1, c, 1, 1])]);
  },
  prune: OPAQUE,
} satisfies LayerSpec<'batchnorm'>;
