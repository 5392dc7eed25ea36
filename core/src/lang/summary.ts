// The one-line network summary the editor shows in its language status (sent by the server with
// each diagnostics push, from the same analysis; the notification is typed in core/src/protocol/lsp.ts).

import { formatBflops, type Network } from '../cfg/network';
import { formatInt, inputText } from './describe';

export interface NetworkSummary {
  text: string;
  detail: string;
  errors: number;
}

export interface NetworkSummaryParams {
  uri: string;
  /** Undefined when the document has no layers. */
  summary: NetworkSummary | undefined;
}

export function summarizeNetwork(net: Network): NetworkSummary | undefined {
  if (net.layers.length === 0) return undefined;
  const errors = net.diagnostics.filter((d) => d.severity === 'error').length;
  const t = net.totals;
  const problems = errors === 0 ? 'no errors' : `${errors} error${errors === 1 ? '' : 's'}`;
  return {
    text: `${formatInt(t.layers)} layers · ${formatBflops(t.bflops)} BFLOPs`,
    detail: `${inputText(net)} · ${formatInt(t.params)} params · ${problems}`,
    errors,
  };
}
