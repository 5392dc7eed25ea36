// Pieces several layer records share: same-shape analysis, identity forward/ONNX, and the two
// plain prune flows.

import type { Block } from '../weights/format';
import type { AnalyseContext, Forward, OnnxContext, Origins, OriginsContext, ParamsContext, PruneFlow } from './spec';

/** Darknet's batch-norm ε (batchnorm_layer.c, fuse_conv_batchnorm). */
export const BN_EPSILON = 1e-5;

/** γ, rolling mean, rolling variance of n channels, in file order. */
export const bnBlocks = (n: number): Block[] => [
  { name: 'scales', length: n },
  { name: 'rolling_mean', length: n },
  { name: 'rolling_variance', length: n },
];

/** Output = input (W×H×C), receptive field unchanged. */
export function sameShape({ layer, input, prev }: AnalyseContext): void {
  if (!input) return;
  layer.output = [...input];
  layer.rf = prev.rf;
}

/** Darknet's "outputs = inputs" layers with a 0×0×0 shape (softmax, cost, contrastive, detection; docs/cfg-format.md §Shapes). */
export function flatOutputs({ layer, input, prev }: AnalyseContext): void {
  if (!input) return;
  layer.output = [0, 0, 0];
  layer.outputs = prev.outputs;
  layer.rf = prev.rf;
}

export const identityForward: Forward = { run: ({ x }) => x.clone() };
export const identityOnnx = ({ x }: OnnxContext): string => x;

/** Channel k of the output is channel k of the input; constants pass unchanged. */
export const PASS: PruneFlow = { channels: 'pass' };
/** The layer mixes or reshapes channels: the convs feeding it keep all their channels. */
export const OPAQUE: PruneFlow = { channels: 'opaque' };

/** Origins of a channel-preserving layer: the input's, when the channel counts agree. */
export function passOrigins({ prev, c, fresh }: OriginsContext): Origins {
  return prev && prev.l.length === c ? { l: prev.l.slice(), ch: prev.ch.slice() } : fresh();
}

/** γ and the rolling statistics of a BN over n channels as variables (γ trainable, the statistics not). */
export function bnVariables({ variable, block }: Pick<ParamsContext, 'variable' | 'block'>, n: number) {
  return {
    scales: variable(
      'scales',
      block('scales', n, () => new Float32Array(n).fill(1)),
      [n],
    ),
    rollingMean: variable(
      'rolling_mean',
      block('rolling_mean', n, () => new Float32Array(n)),
      [n],
      false,
    ),
    rollingVariance: variable(
      'rolling_variance',
      block('rolling_variance', n, () => new Float32Array(n).fill(1)),
      [n],
      false,
    ),
  };
}
