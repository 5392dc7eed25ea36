// Shared CLI checks on an analysed cfg before a command uses it.

import type { Network } from '../core/src/cfg/network';
import { escapeControls } from '../core/src/text/escape';
import { CliError } from './args';

/** Refuse a cfg with errors or unknown shapes, naming the first problem with file:line. */
export function requireAnalysable(net: Network, file: string): Network {
  const err = net.diagnostics.find((d) => d.severity === 'error');
  if (err) {
    const more = net.diagnostics.filter((d) => d.severity === 'error').length - 1;
    throw new CliError(
      escapeControls(
        `${file}:${err.range.start.line + 1}:${err.range.start.character + 1}: ${err.code} ${err.message}${more > 0 ? ` (and ${more} more error(s); run darknet-pruner check)` : ''}`,
      ),
      1,
    );
  }
  const unknown = net.layers.find((l) => !l.output);
  if (unknown)
    throw new CliError(`${file}:${unknown.section.line + 1}: layer ${unknown.index} (${unknown.type}): shape unknown, cannot continue`, 1);
  return net;
}
