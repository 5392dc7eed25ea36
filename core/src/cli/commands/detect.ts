// darknet-pruner detect: darknet's `detector test` in tfjs — resize or letterbox, forward, decode
// every head, NMS of the cfg's last layer's kind, print (or --json) the detections, optionally an
// annotated PNG.

import { extname } from 'node:path';
import { CliError, numberFlag, parseArgs, stringFlag } from '../args';
import { readTextFile, writeFileAtomic } from '../io';
import type { CommandContext } from '../main';
import { checkOutputFiles } from '../outputs';
import { loadModel } from '../nnload';

export const USAGE = 'darknet-pruner detect <cfg> <weights> <image.jpg|png …> [--thresh 0.25] [--nms 0.45] [--names coco.names] [--letterbox] [--json] [--out annotated.png] [--force]';

/** --out for image k of n: the path itself for one image, else name-<k>.png. */
function outPath(out: string, k: number, n: number): string {
  if (n === 1) return out;
  const ext = extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}-${k + 1}${ext || '.png'}`;
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, { values: ['thresh', 'nms', 'names', 'out'], booleans: ['letterbox', 'force'] });
  if (args.positionals.length < 3) throw new CliError(`missing ${['<cfg>', '<weights>', '<image>'].slice(args.positionals.length).join(', ')}\nusage: ${USAGE}`);
  const [cfg, weightsPath, ...images] = args.positionals;
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

  const { net, model, backend, loadMs } = await loadModel(cfg, weightsPath);
  const { chwToNHWC } = await import('../../nn/model');
  const { darknetLayout, isHead } = await import('../../nn/heads');
  const { decodeHead, labelDetections, DecodeError } = await import('../../nn/decode');
  const { nms, nmsKindOf } = await import('../../nn/nms');
  const { loadImage, prepareInput, annotate, ImageError } = await import('../../nn/image');

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
  try {
    for (const [k, path] of images.entries()) {
      const t0 = performance.now();
      let loaded;
      try { loaded = loadImage(path, C); } catch (e) {
        if (e instanceof ImageError) throw new CliError(e.message, 1);
        throw e;
      }
      const { image, rgba } = loaded;
      const x = chwToNHWC(prepareInput(image, W, H, letterbox), W, H, C);
      const outs = model.forward(x);
      x.dispose();
      let dets;
      try {
        dets = [];
        for (const [i, t] of outs) {
          const data = darknetLayout(net.layers[i], await t.data() as Float32Array, t.shape);
          for (const d of decodeHead(net.layers[i], data, { netW: W, netH: H, imageW: image.w, imageH: image.h, letterbox, thresh })) dets.push(d);
        }
      } catch (e) {
        if (e instanceof DecodeError) throw new CliError(`${cfg}: ${e.message}`, 1);
        throw e;
      } finally {
        for (const t of outs.values()) t.dispose();
      }
      if (nmsThresh > 0) nms(dets, nmsThresh, kind, last.attrs.betaNms ?? 0.6);
      const found = labelDetections(dets, thresh, image.w, image.h);
      const ms = performance.now() - t0;
      let annotated: string | undefined;
      if (out) {
        annotated = outPath(out, k, images.length);
        writeFileAtomic(annotated, annotate(rgba, found.map((d) => ({ ...d, label: `${nameOf(d.classId)} ${Math.round(d.prob * 100)}%` }))));
      }
      const list = found.map((d) => ({
        class: d.classId, name: nameOf(d.classId), prob: Number(d.prob.toFixed(6)),
        left: Math.round(d.left), top: Math.round(d.top), width: Math.round(d.width), height: Math.round(d.height),
      }));
      if (args.flags.has('json')) results.push({ image: path, width: image.w, height: image.h, ms: Math.round(ms), detections: list, annotated });
      else {
        ctx.out(`${path}: ${image.w}×${image.h}, ${list.length} detection(s), ${Math.round(ms)} ms`);
        for (const d of list) ctx.out(`  ${d.name}: ${Math.round(d.prob * 100)}%  left ${d.left} top ${d.top} width ${d.width} height ${d.height}`);
        if (annotated) ctx.out(`  annotated: ${annotated}`);
      }
    }
  } finally {
    model.dispose();
  }
  if (args.flags.has('json')) ctx.out(JSON.stringify({ backend, loadMs: Math.round(loadMs), letterbox, nms: { kind, thresh: nmsThresh }, thresh, images: results }));
  else ctx.err(`backend: ${backend}; load ${Math.round(loadMs)} ms; nms ${kind} ${nmsThresh}; ${letterbox ? 'letterbox' : 'resize'}`);
  return 0;
}
