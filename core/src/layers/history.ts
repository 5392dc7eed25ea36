// [history] (history_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const history = recurrent('history');
