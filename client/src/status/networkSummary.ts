// The network figures shown for the active cfg: computed with the core analyser in-process (pure
// JavaScript, a few milliseconds for the largest YOLO cfgs), no request to the language server.

import { analyseText } from '../../../core/src/cfg/analyse';
import { formatBflops } from '../../../core/src/cfg/network';
import { formatInt, inputText } from '../../../core/src/lang/describe';

/** Above this size the summary is skipped (real cfgs are a few tens of kB). */
export const MAX_SUMMARY_CHARS = 2_000_000;

export interface NetworkSummary {
  text: string;
  detail: string;
  errors: number;
}

export function summarizeNetwork(cfgText: string): NetworkSummary | undefined {
  if (cfgText.length > MAX_SUMMARY_CHARS) return undefined;
  const net = analyseText(cfgText);
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
