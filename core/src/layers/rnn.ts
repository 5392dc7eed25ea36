// [rnn] (rnn_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const rnn = recurrent('rnn');
