// [gru] (gru_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const gru = recurrent('gru');
