// Darknet activations (docs/network.md §Activations) as differentiable tfjs ops on NHWC tensors.
//
// We follow the mathematical definitions everywhere. CPU darknet's generic evaluator returns 0 for
// relu6, swish, mish, hard_mish and normalize_channels* outside the layers that have dedicated code
// (conv: swish/mish/hard_mish/normalize_channels*; shortcut: swish/mish), and relu6 is 0 even in
// conv. GPU darknet implements them properly; so do we, and say so in the docs.

import * as tf from '@tensorflow/tfjs-core';

export const ACTIVATIONS = [
  'linear',
  'leaky',
  'revleaky',
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
  'stair',
  'swish',
  'mish',
  'hard_mish',
  'normalize_channels',
  'normalize_channels_softmax',
  'normalize_channels_softmax_maxval',
] as const;

/** The activation darknet actually uses for a name: unknown names become relu (with a message there). */
export function resolveActivation(name: string | undefined, fallback = 'linear'): string {
  const n = name ?? fallback;
  return (ACTIVATIONS as readonly string[]).includes(n) ? n : 'relu';
}

/** tfjs fused-conv activation equivalent, when one exists. */
export function fusedActivation(
  name: string,
): { activation: 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'leakyrelu' | 'elu'; alpha?: number } | undefined {
  switch (name) {
    case 'linear':
      return { activation: 'linear' };
    case 'relu':
      return { activation: 'relu' };
    case 'relu6':
      return { activation: 'relu6' };
    case 'logistic':
      return { activation: 'sigmoid' };
    case 'leaky':
    case 'revleaky':
      return { activation: 'leakyrelu', alpha: 0.1 };
    case 'elu':
      return { activation: 'elu' };
    default:
      return undefined;
  }
}

/** 1 where x > 0, else 0; its gradient is zero (tf.where's comparison ops have none in tfjs). */
const step = (x: tf.Tensor) => tf.step(x, 0);

/** Per-pixel channel normalisation (darknet's activate_array_normalize_channels*). */
function normalizeChannels(x: tf.Tensor, kind: 'positive' | 'softmax' | 'softmax_maxval'): tf.Tensor {
  const axis = x.rank - 1;
  if (kind === 'positive') {
    const pos = tf.relu(x);
    return tf.div(pos, tf.add(tf.sum(pos, axis, true), 0.0001));
  }
  const shifted = kind === 'softmax_maxval' ? tf.sub(x, tf.max(x, axis, true)) : x;
  const e = tf.exp(shifted);
  return tf.div(e, tf.add(tf.sum(e, axis, true), 0.0001));
}

/** Apply darknet activation `name` to `x` (any rank; channel = last axis for normalize_channels*). */
export function activate(x: tf.Tensor, name: string): tf.Tensor {
  switch (resolveActivation(name)) {
    case 'linear':
      return x;
    case 'leaky':
    case 'revleaky':
      return tf.leakyRelu(x, 0.1);
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'logistic':
      return tf.sigmoid(x);
    case 'loggy':
      return tf.sub(tf.mul(tf.sigmoid(x), 2), 1);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.mul(tf.add(tf.relu(x), tf.mul(tf.sub(tf.exp(tf.neg(tf.relu(tf.neg(x)))), 1), 1.6732)), 1.0507);
    case 'gelu': {
      const inner = tf.add(tf.mul(x, 0.797885), tf.mul(tf.mul(tf.square(x), x), 0.035677));
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
    }
    case 'relie':
      return tf.add(tf.mul(x, 0.01), tf.mul(tf.relu(x), 0.99));
    case 'ramp':
      return tf.add(tf.relu(x), tf.mul(x, 0.1));
    // Continuous piecewise-linear functions written with clip so that they stay differentiable.
    case 'plse':
      return tf.add(tf.add(tf.mul(x, 0.01), tf.mul(tf.clipByValue(x, -4, 4), 0.115)), 0.5);
    case 'hardtan':
      return tf.clipByValue(x, -1, 1);
    case 'lhtan':
      return tf.add(tf.mul(x, 0.001), tf.mul(tf.clipByValue(x, 0, 1), 0.999));
    case 'stair': {
      const n = tf.floor(x);
      const half = tf.floor(tf.div(x, 2));
      const odd = step(tf.sub(tf.mod(n, 2), 0.5));
      return tf.add(tf.mul(odd, tf.sub(x, n)), half);
    }
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    // tf.softplus equals darknet's thresholded softplus (x > 20 → x, x < −20 → eˣ) in float32.
    case 'mish':
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    case 'hard_mish':
      return tf.add(tf.relu(x), tf.mul(tf.mul(step(tf.neg(x)), step(tf.add(x, 2))), tf.add(tf.mul(tf.square(x), 0.5), x)));
    case 'normalize_channels':
      return normalizeChannels(x, 'positive');
    case 'normalize_channels_softmax':
      return normalizeChannels(x, 'softmax');
    case 'normalize_channels_softmax_maxval':
      return normalizeChannels(x, 'softmax_maxval');
    default:
      throw new Error(`unreachable activation ${name}`);
  }
}
