// darknet-pruner data check <file.data>: the dataset validated before training (core/src/data/check.ts).

import { checkDataset, errorSummary, type CheckReport } from '../../core/src/data/check';
import { defineCommand, parseArgs } from '../args';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';

export const SPEC = defineCommand({
  command: 'data check',
  summary:
    'A darknet-layout dataset validated before training: lists, label files, boxes, images; per-class counts and box sizes. Exit 1 when there is an error.',
  positionals: [{ name: '<file.data>', description: "the dataset's .data file" }],
  flags: {
    'no-decode': { type: 'boolean', description: 'check image headers only, without decoding every image' },
  },
});

function table(r: CheckReport): string[] {
  const names = r.names ?? [];
  const w = Math.max(5, ...names.map((n) => n.length));
  const most = Math.max(1, ...r.sizeHistogram.map((b) => b.count));
  return [
    `${r.images} images (${r.lists.map((l) => `${l.role} ${l.images}`).join(', ')}), ${r.backgroundImages} background (empty label file), ${r.boxes} boxes, ${r.classes} classes`,
    '',
    `${'class'.padEnd(w)}  boxes`,
    ...r.perClass.map((n, i) => `${(names[i] || String(i)).padEnd(w)}  ${String(n).padStart(5)}`),
    '',
    'box size sqrt(w·h) as a fraction of the image:',
    ...r.sizeHistogram.map(
      (b) => `  ${b.label.padEnd(9)} ${String(b.count).padStart(6)}  ${'#'.repeat(Math.round((40 * b.count) / most))}`,
    ),
  ];
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const [dataPath] = args.positionals;
  const reporter = makeReporter(args.values['json-events']);
  // a .data file that cannot be read at all is a DatasetError (a UserError: one line, exit 1)
  const report: CheckReport = checkDataset(dataPath, {
    decode: !args.values['no-decode'],
    onImage: (done, total) => {
      if (done === total || done % 100 === 0) reporter.progress(`data check: ${done}/${total} images`, done / total);
    },
  });
  for (const w of report.warnings) ctx.err(`darknet-pruner: warning: ${w}`);
  if (reporter.events) reporter.emit({ type: 'result', command: 'data check', data: report });
  else if (args.values.json) ctx.out(JSON.stringify(report));
  else ctx.out(table(report).join('\n'));
  if (report.errorCount > 0) {
    ctx.err(`darknet-pruner: ${errorSummary(report)}`);
    return 1;
  }
  return 0;
}
