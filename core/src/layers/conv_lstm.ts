// [conv_lstm] (conv_lstm_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const conv_lstm = recurrent('conv_lstm');
