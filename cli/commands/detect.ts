// darknet-pruner detect: darknet's `detector test` in tfjs — resize or letterbox, forward, decode
// every head, NMS of the cfg's last layer's kind, print (or --json) the detections, optionally an
// annotated PNG. --runtime onnx|openvino runs our ONNX export in onnxruntime-node / OpenVINO instead
// (core/src/eval/runtimes.ts), each in this process only when chosen.

import { extname } from 'node:path';
import { CliError, numberFlag, parseArgs, stringFlag } from '../args';
import { readTextFile } from '../io';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFiles } from '../outputs';
import { evalRuntime, type EvalRuntimeName } from '../../core/src/eval/runtimes';
import { requireRuntime } from '../runtime-input';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Detection } from '../../core/src/nn/decode';
import { readWeightsFile } from '../../core/src/weights/read';
import { readCfgFile } from '../cfg-input';
import { requireAnalysable } from '../network';

const RUNTIMES = ['tfjs', 'onnx', 'openvino'] as const;
type Runtime = (typeof RUNTIMES)[number];

/** The network on the chosen runtime (core/src/eval/runtimes.ts), timed from reading the cfg. */
async function loadRunner(name: EvalRuntimeName, cfg: string, weightsPath: string, size: { width?: number; height?: number }) {
  const t0 = performance.now();
  const rt = await requireRuntime(evalRuntime(name));
  const net = requireAnalysable(analyseText(readCfgFile(cfg), size), cfg);
  const weights = readWeightsFile(weightsPath, net);
  let source;
  try {
    source = await rt.source(net, weights);
  } catch (e) {
    throw new CliError(`${cfg}: ${String((e as Error).message).split('\n')[0]}`, 1);
  }
  return { net, backend: source.description, loadMs: performance.now() - t0, heads: (chw: Float32Array) => source.run(chw), dispose: () => source.dispose() };
}

export const USAGE = 'darknet-pruner detect <cfg> <weights> <image.jpg|png …> [--thresh 0.25] [--nms 0.45] [--names coco.names] [--letterbox] [--runtime tfjs|onnx|openvino] [--mosaic (4 images: one 2×-size inference)] [--json] [--out annotated.png] [--force]';

