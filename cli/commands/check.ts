import { analyseText } from '../../core/src/cfg/analyse';
import type { Diagnostic } from '../../core/src/cfg/network';
import { escapeControls, jsonForTerminal } from '../../core/src/text/escape';
import { defineCommand, parseArgs } from '../args';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';

export const SPEC = defineCommand({
  command: 'check',
  summary: 'Diagnostics of a cfg as file:line:col: severity code message; exit 1 when there is an error.',
  positionals: [{ name: '<cfg>', description: 'the darknet .cfg' }],
  flags: {
    width: { type: 'int', min: 1, placeholder: 'W', description: "network input width instead of the cfg's" },
    height: { type: 'int', min: 1, placeholder: 'H', description: "network input height instead of the cfg's" },
  },
});
export const SPECS = [SPEC];

/** `file:line:col: severity code message`, as check prints it (info prints its errors the same way). */
export const diagnosticLine = (file: string, d: Diagnostic): string =>
  escapeControls(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`);

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const [cfg] = args.positionals;
  const net = analyseText(readCfgFile(cfg), { width: args.values.width, height: args.values.height });
  const diags = [...net.diagnostics].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  const errors = diags.filter((d) => d.severity === 'error').length;
  if (args.values.json) {
    ctx.out(
      jsonForTerminal(
        {
          file: cfg,
          errors,
          warnings: diags.filter((d) => d.severity === 'warning').length,
          diagnostics: diags.map((d) => ({
            line: d.range.start.line + 1,
            column: d.range.start.character + 1,
            endLine: d.range.end.line + 1,
            endColumn: d.range.end.character + 1,
            severity: d.severity,
            code: d.code,
            message: d.message,
            layer: d.layer ?? null,
          })),
        },
        1,
      ),
    );
  } else {
    for (const d of diags) ctx.out(diagnosticLine(cfg, d));
    if (diags.length === 0) ctx.err(`${cfg}: no problems (${net.layers.length} layers)`);
  }
  return errors > 0 ? 1 : 0;
}
