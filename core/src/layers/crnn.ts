// [crnn] (crnn_layer.c): recurrent, not analysed (layers/recurrent.ts).

import { recurrent } from './recurrent';

export const crnn = recurrent('crnn');
