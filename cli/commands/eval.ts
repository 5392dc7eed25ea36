// darknet-pruner eval: P, R, F1, mAP@0.5 and mAP@0.5:0.95 on a darknet-layout dataset with the
// reference tool's protocol (docs/evaluation.md §Protocol; core/src/eval).

import { analyseText } from '../../core/src/cfg/analyse';
import { openDataset } from '../dataset-input';
import type { EvalReport, HeadSource } from '../../core/src/eval/evaluate';
import { readWeightsFile } from '../../core/src/weights/read';
import { CliError, defineCommand, parseArgs } from '../args';
import { EVAL_RUNTIME_NAMES, evalRuntime } from '../../core/src/eval/runtimes';
import { requireRuntime } from '../runtime-input';
import { makeReporter } from '../events';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';
import { requireAnalysable } from '../network';

export const SPEC = defineCommand({
  command: 'eval',
  summary: "P, R, F1, mAP@0.5 and mAP@0.5:0.95 on a darknet-layout dataset, with the reference tool's protocol.",
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    data: { type: 'path', placeholder: '<file.data>', required: true, description: 'the dataset (its valid= list is evaluated)' },
    conf: { type: 'number', min: 0, max: 1, default: 0.001, description: 'detections below this score are dropped' },
    'nms-iou': { type: 'number', min: 0, max: 1, default: 0.5, description: 'NMS IoU threshold' },
    nms: {
      type: 'enum',
      values: ['merge', 'darknet'],
      default: 'merge',
      description: "NMS: the reference's MERGE (weighted boxes) or darknet's greedy sort",
    },
    'pr-at-score': {
      type: 'number',
      min: 0,
      max: 1,
      placeholder: 'T',
      description: 'P and R at this score (default: at the end of the PR curve)',
    },
    width: { type: 'int', min: 1, placeholder: 'W', description: "network input width instead of the cfg's" },
    height: { type: 'int', min: 1, placeholder: 'H', description: "network input height instead of the cfg's" },
    letterbox: { type: 'boolean', description: 'letterbox the images (default: as the cfg says)' },
    limit: { type: 'int', min: 1, placeholder: 'N', description: 'the first N images only' },
    runtime: {
      type: 'enum',
      values: EVAL_RUNTIME_NAMES,
      default: 'tfjs',
      description: 'what runs the network (darknet-pruner env shows which are here)',
    },
  },
});
export const SPECS = [SPEC];

const f3 = (v: number) => v.toFixed(3);

export function reportTable(r: EvalReport, names: string[] | undefined): string {
  const rows = [['Class', 'Targets', 'Preds', 'P', 'R', 'mAP@0.5', 'mAP@.5:.95', 'F1']];
  rows.push(['all', String(r.targets), String(r.predictions), f3(r.precision), f3(r.recall), f3(r.map50), f3(r.map), f3(r.f1)]);
  for (const c of r.classes)
    rows.push([
      names?.[c.cls] || String(c.cls),
      String(c.targets),
      String(c.predictions),
      f3(c.precision),
      f3(c.recall),
      f3(c.ap50),
      f3(c.ap),
      f3(c.f1),
    ]);
  const widths = rows[0].map((_, j) => rows.reduce((m, row) => Math.max(m, row[j].length), -Infinity));
  return rows.map((row) => row.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ')).join('\n');
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const [cfg, weightsPath] = args.positionals;
  const { data: dataPath, conf, 'nms-iou': nmsIou, nms: nmsMode, 'pr-at-score': prAtScore, limit, width, height } = args.values;
  const size = { width, height };
  const reporter = makeReporter(args.values['json-events']);

  const net = requireAnalysable(analyseText(readCfgFile(cfg), size), cfg);
  const { data, list, classes } = openDataset(dataPath, net, cfg, ctx);
  const weights = readWeightsFile(weightsPath, net);

  const { evaluate } = await import('../../core/src/eval/evaluate');
  const runtime = await requireRuntime(evalRuntime(args.values.runtime));
  let source: HeadSource;
  try {
    source = await runtime.source(net, weights);
  } catch (e) {
    throw new CliError(`${cfg}: ${String((e as Error).message).split('\n')[0]}`, 1);
  }
  let report: EvalReport;
  try {
    report = await evaluate(net, source, list, classes, {
      conf,
      nmsIou,
      nms: nmsMode,
      prAtScore,
      limit,
      letterbox: args.values.letterbox || undefined,
      onImage: (done, total) => {
        if (done === total || done % 25 === 0) reporter.progress(`eval: ${done}/${total} images`, done / total);
      },
    });
  } finally {
    await source.dispose();
  }
  const m = report.missingLabels;
  if (m)
    ctx.err(
      `darknet-pruner: warning: ${report.imagesWithoutLabels} image(s) have no label file (counted as images without objects), e.g. ${m.image}: tried ${m.tried.join(', ')}`,
    );
  const result = { cfg, weights: weightsPath, data: dataPath, names: data.names, ...report };
  if (reporter.events) reporter.emit({ type: 'result', command: 'eval', data: result });
  else if (args.values.json) ctx.out(JSON.stringify(result));
  else {
    ctx.out(`${report.runtime}`);
    ctx.out(
      `${report.images} images at ${net.net.width}×${net.net.height}${report.options.letterbox ? ' (letterbox)' : ''}, conf ${conf}, NMS ${nmsMode} IoU ${nmsIou}; P/R ${prAtScore === undefined ? 'at the end of the PR curve' : `at score ${prAtScore}`}; ${report.ms.perImage.toFixed(0)} ms/image`,
    );
    ctx.out(reportTable(report, data.names));
  }
  return 0;
}
