// The warning every prune command gives, never a refusal, before cutting channels whose γ are not near
// zero (docs/pruning.md §Sparsity verdict).

import { pruneWarning, verdictText, type SparsityVerdict } from '../core/src/prune/sparsity-verdict';
import type { Reporter } from './events';

export function warnIfNotNearZero(rep: Reporter, v: SparsityVerdict | undefined): void {
  const w = v && pruneWarning(v);
  if (w) rep.note('warning', `${w}\n${verdictText(v!)}`);
}
