// darknet-pruner export openvino: OpenVINO IR (<name>.xml + <name>.bin) and <name>.heads.json in a
// directory, from our ONNX graph read into OpenVINO and saved with saveModelSync (openvino/ir-export.ts).

import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { readWeightsFile } from '../../core/src/weights/read';
import { UserError } from '../../core/src/errors';
import { CliError, defineCommand, parseArgs } from '../args';
import { readCfgFile } from '../cfg-input';
import { committedOutput, tempPathFor, trackTemp, untrackTemp, writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkFileName, checkOutputFiles } from '../outputs';
import { requireAnalysable } from '../network';
import { withContext } from '../error-context';
import { makeReporter } from '../events';
import type { ExportOpenvinoJobResult } from '../../core/src/protocol/jobs';

/** How Mish is written in an exported graph (export onnx, export openvino, bench). */
export const MISH_FLAG = {
  type: 'enum',
  values: ['op', 'softplus', 'exp'],
  description: 'how Mish is written: the Mish op, x·tanh(softplus(x)), or its exp form',
} as const;

export const SPEC = defineCommand({
  command: 'export openvino',
  summary: 'OpenVINO IR (<name>.xml + <name>.bin) and <name>.heads.json in a directory, from the ONNX export read into OpenVINO.',
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    o: { type: 'path', aliases: ['output'], placeholder: '<dir>', required: true, description: 'the directory to write into' },
    fp16: { type: 'boolean', description: 'store the weights as f16' },
    'input-size': { type: 'string', placeholder: 'WxH', description: "network input size instead of the cfg's (e.g. 608x608)" },
    name: { type: 'string', placeholder: 'NAME', description: "file name stem (default: the cfg's)" },
    mish: MISH_FLAG,
    force: { type: 'boolean', description: 'overwrite existing outputs' },
  },
});

export function parseSize(s: string | undefined): { width?: number; height?: number } {
  if (s === undefined) return {};
  const m = /^(\d+)x(\d+)$/i.exec(s);
  if (!m || +m[1] < 1 || +m[2] < 1) throw new CliError(`--input-size must be WxH (e.g. 608x608), got "${s}"`);
  return { width: +m[1], height: +m[2] };
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const [cfg, weightsPath] = args.positionals;
  const { o: dir, mish } = args.values;
  const name = checkFileName(args.values.name ?? basename(cfg, extname(cfg)), '--name');
  const files = { xml: join(dir, `${name}.xml`), bin: join(dir, `${name}.bin`), heads: join(dir, `${name}.heads.json`) };
  if (statSync(dir, { throwIfNoEntry: false })?.isFile()) throw new CliError(`-o ${dir}: is a file; give a directory`);
  checkOutputFiles(Object.values(files), { inputs: [cfg, weightsPath], force: args.values.force, flag: '-o' }, true);
  const net = requireAnalysable(analyseText(readCfgFile(cfg), parseSize(args.values['input-size'])), cfg);
  const weights = readWeightsFile(weightsPath, net);
  const t0 = performance.now();
  const { exportOpenvinoIr } = await import('../../core/src/openvino/ir-export');
  // OpenVINO missing is about this machine, not the cfg: raised here, before the cfg's context applies
  (await import('../../core/src/openvino/api')).loadOpenvino();
  const fp16 = args.values.fp16;
  let ir;
  try {
    ir = withContext(cfg, () => exportOpenvinoIr(net, weights, { fp16, mish }));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new CliError(`${cfg}: OpenVINO could not read the exported graph: ${String((e as Error).message).split('\n')[0]}`, 1);
  }
  mkdirSync(dir, { recursive: true });
  // saveModelSync writes into a hidden temporary directory; the files are renamed into place after.
  const tmp = tempPathFor(join(dir, name));
  trackTemp(tmp);
  try {
    mkdirSync(tmp);
    try {
      ir.save(join(tmp, `${name}.xml`));
    } catch (e) {
      throw new CliError(`${files.xml}: saveModelSync failed: ${String((e as Error).message).split('\n')[0]}`, 1);
    }
    for (const k of ['xml', 'bin'] as const) {
      renameSync(join(tmp, `${name}.${k}`), files[k]);
      committedOutput(files[k]);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    untrackTemp(tmp);
  }
  const side = {
    format: 'openvino-ir',
    xml: basename(files.xml),
    bin: basename(files.bin),
    weights: fp16 ? 'f16' : 'f32',
    openvino: ir.openvinoVersion,
    input: { ...ir.input, layout: 'NCHW', color: 'RGB', range: '0..1', letterbox: net.net.letterBox },
    outputs: ir.outputs,
    heads: ir.heads,
    source: { cfg: relative(dir, cfg), weights: relative(dir, weightsPath) },
  };
  writeFileAtomic(files.heads, JSON.stringify(side, null, 1) + '\n');
  const ms = Math.round(performance.now() - t0);
  const mb = (f: string) => statSync(f).size / 1e6;
  const summary = {
    ...files,
    bytes: { xml: statSync(files.xml).size, bin: statSync(files.bin).size },
    weights: side.weights,
    openvino: ir.openvinoVersion,
    input: ir.input,
    outputs: ir.outputs,
    heads: ir.heads,
    ms,
  };
  if (args.values['json-events']) {
    const reporter = makeReporter(true);
    for (const f of [files.xml, files.bin, files.heads])
      reporter.emit({ type: 'artifact', kind: f === files.heads ? 'other' : 'ir', path: f });
    reporter.emit({ type: 'result', command: 'export openvino', data: summary satisfies ExportOpenvinoJobResult });
  } else if (args.values.json) ctx.out(JSON.stringify(summary));
  else {
    ctx.out(
      `${files.xml} + ${basename(files.bin)}: ${mb(files.bin).toFixed(1)} MB ${side.weights} weights, OpenVINO ${ir.openvinoVersion}, ${ms} ms`,
    );
    ctx.out(`input  ${ir.input.name} [${ir.input.shape.join(', ')}] (NCHW, RGB, 0..1${net.net.letterBox ? ', letterboxed' : ''})`);
    for (const o of ir.outputs)
      ctx.out(
        `output ${o.name} [${o.shape.join(', ')}]${o.layer !== undefined ? ` ← layer ${o.layer} (${net.layers[o.layer].type})` : ''}`,
      );
    ctx.out(`heads  ${files.heads}`);
  }
  return 0;
}
