// The recurrent layer types ([rnn], [gru], [lstm], [crnn], [conv_lstm], [history]): known to the
// schema, not analysed (their shapes depend on time steps darknet-pruner does not model).

import { OPAQUE } from './common';
import type { LayerSpec } from './spec';

export function recurrent<N extends string>(name: N): LayerSpec<N> {
  return {
    name,
    aliases: [],
    role: 'recurrent',
    doc: 'Recurrent layer (not analysed by Darknet Pruner).',
    keys: {},
    unsupported: true,
    analysis: { excluded: 'recurrent layers are not analysed' },
    forward: { excluded: 'recurrent layers are not analysed' },
    onnx: { excluded: 'recurrent layers are not analysed' },
    prune: OPAQUE,
  };
}
