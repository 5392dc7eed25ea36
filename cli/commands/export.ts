// darknet-pruner export onnx: the analysed cfg + .weights as an ONNX model (core/src/export/onnx.ts);
// export openvino: OpenVINO IR (export-openvino.ts).

import { statSync } from 'node:fs';
import { analyseText } from '../../core/src/cfg/analyse';
import { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, OnnxExportError } from '../../core/src/export/onnx';
import { readWeightsFile, WeightsError } from '../../core/src/weights/read';
import { CliError, numberFlag, parseArgs, requirePositionals, stringFlag } from '../args';
import { readCfgFile } from '../cfg-input';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFile } from '../outputs';
import { requireAnalysable } from '../network';
import { USAGE as USAGE_OPENVINO } from './export-openvino';

export const USAGE_ONNX = `darknet-pruner export onnx <cfg> <weights> -o <model.onnx> [--opset N (${MIN_OPSET}…${MAX_OPSET}, default ${DEFAULT_OPSET})] [--decode] [--mish op|softplus|exp] [--batch N] [--width W --height H] [--force] [--json]`;

export const USAGE = `${USAGE_ONNX}\n       ${USAGE_OPENVINO}`;

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [format, ...rest] = argv;
  if (format === 'openvino') return (await import('./export-openvino')).run(rest, ctx);
  if (format !== 'onnx') throw new CliError(`unknown export format "${format ?? ''}" (supported: onnx, openvino)\nusage: ${USAGE}`);
  return exportOnnxCommand(rest, ctx);
}

function exportOnnxCommand(rest: string[], ctx: CommandContext): number {
  const USAGE = USAGE_ONNX;
  const args = parseArgs(rest, { values: ['o', 'output', 'opset', 'batch', 'width', 'height', 'mish'], booleans: ['decode', 'force'], aliases: { output: 'o' } });
  const [cfg, weightsPath] = requirePositionals(args, ['<cfg>', '<weights>'], USAGE);
  const out = stringFlag(args, 'o');
  if (!out) throw new CliError(`missing -o <model.onnx>\nusage: ${USAGE}`);
  checkOutputFile(out, { inputs: [cfg, weightsPath], force: args.flags.has('force'), flag: '-o' });
  const opset = numberFlag(args, 'opset', { integer: true, min: MIN_OPSET, max: MAX_OPSET }) ?? DEFAULT_OPSET;
  const batch = numberFlag(args, 'batch', { integer: true, min: 1 });
  const mish = stringFlag(args, 'mish');
  if (mish !== undefined && mish !== 'op' && mish !== 'softplus' && mish !== 'exp') throw new CliError(`--mish must be op, softplus or exp, got "${mish}"`);
  const size = { width: numberFlag(args, 'width', { integer: true, min: 1 }), height: numberFlag(args, 'height', { integer: true, min: 1 }) };
  const net = requireAnalysable(analyseText(readCfgFile(cfg), size), cfg);
  const t0 = performance.now();
  let result;
  try {
    result = exportOnnx(net, readWeightsFile(weightsPath, net), { opset, decode: args.flags.has('decode'), batch, mish });
  } catch (e) {
    if (e instanceof WeightsError) throw new CliError(e.message, 1);
    if (e instanceof OnnxExportError) throw new CliError(`${cfg}: ${e.message}`, 1);
    throw e;
  }
  writeFileAtomic(out, result.bytes);
  const ms = Math.round(performance.now() - t0);
  const bytes = statSync(out).size;
  if (args.flags.has('json')) {
    ctx.out(JSON.stringify({ file: out, bytes, opset: result.opset, nodes: result.nodes, input: result.input, outputs: result.outputs, heads: result.heads, ms }));
  } else {
    ctx.out(`${out}: ${(bytes / 1e6).toFixed(1)} MB, opset ${result.opset}, ${result.nodes} nodes, ${ms} ms`);
    ctx.out(`input  ${result.input.name} [${result.input.shape.map((d) => (d < 0 ? 'N' : d)).join(', ')}] (NCHW, RGB, 0..1${net.net.letterBox ? ', letterboxed' : ''})`);
    for (const o of result.outputs) ctx.out(`output ${o.name} [${o.shape.map((d) => (d < 0 ? 'N' : d)).join(', ')}]${o.layer !== undefined ? ` ← layer ${o.layer} (${net.layers[o.layer].type})` : ''}`);
  }
  return 0;
}
