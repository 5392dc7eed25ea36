// darknet-pruner eval: P, R, F1, mAP@0.5 and mAP@0.5:0.95 on a darknet-layout dataset with the
// reference tool's protocol (docs/evaluation.md §Protocol; core/src/eval).

import { analyseText } from '../../core/src/cfg/analyse';
import { DatasetError } from '../../core/src/eval/dataset';
import { openDataset } from '../dataset-input';
import type { EvalReport, HeadSource } from '../../core/src/eval/evaluate';
import { readWeightsFile } from '../../core/src/weights/read';
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag } from '../args';
import { makeReporter } from '../events';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';
import { requireAnalysable } from '../network';

export const USAGE = 'darknet-pruner eval <cfg> <weights> --data <file.data> [--conf 0.001] [--nms-iou 0.5] [--nms merge|darknet] [--pr-at-score T] [--width W --height H] [--letterbox] [--limit N] [--runtime tfjs|onnx|openvino] [--json] [--json-events]';

const f3 = (v: number) => v.toFixed(3);

export function reportTable(r: EvalReport, names: string[] | undefined): string {
  const rows = [['Class', 'Targets', 'Preds', 'P', 'R', 'mAP@0.5', 'mAP@.5:.95', 'F1']];
  rows.push(['all', String(r.targets), String(r.predictions), f3(r.precision), f3(r.recall), f3(r.map50), f3(r.map), f3(r.f1)]);
  for (const c of r.classes) rows.push([names?.[c.cls] || String(c.cls), String(c.targets), String(c.predictions), f3(c.precision), f3(c.recall), f3(c.ap50), f3(c.ap), f3(c.f1)]);
  const widths = rows[0].map((_, j) => rows.reduce((m, row) => Math.max(m, row[j].length), -Infinity));
  return rows.map((row) => row.map((v, j) => (j === 0 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join('  ')).join('\n');
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, {
    values: ['data', 'conf', 'nms-iou', 'nms', 'pr-at-score', 'width', 'height', 'limit', 'runtime'],
    booleans: ['letterbox'],
  });
  const [cfg, weightsPath] = requirePositionals(args, ['<cfg>', '<weights>'], USAGE);
  const dataPath = stringFlag(args, 'data');
  if (!dataPath) throw new CliError(`missing --data <file.data>\nusage: ${USAGE}`);
  const conf = numberFlag(args, 'conf', { min: 0, max: 1 }) ?? 0.001;
  const nmsIou = numberFlag(args, 'nms-iou', { min: 0, max: 1 }) ?? 0.5;
  const nmsMode = stringFlag(args, 'nms') ?? 'merge';
  if (nmsMode !== 'merge' && nmsMode !== 'darknet') throw new CliError(`--nms must be merge or darknet, got "${nmsMode}"`);
  const runtime = stringFlag(args, 'runtime') ?? 'tfjs';
  if (runtime !== 'tfjs' && runtime !== 'onnx' && runtime !== 'openvino') throw new CliError(`--runtime must be tfjs, onnx or openvino, got "${runtime}"`);
  const prAtScore = numberFlag(args, 'pr-at-score', { min: 0, max: 1 });
  const limit = numberFlag(args, 'limit', { integer: true, min: 1 });
  const size = { width: numberFlag(args, 'width', { integer: true, min: 1 }), height: numberFlag(args, 'height', { integer: true, min: 1 }) };
  const reporter = makeReporter(args.flags.has('json-events'));

  const net = requireAnalysable(analyseText(readCfgFile(cfg), size), cfg);
  const { data, list, classes } = openDataset(dataPath, net, cfg, ctx);
  const weights = readWeightsFile(weightsPath, net);

  const { evaluate } = await import('../../core/src/eval/evaluate');
  const { tfjsSource, onnxSource, openvinoSource } = await import('../../core/src/eval/sources');
  const { ImageError } = await import('../../core/src/nn/image');
  const { DecodeError } = await import('../../core/src/nn/decode');
  let source: HeadSource;
  try {
    source = runtime === 'onnx' ? await onnxSource(net, weights) : runtime === 'openvino' ? await openvinoSource(net, weights) : await tfjsSource(net, weights);
  } catch (e) {
    throw new CliError(`${cfg}: ${String((e as Error).message).split('\n')[0]}`, 1);
  }
  let report: EvalReport;
  try {
    report = await evaluate(net, source, list, classes, {
      conf, nmsIou, nms: nmsMode, prAtScore, limit, letterbox: args.flags.has('letterbox') || undefined,
      onImage: (done, total) => {
        if (done === total || done % 25 === 0) reporter.progress(`eval: ${done}/${total} images`, done / total);
      },
    });
  } catch (e) {
    if (e instanceof DatasetError || e instanceof ImageError || e instanceof DecodeError) throw new CliError(e.message, 1);
    throw e;
  } finally {
    await source.dispose();
  }
  const m = report.missingLabels;
  if (m) ctx.err(`darknet-pruner: warning: ${report.imagesWithoutLabels} image(s) have no label file (counted as images without objects), e.g. ${m.image}: tried ${m.tried.join(', ')}`);
  const result = { cfg, weights: weightsPath, data: dataPath, names: data.names, ...report };
  if (reporter.events) reporter.emit({ type: 'result', command: 'eval', data: result });
  else if (args.flags.has('json')) ctx.out(JSON.stringify(result));
  else {
    ctx.out(`${report.runtime}`);
    ctx.out(`${report.images} images at ${net.net.width}×${net.net.height}${report.options.letterbox ? ' (letterbox)' : ''}, conf ${conf}, NMS ${nmsMode} IoU ${nmsIou}; P/R ${prAtScore === undefined ? 'at the end of the PR curve' : `at score ${prAtScore}`}; ${report.ms.perImage.toFixed(0)} ms/image`);
    ctx.out(reportTable(report, data.names));
  }
  return 0;
}
