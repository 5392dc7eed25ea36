import { analyseText } from '../../cfg/analyse';
import { parseArgs, requirePositionals } from '../args';
import { readTextFile } from '../io';
import type { CommandContext } from '../main';

export const USAGE = 'darknet-pruner check <cfg> [--json]';

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, {});
  const [cfg] = requirePositionals(args, ['<cfg>'], USAGE);
  const net = analyseText(readTextFile(cfg));
  const diags = [...net.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const errors = diags.filter((d) => d.severity === 'error').length;
  if (args.flags.has('json')) {
    ctx.out(JSON.stringify({
      file: cfg, errors, warnings: diags.filter((d) => d.severity === 'warning').length,
      diagnostics: diags.map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1, endColumn: d.range.end.character + 1, severity: d.severity, code: d.code, message: d.message, layer: d.layer ?? null })),
    }, null, 1));
  } else {
    for (const d of diags) ctx.out(`${cfg}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`);
    if (diags.length === 0) ctx.err(`${cfg}: no problems (${net.layers.length} layers)`);
  }
  return errors > 0 ? 1 : 0;
}
