// Which layer a line of the cfg belongs to, from the graph's section lines (no `vscode` import, so
// tests can load it): the last layer whose header is at or above the line; null above the first.

import type { GraphNode } from '../../../core/src/protocol/graph';

export function layerAtLine(nodes: Pick<GraphNode, 'index' | 'line'>[], line: number): number | null {
  let lo = 0,
    hi = nodes.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (nodes[m].line <= line) lo = m + 1;
    else hi = m;
  }
  return lo === 0 ? null : nodes[lo - 1].index;
}
