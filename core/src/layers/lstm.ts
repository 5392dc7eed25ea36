// [lstm] (lstm_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const lstm = recurrent('lstm');
