// darknet-pruner detect: darknet's `detector test` in tfjs — resize or letterbox, forward, decode
// every head, NMS of the cfg's last layer's kind, print (or --json) the detections, optionally an
// annotated PNG. --runtime onnx|openvino runs our ONNX export in onnxruntime-node / OpenVINO instead
// (core/src/eval/runtimes.ts), each in this process only when chosen. --candidates adds every decoded box
// before NMS (the extension's detection panel re-selects from them, with the same
// nn/select-detections.ts, as its score slider and NMS kind change).

import { dirname, extname } from 'node:path';
import { CliError, defineCommand, parseArgs, synopsis } from '../args';
import { withContext } from '../error-context';
import { readTextFile } from '../io';
import { resolveDataPath } from '../../core/src/eval/dataset';
import { writeFileAtomic } from '../../core/src/io/atomic';
import type { CommandContext } from '../main';
import { checkOutputFiles } from '../outputs';
import { evalRuntime, type EvalRuntimeName } from '../../core/src/eval/runtimes';
import { requireRuntime } from '../runtime-input';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Detection } from '../../core/src/nn/decode';
import { NMS_CHOICES, type NmsChoice } from '../../core/src/nn/select-detections';
import { DETECT_RUNTIMES, type DetectJobResult } from '../../core/src/protocol/jobs';
import type { JobEvent } from '../events';
import { readWeightsFile } from '../../core/src/weights/read';
import { readCfgFile } from '../cfg-input';
import { requireAnalysable } from '../network';

const RUNTIMES = DETECT_RUNTIMES;
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
  return {
    net,
    backend: source.description,
    loadMs: performance.now() - t0,
    heads: (chw: Float32Array) => source.run(chw),
    dispose: () => source.dispose(),
  };
}

export const SPEC = defineCommand({
  command: 'detect',
  summary:
    "Detect objects in images (darknet's `detector test`): resize or letterbox, forward, decode every head, NMS, the detections above --thresh.",
  positionals: [
    { name: '<cfg>', description: 'the darknet .cfg' },
    { name: '<weights>', description: 'its .weights' },
    { name: '<image>', description: 'JPEG or PNG images', variadic: true },
  ],
  flags: {
    thresh: {
      type: 'number',
      min: 0,
      max: 1,
      default: 0.25,
      description: 'score (objectness · class probability) a detection must exceed',
    },
    nms: { type: 'number', min: 0, max: 1, default: 0.45, description: 'NMS IoU threshold (0: no NMS)' },
    'nms-kind': {
      type: 'enum',
      values: NMS_CHOICES,
      description: "NMS kind instead of the cfg's last layer's nms_kind: default (IoU), greedynms, diounms, or none",
    },
    names: {
      type: 'path',
      placeholder: '<coco.names|file.data>',
      description: "class names: a .names file (one per line), or a .data file's names=",
    },
    letterbox: { type: 'boolean', description: "letterbox instead of the cfg's resize" },
    runtime: { type: 'enum', values: RUNTIMES, default: 'tfjs', description: 'tfjs, or our ONNX export in onnxruntime-node or OpenVINO' },
    mosaic: { type: 'boolean', description: "4 images: one inference at twice the cfg's size" },
    candidates: {
      type: 'boolean',
      description: 'with --json/--json-events: also every decoded box above --thresh before NMS, to select from later',
    },
    out: { type: 'path', placeholder: '<annotated.png>', description: 'annotated PNG (name-<k>.png for several images)' },
    force: { type: 'boolean', description: 'replace an existing --out' },
  },
});
export const SPECS = [SPEC];

/** --out for image k of n: the path itself for one image, else name-<k>.png. */
function outPath(out: string, k: number, n: number): string {
  if (n === 1) return out;
  const ext = extname(out);
  return `${ext ? out.slice(0, -ext.length) : out}-${k + 1}${ext || '.png'}`;
}