/** --out for image k of n: the path itself for one image, else name-<k>.png. */
function outPath(out: string, k: number, n: number): string {
  if (n === 1) return out;
  const ext = extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}-${k + 1}${ext || '.png'}`;
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['thresh', 'nms', 'names', 'out', 'runtime'], booleans: ['letterbox', 'force', 'mosaic'] });
  const mosaic = args.flags.has('mosaic');
  const runtime = (stringFlag(args, 'runtime') ?? 'tfjs') as Runtime;
  if (!RUNTIMES.includes(runtime)) throw new CliError(`--runtime must be ${RUNTIMES.join(', ')}, got "${runtime}"`);
  if (args.positionals.length < 3) throw new CliError(`missing ${['<cfg>', '<weights>', '<image>'].slice(args.positionals.length).join(', ')}\nusage: ${USAGE}`);
  const [cfg, weightsPath, ...images] = args.positionals;
  if (mosaic && images.length !== 4) throw new CliError(`--mosaic takes 4 images (one per stream), got ${images.length}\nusage: ${USAGE}`);
  const thresh = numberFlag(args, 'thresh', { min: 0, max: 1 }) ?? 0.25;
  const nmsThresh = numberFlag(args, 'nms', { min: 0, max: 1 }) ?? 0.45;
  const namesPath = stringFlag(args, 'names');
  const names = namesPath ? readTextFile(namesPath).split(/\r?\n/).map((s) => s.trim()).filter((s, i, all) => s || i < all.length - 1) : undefined;
  const out = stringFlag(args, 'out');
  if (out !== undefined) {
    if (extname(out) && extname(out).toLowerCase() !== '.png') throw new CliError(`--out ${out}: the annotated image is a PNG; name it .png`);
    const inputs = [cfg, weightsPath, ...images, ...(namesPath ? [namesPath] : [])];
    checkOutputFiles(images.map((_, k) => outPath(out, k, images.length)), { inputs, force: args.flags.has('force'), flag: '--out' });
  }

  // --mosaic: the cfg at twice its width and height (same weights), four frames in one input (nn/mosaic.ts).
  let size: { width?: number; height?: number } = {};
  if (mosaic) {
    const base = requireAnalysable(analyseText(readCfgFile(cfg)), cfg).net;
    size = { width: 2 * base.width, height: 2 * base.height };
  }
  const runner = await loadRunner(runtime, cfg, weightsPath, size);
  const { net, backend, loadMs } = runner;
  const { isHead } = await import('../../core/src/nn/heads');
  const { decodeHead, labelDetections, DecodeError } = await import('../../core/src/nn/decode');
  const { nms, nmsKindOf } = await import('../../core/src/nn/nms');
  const { loadImage, prepareInput, annotate } = await import('../../core/src/nn/image');
  const { spliceMosaic, splitMosaic } = await import('../../core/src/nn/mosaic');

  const heads = net.layers.filter(isHead);
  if (heads.length === 0) throw new CliError(`${cfg}: no [yolo], [Gaussian_yolo] or [region] layer to detect with`, 1);
  const classes = heads[0].attrs.classes!;
  if (names && names.length < classes) ctx.err(`darknet-pruner: warning: ${namesPath} has ${names.length} names, the cfg has ${classes} classes`);
  const last = net.layers[net.layers.length - 1];
  const kind = nmsKindOf(last.attrs.nmsKind);
  const letterbox = args.flags.has('letterbox') || net.net.letterBox;
  const { width: W, height: H, channels: C } = net.net;
  const nameOf = (k: number) => names?.[k] || String(k);

  const results: unknown[] = [];
  const load = (path: string) => {
    return { path, ...loadImage(path, C) };
  };
  const decodeAll = (outs: Map<number, Float32Array>, o: { imageW: number; imageH: number; letterbox: boolean }): Detection[] => {
    try {
      const dets: Detection[] = [];
      for (const [i, data] of outs) for (const d of decodeHead(net.layers[i], data, { netW: W, netH: H, thresh, ...o })) dets.push(d);
      return dets;
    } catch (e) {
      if (e instanceof DecodeError) throw new CliError(`${cfg}: ${e.message}`, 1);
      throw e;
    }
  };
  // One inference per image, or per group of four with --mosaic.
  const groups = mosaic ? [images] : images.map((p) => [p]);
  let index = 0;
  try {
    for (const group of groups) {
      const t0 = performance.now();
      const frames = group.map(load);
      let perFrame: Detection[][];
      if (mosaic) {
        const w = W / 2, h = H / 2;
        const outs = await runner.heads(spliceMosaic(frames.map((f) => prepareInput(f.image, w, h, letterbox)), w, h, C));
        perFrame = splitMosaic(decodeAll(outs, { imageW: W, imageH: H, letterbox: false }), w, h, frames.map((f) => f.image), letterbox);
      } else {
        const f = frames[0];
        perFrame = [decodeAll(await runner.heads(prepareInput(f.image, W, H, letterbox)), { imageW: f.image.w, imageH: f.image.h, letterbox })];
      }
      const ms = performance.now() - t0;
      for (const [j, { path, image, rgba }] of frames.entries()) {
        const k = index++;
        const dets = perFrame[j];
        if (nmsThresh > 0) nms(dets, nmsThresh, kind, last.attrs.betaNms ?? 0.6);
        const found = labelDetections(dets, thresh, image.w, image.h);
        let annotated: string | undefined;
        if (out) {
          annotated = outPath(out, k, images.length);
          writeFileAtomic(annotated, annotate(rgba, found.map((d) => ({ ...d, label: `${nameOf(d.classId)} ${Math.round(d.prob * 100)}%` }))));
        }
        const list = found.map((d) => ({
          class: d.classId, name: nameOf(d.classId), prob: Number(d.prob.toFixed(6)),
          left: Math.round(d.left), top: Math.round(d.top), width: Math.round(d.width), height: Math.round(d.height),
        }));
        const stream = mosaic ? { stream: j } : {};
        if (args.flags.has('json')) results.push({ image: path, ...stream, width: image.w, height: image.h, ms: Math.round(ms), detections: list, annotated });
        else {
          ctx.out(`${path}${mosaic ? ` (stream ${j + 1} of the mosaic)` : ''}: ${image.w}×${image.h}, ${list.length} detection(s), ${Math.round(ms)} ms`);
          for (const d of list) ctx.out(`  ${d.name}: ${Math.round(d.prob * 100)}%  left ${d.left} top ${d.top} width ${d.width} height ${d.height}`);
          if (annotated) ctx.out(`  annotated: ${annotated}`);
        }
      }
    }
  } finally {
    await runner.dispose();
  }
  if (args.flags.has('json')) ctx.out(JSON.stringify({ runtime, backend, loadMs: Math.round(loadMs), letterbox, mosaic: mosaic ? { input: [W, H], frame: [W / 2, H / 2] } : null, nms: { kind, thresh: nmsThresh }, thresh, images: results }));
  else ctx.err(`backend: ${backend}; load ${Math.round(loadMs)} ms; nms ${kind} ${nmsThresh}; ${letterbox ? 'letterbox' : 'resize'}`);
  return 0;
}
