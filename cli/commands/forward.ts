// darknet-pruner forward: one forward pass on a raw CHW float32 input; writes every head's output
// buffer in darknet's layout (yolo_<i>.f32: [a][e][y][x]) so it can be compared with darknet's.
// A network without heads (a classifier) writes its output layer instead — the last layer that is
// not [cost], as darknet's get_network_output — as output_<i>.f32 (CHW).

import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, defineCommand, parseArgs } from '../args';
import { asCliError } from '../io';
import { writeFileAtomic } from '../../core/src/io/atomic';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Layer, Network } from '../../core/src/cfg/network';
import { headOf, networkOutputs } from '../../core/src/layers';
import { readCfgFile } from '../cfg-input';
import { requireAnalysable } from '../network';
import type { CommandContext } from '../main';
import { checkOutputFiles } from '../outputs';
import { loadModel } from '../nnload';

export const SPEC = defineCommand({
  command: 'forward',
  summary:
    "One forward pass on a raw CHW float32 input; writes every head's output in darknet's layout (yolo_<i>.f32), or a classifier's output (output_<i>.f32).",
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
  ],
  flags: {
    input: {
      type: 'path',
      placeholder: '<input.f32>',
      required: true,
      description: 'the input: width·height·channels float32 values, CHW, little-endian',
    },
    'out-dir': { type: 'path', placeholder: '<dir>', required: true, description: 'where the .f32 outputs go' },
    force: { type: 'boolean', description: 'overwrite existing outputs' },
  },
});
export const SPECS = [SPEC];

function readInput(path: string, w: number, h: number, c: number): Float32Array {
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    buf = readFileSync(path);
  } catch (e) {
    throw asCliError(e, path);
  }
  const want = w * h * c * 4;
  if (buf.byteLength !== want) {
    throw new CliError(
      `${path}: ${buf.byteLength} bytes, but the network input ${w}×${h}×${c} needs ${want} bytes (${w * h * c} float32 values, CHW, little-endian)`,
      1,
    );
  }
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** The layers whose outputs are written, with their file names. */
function outputLayers(net: Network): { layer: Layer; name: string }[] {
  return networkOutputs(net).map((i) => {
    const layer = net.layers[i],
      decoder = headOf(layer)?.decoder;
    return { layer, name: `${!decoder ? 'output' : decoder === 'region' ? 'region' : 'yolo'}_${i}.f32` };
  });
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const [cfg, weightsPath] = args.positionals;
  const { input: inputPath, 'out-dir': outDir } = args.values;
  // Where the outputs go is settled before TensorFlow is even loaded.
  const analysed = requireAnalysable(analyseText(readCfgFile(cfg)), cfg);
  const targets = outputLayers(analysed).map((t) => ({ ...t, file: join(outDir, t.name) }));
  if (targets.length === 0) throw new CliError(`${cfg}: no layers, nothing to run`, 1);
  checkOutputFiles(
    targets.map((t) => t.file),
    { inputs: [cfg, weightsPath, inputPath], force: args.flags.has('force'), flag: '--out-dir' },
    true,
  );
  const input = readInput(inputPath, analysed.net.width, analysed.net.height, analysed.net.channels);
  const { net, model, backend, loadMs } = await loadModel(cfg, weightsPath);
  const { chwToNHWC } = await import('../../core/src/nn/model');
  const { darknetLayout } = await import('../../core/src/nn/heads');
  const files: { layer: number; type: string; file: string; shape: number[]; floats: number }[] = [];
  let forwardMs: number;
  try {
    const { width: w, height: h, channels: c } = net.net;
    const t0 = performance.now();
    const x = chwToNHWC(input, w, h, c);
    const outs = model.forward(x, { outputs: targets.map((t) => t.layer.index) });
    x.dispose();
    try {
      if (!existsSync(outDir)) mkdirSync(outDir);
      for (const { layer, file } of targets) {
        const t = outs.get(layer.index)!;
        const data = darknetLayout(layer, (await t.data()) as Float32Array, t.shape);
        writeFileAtomic(file, new Uint8Array(data.buffer));
        files.push({ layer: layer.index, type: layer.type, file, shape: [t.shape[2], t.shape[1], t.shape[3]], floats: data.length });
      }
    } catch (e) {
      throw asCliError(e, outDir);
    } finally {
      for (const t of outs.values()) t.dispose();
    }
    forwardMs = performance.now() - t0;
  } finally {
    model.dispose();
  }
  if (args.flags.has('json')) {
    ctx.out(JSON.stringify({ backend, loadMs: Math.round(loadMs), forwardMs: Math.round(forwardMs), outputs: files }));
  } else {
    ctx.out(`backend: ${backend}`);
    ctx.out(`load ${Math.round(loadMs)} ms, forward ${Math.round(forwardMs)} ms`);
    for (const f of files) ctx.out(`${f.file}: layer ${f.layer} (${f.type}) ${f.shape.join('×')}, ${f.floats} floats`);
  }
  return 0;
}