/** The class names of a .names file, or of the file a .data file's names= points to (as darknet: cwd first). */
function readNames(path: string): string[] {
  let file = path;
  if (extname(path).toLowerCase() === '.data') {
    const lines = readTextFile(path).split(/\r?\n/);
    const at = lines.findIndex((l) => /^\s*names\s*=/.test(l));
    if (at < 0) throw new CliError(`${path}: no names= line (the class names file)`);
    const value = lines[at].slice(lines[at].indexOf('=') + 1).trim();
    const r = resolveDataPath(value, dirname(path));
    if (!r.path) throw new CliError(`${path}:${at + 1}: names=${value}: no such file (tried ${r.tried.join(', ')})`);
    file = r.path;
  }
  return readTextFile(file)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s, i, all) => s || i < all.length - 1);
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const v = args.values;
  const mosaic = v.mosaic;
  const runtime: Runtime = v.runtime;
  const [cfg, weightsPath, ...images] = args.positionals;
  if (mosaic && images.length !== 4)
    throw new CliError(`--mosaic takes 4 images (one per stream), got ${images.length}\nusage: ${synopsis(SPEC)}`);
  const events = v['json-events'];
  if (v.candidates && !v.json && !events) throw new CliError('--candidates goes with --json or --json-events');
  const { thresh, nms: nmsThresh } = v;
  const namesPath = v.names;
  const names = namesPath ? readNames(namesPath) : undefined;
  const out = v.out;
  if (out !== undefined) {
    if (extname(out) && extname(out).toLowerCase() !== '.png')
      throw new CliError(`--out ${out}: the annotated image is a PNG; name it .png`);
    const inputs = [cfg, weightsPath, ...images, ...(namesPath ? [namesPath] : [])];
    checkOutputFiles(
      images.map((_, k) => outPath(out, k, images.length)),
      { inputs, force: v.force, flag: '--out' },
    );
  }
  const progress = (message: string, fraction?: number) => {
    if (events) ctx.out(JSON.stringify({ type: 'progress', message, fraction } satisfies JobEvent));
  };

  // --mosaic: the cfg at twice its width and height (same weights), four frames in one input (nn/mosaic.ts).
  let size: { width?: number; height?: number } = {};
  if (mosaic) {
    const base = requireAnalysable(analyseText(readCfgFile(cfg)), cfg).net;
    size = { width: 2 * base.width, height: 2 * base.height };
  }
  progress(`loading ${cfg} and ${weightsPath} (${runtime})`, 0);
  const runner = await loadRunner(runtime, cfg, weightsPath, size);
  const { net, backend, loadMs } = runner;
  const { isHead } = await import('../../core/src/nn/heads');
  const { decodeHead } = await import('../../core/src/nn/decode');
  const { nmsKindOf } = await import('../../core/src/nn/nms');
  const { selectDetections, detectionRows, toCandidates } = await import('../../core/src/nn/select-detections');
  const { loadImage, prepareInput, annotate } = await import('../../core/src/nn/image');
  const { spliceMosaic, splitMosaic } = await import('../../core/src/nn/mosaic');

  const heads = net.layers.filter(isHead);
  if (heads.length === 0) throw new CliError(`${cfg}: no [yolo], [Gaussian_yolo] or [region] layer to detect with`, 1);
  const classes = heads[0].attrs.classes!;
  if (names && names.length < classes)
    ctx.err(`darknet-pruner: warning: ${namesPath} has ${names.length} names, the cfg has ${classes} classes`);
  const last = net.layers[net.layers.length - 1];
  const kind: NmsChoice = v['nms-kind'] ?? nmsKindOf(last.attrs.nmsKind);
  const selection = { thresh, nms: { kind, thresh: nmsThresh, beta: last.attrs.betaNms ?? 0.6 } };
  const letterbox = v.letterbox || net.net.letterBox;
  const { width: W, height: H, channels: C } = net.net;
  const nameOf = (k: number) => names?.[k] || String(k);

  const results: DetectJobResult['images'] = [];
  const load = (path: string) => {
    return { path, ...loadImage(path, C) };
  };
  const decodeAll = (outs: Map<number, Float32Array>, o: { imageW: number; imageH: number; letterbox: boolean }): Detection[] =>
    withContext(cfg, () => {
      const dets: Detection[] = [];
      for (const [i, data] of outs) for (const d of decodeHead(net.layers[i], data, { netW: W, netH: H, thresh, ...o })) dets.push(d);
      return dets;
    });
  // One inference per image, or per group of four with --mosaic.
  const groups = mosaic ? [images] : images.map((p) => [p]);
  let index = 0;
  try {
    for (const group of groups) {
      progress(`detecting in ${group.join(', ')}`, index / images.length);
      const t0 = performance.now();
      const frames = group.map(load);
      let perFrame: Detection[][];
      if (mosaic) {
        const w = W / 2,
          h = H / 2;
        const outs = await runner.heads(
          spliceMosaic(
            frames.map((f) => prepareInput(f.image, w, h, letterbox)),
            w,
            h,
            C,
          ),
        );
        perFrame = splitMosaic(
          decodeAll(outs, { imageW: W, imageH: H, letterbox: false }),
          w,
          h,
          frames.map((f) => f.image),
          letterbox,
        );
      } else {
        const f = frames[0];
        perFrame = [
          decodeAll(await runner.heads(prepareInput(f.image, W, H, letterbox)), { imageW: f.image.w, imageH: f.image.h, letterbox }),
        ];
      }
      const ms = performance.now() - t0;
      for (const [j, { path, image, rgba }] of frames.entries()) {
        const k = index++;
        const dets = perFrame[j];
        // before NMS, which writes into the prob arrays
        const candidates = v.candidates ? toCandidates(dets) : undefined;
        const found = selectDetections(dets, selection, image.w, image.h);
        let annotated: string | undefined;
        if (out) {
          annotated = outPath(out, k, images.length);
          writeFileAtomic(
            annotated,
            annotate(
              rgba,
              found.map((d) => ({ ...d, label: `${nameOf(d.classId)} ${Math.round(d.prob * 100)}%` })),
            ),
          );
        }
        const list = detectionRows(found, nameOf);
        const stream = mosaic ? { stream: j } : {};
        if (v.json || events)
          results.push({
            image: path,
            ...stream,
            width: image.w,
            height: image.h,
            ms: Math.round(ms),
            detections: list,
            ...(candidates ? { candidates } : {}),
            annotated,
          });
        else {
          ctx.out(
            `${path}${mosaic ? ` (stream ${j + 1} of the mosaic)` : ''}: ${image.w}×${image.h}, ${list.length} detection(s), ${Math.round(ms)} ms`,
          );
          for (const d of list)
            ctx.out(`  ${d.name}: ${Math.round(d.prob * 100)}%  left ${d.left} top ${d.top} width ${d.width} height ${d.height}`);
          if (annotated) ctx.out(`  annotated: ${annotated}`);
        }
        if (events && annotated) ctx.out(JSON.stringify({ type: 'artifact', kind: 'image', path: annotated } satisfies JobEvent));
      }
    }
  } finally {
    await runner.dispose();
  }
  if (v.json || events) {
    const data = {
      runtime,
      backend,
      loadMs: Math.round(loadMs),
      letterbox,
      mosaic: mosaic ? { input: [W, H], frame: [W / 2, H / 2] } : null,
      nms: selection.nms,
      thresh,
      classes,
      names: names ?? null,
      images: results,
    } satisfies DetectJobResult;
    ctx.out(JSON.stringify(events ? ({ type: 'result', command: 'detect', data } satisfies JobEvent) : data));
  } else ctx.err(`backend: ${backend}; load ${Math.round(loadMs)} ms; nms ${kind} ${nmsThresh}; ${letterbox ? 'letterbox' : 'resize'}`);
  return 0;
}
