// darknet-pruner forward: one forward pass on a raw CHW float32 input; writes what the network
// outputs in darknet's layout so it can be compared with darknet's: every head's buffer
// (yolo_<i>.f32: [a][e][y][x], region_<i>.f32: [y][x][a][e]) or, for a classifier, its output
// layer's (output_<i>.f32, CHW).

import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseArgs, requirePositionals, stringFlag } from '../args';
import { headOf, networkOutputs } from '../../layers';
import { asCliError, writeFileAtomic } from '../io';
import type { CommandContext } from '../main';
import { loadModel } from '../nnload';

export const USAGE = 'darknet-pruner forward <cfg> <weights> --input <input.f32 (CHW float32)> --out-dir <dir> [--json]';

function readInput(path: string, w: number, h: number, c: number): Float32Array {
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    buf = readFileSync(path);
  } catch (e) { throw asCliError(e, path); }
  const want = w * h * c * 4;
  if (buf.byteLength !== want) {
    throw new CliError(`${path}: ${buf.byteLength} bytes, but the network input ${w}×${h}×${c} needs ${want} bytes (${w * h * c} float32 values, CHW, little-endian)`, 1);
  }
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['input', 'out-dir'] });
  const [cfg, weightsPath] = requirePositionals(args, ['<cfg>', '<weights>'], USAGE);
  const inputPath = stringFlag(args, 'input'), outDir = stringFlag(args, 'out-dir');
  if (!inputPath) throw new CliError(`missing --input <input.f32>\nusage: ${USAGE}`);
  if (!outDir) throw new CliError(`missing --out-dir <dir>\nusage: ${USAGE}`);
  const { net, model, backend, loadMs } = await loadModel(cfg, weightsPath);
  const { width: w, height: h, channels: c } = net.net;
  const input = readInput(inputPath, w, h, c);
  const { chwToNHWC } = await import('../../nn/model');
  const { darknetLayout } = await import('../../nn/heads');
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) { throw asCliError(e, outDir); }
  const t0 = performance.now();
  const x = chwToNHWC(input, w, h, c);
  const outs = model.forward(x, { outputs: networkOutputs(net) });
  const files: { layer: number; type: string; file: string; shape: number[]; floats: number }[] = [];
  for (const [i, t] of outs) {
    const l = net.layers[i], head = headOf(l);
    const data = darknetLayout(l, await t.data() as Float32Array, t.shape);
    const stem = !head?.decoder ? 'output' : head.decoder === 'region' ? 'region' : 'yolo';
    const file = join(outDir, `${stem}_${i}.f32`);
    writeFileAtomic(file, new Uint8Array(data.buffer));
    // softmax and cost keep a 0×0×0 darknet shape with `outputs` values
    const shape = l.output!.every((v) => v === 0) ? [1, 1, l.outputs] : l.output!;
    files.push({ layer: i, type: l.type, file, shape, floats: data.length });
  }
  const forwardMs = performance.now() - t0;
  x.dispose();
  for (const t of outs.values()) t.dispose();
  model.dispose();
  if (files.length === 0) ctx.err('darknet-pruner: warning: the network has no layers; nothing written');
  if (args.flags.has('json')) {
    ctx.out(JSON.stringify({ backend, loadMs: Math.round(loadMs), forwardMs: Math.round(forwardMs), outputs: files }));
  } else {
    ctx.out(`backend: ${backend}`);
    ctx.out(`load ${Math.round(loadMs)} ms, forward ${Math.round(forwardMs)} ms`);
    for (const f of files) ctx.out(`${f.file}: layer ${f.layer} (${f.type}) ${f.shape.join('×')}, ${f.floats} floats`);
  }
  return 0;
}
