// Builders for the key tables of the layer records, and the keys every layer shares.

import type { KeySpec } from './spec';

export const ACTIVATIONS = [
  'logistic',
  'loggy',
  'relu',
  'elu',
  'selu',
  'gelu',
  'relie',
  'ramp',
  'linear',
  'tanh',
  'plse',
  'leaky',
  'stair',
  'hardtan',
  'lhtan',
  'swish',
  'mish',
  'hard_mish',
  'normalize_channels',
  'normalize_channels_softmax',
  'normalize_channels_softmax_maxval',
  'relu6',
  'revleaky',
] as const;

export const int = (def: string | undefined, doc: string, extra: Partial<KeySpec> = {}): KeySpec => ({
  type: 'int',
  default: def,
  doc,
  ...extra,
});
export const float = (def: string | undefined, doc: string, extra: Partial<KeySpec> = {}): KeySpec => ({
  type: 'float',
  default: def,
  doc,
  ...extra,
});
export const flag = (doc: string): KeySpec => ({ type: 'int', default: '0', doc, min: 0, max: 1 });
export const act = (def: string, doc = 'Activation function applied to the output.'): KeySpec => ({
  type: 'enum',
  default: def,
  doc,
  values: ACTIVATIONS,
});
export const refs = (doc: string, required = true): KeySpec => ({ type: 'refs', doc, required });
export const stream = { stream: int('-1', 'GPU stream.'), wait_stream: int('-1', 'GPU stream to wait for.') };

/** Keys darknet's generic layer loop reads for every layer. */
export const COMMON_KEYS: Record<string, KeySpec> = {
  clip: float('0', 'Clip the layer output to [-clip, clip] during training (0 = off).'),
  onlyforward: flag('Training only: skip the backward pass of this layer.'),
  dont_update: flag("Training only: freeze this layer's weights."),
  burnin_update: flag('Training only: update this layer only during burn-in.'),
  stopbackward: int(
    '0',
    'Training only: stop back-propagation at this layer (freezes everything before it); values > 1 apply for that many iterations.',
    { min: 0 },
  ),
  train_only_bn: flag('Training only: train only the batch-norm parameters of the layers before this one.'),
  learning_rate: float('1', 'Per-layer learning-rate scale.'),
  dontload: flag('When 1, this layer is skipped when reading .weights: it consumes no bytes.'),
  dontloadscales: flag('When 1, batch-norm γ/mean/variance are not read from .weights.'),
  dontsave: flag('When 1, this layer is not written when saving .weights.'),
};
