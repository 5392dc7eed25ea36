// Darknet's "outputs = inputs" layers with a 0×0×0 shape ([softmax], [cost], [contrastive],
// [detection]; darknet-format.md §3.13–§3.14).

import type { AnalyseContext } from './spec';
import { flatOutputs } from './common';

export function analyseFlat(ctx: AnalyseContext): void {
  ctx.a.softmaxGroups = ctx.o.int('groups', 1);
  ctx.a.temperature = ctx.o.float('temperature', 1);
  flatOutputs(ctx);
}
