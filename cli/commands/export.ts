// darknet-pruner export onnx: the analysed cfg + .weights as an ONNX model (core/src/export/onnx.ts);
// export openvino: OpenVINO IR (export-openvino.ts).

import { statSync } from 'node:fs';
import { analyseText } from '../../core/src/cfg/analyse';
import { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET } from '../../core/src/export/onnx';
import { readWeightsFile } from '../../core/src/weights/read';
import { CliError, defineCommand, parseArgs, synopsis } from '../args';
import { readCfgFile } from '../cfg-input';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFile } from '../outputs';
import { requireAnalysable } from '../network';
import { withContext } from '../error-context';
import { MISH_FLAG, SPEC as OPENVINO_SPEC } from './export-openvino';

export const ONNX_SPEC = defineCommand({
  command: 'export onnx',
  summary: 'The analysed cfg and its .weights as an ONNX model (NCHW, RGB, 0..1).',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    o: { type: 'path', aliases: ['output'], placeholder: '<model.onnx>', required: true, description: 'the .onnx to write' },
    opset: { type: 'int', min: MIN_OPSET, max: MAX_OPSET, default: DEFAULT_OPSET, description: `ONNX opset (${MIN_OPSET}…${MAX_OPSET})` },
    decode: { type: 'boolean', description: 'append box decoding: one [N, boxes, 5 + classes] output' },
    mish: MISH_FLAG,
    batch: { type: 'int', min: 1, description: 'fixed batch size (default: symbolic N)' },
    width: { type: 'int', min: 1, placeholder: 'W', description: "network input width instead of the cfg's" },
    height: { type: 'int', min: 1, placeholder: 'H', description: "network input height instead of the cfg's" },
    force: { type: 'boolean', description: 'overwrite an existing output' },
  },
});

export const SPECS = [ONNX_SPEC, OPENVINO_SPEC];

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [format, ...rest] = argv;
  if (format === 'openvino') return (await import('./export-openvino')).run(rest, ctx);
  if (format !== 'onnx')
    throw new CliError(
      `unknown export format "${format ?? ''}" (supported: onnx, openvino)\nusage: ${SPECS.map(synopsis).join('\n       ')}`,
    );
  return exportOnnxCommand(rest, ctx);
}

function exportOnnxCommand(rest: string[], ctx: CommandContext): number {
  const args = parseArgs(rest, ONNX_SPEC);
  const [cfg, weightsPath] = args.positionals;
  const { o: out, opset, batch, mish, width, height } = args.values;
  checkOutputFile(out, { inputs: [cfg, weightsPath], force: args.values.force, flag: '-o' });
  const size = { width, height };
  const net = requireAnalysable(analyseText(readCfgFile(cfg), size), cfg);
  const t0 = performance.now();
  const weights = readWeightsFile(weightsPath, net);
  const result = withContext(cfg, () => exportOnnx(net, weights, { opset, decode: args.values.decode, batch, mish }));
  writeFileAtomic(out, result.bytes);
  const ms = Math.round(performance.now() - t0);
  const bytes = statSync(out).size;
  if (args.values.json) {
    ctx.out(
      JSON.stringify({
        file: out,
        bytes,
        opset: result.opset,
        nodes: result.nodes,
        input: result.input,
        outputs: result.outputs,
        heads: result.heads,
        ms,
      }),
    );
  } else {
    ctx.out(`${out}: ${(bytes / 1e6).toFixed(1)} MB, opset ${result.opset}, ${result.nodes} nodes, ${ms} ms`);
    ctx.out(
      `input  ${result.input.name} [${result.input.shape.map((d) => (d < 0 ? 'N' : d)).join(', ')}] (NCHW, RGB, 0..1${net.net.letterBox ? ', letterboxed' : ''})`,
    );
    for (const o of result.outputs)
      ctx.out(
        `output ${o.name} [${o.shape.map((d) => (d < 0 ? 'N' : d)).join(', ')}]${o.layer !== undefined ? ` ← layer ${o.layer} (${net.layers[o.layer].type})` : ''}`,
      );
  }
  return 0;
}
