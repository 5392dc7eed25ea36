import { analyseText } from '../../core/src/cfg/analyse';
import type { Diagnostic } from '../../core/src/cfg/network';
import { escapeControls, jsonForTerminal } from '../../core/src/text/escape';
import { numberFlag, parseArgs, requirePositionals } from '../args';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';

export const USAGE = 'darknet-pruner check <cfg> [--width W --height H] [--json]';

/** `file:line:col: severity code message`, as check prints it (info prints its errors the same way). */
export const diagnosticLine = (file: string, d: Diagnostic): string =>
  escapeControls(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`);

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, { values: ['width', 'height'] });
  const [cfg] = requirePositionals(args, ['<cfg>'], USAGE);
  const net = analyseText(readCfgFile(cfg), { width: numberFlag(args, 'width', { min: 1, integer: true }), height: numberFlag(args, 'height', { min: 1, integer: true }) });
  const diags = [...net.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const errors = diags.filter((d) => d.severity === 'error').length;
  if (args.flags.has('json')) {
    ctx.out(jsonForTerminal({
      file: cfg, errors, warnings: diags.filter((d) => d.severity === 'warning').length,
      diagnostics: diags.map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1, severity: d.severity, code: d.code, message: d.message, layer: d.layer ?? null })),
    }, 1));
  } else {
    for (const d of diags) ctx.out(diagnosticLine(cfg, d));
    if (diags.length === 0) ctx.err(`${cfg}: no problems (${net.layers.length} layers)`);
  }
  return errors > 0 ? 1 : 0;
}
