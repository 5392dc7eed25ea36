// What `bench` measures: each model given on the command line, resolved to one of
//   darknet  a .cfg with its .weights (the next argument, else NAME.weights beside the cfg), or a
//            pruned-model folder (the one .cfg and .weights that `prune` wrote into it);
//   onnx     an .onnx file;
//   ir       an OpenVINO IR .xml (its .bin beside it; NAME.heads.json, written by `export
//            openvino`, names the source cfg, which gives BFLOPs and parameters).
// BFLOPs and parameters come from the analysed cfg when there is one.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { analyseText } from '../cfg/analyse';
import { UserError } from '../errors';

export type BenchModelKind = 'darknet' | 'onnx' | 'ir';

export interface BenchModelSpec {
  label: string;
  kind: BenchModelKind;
  cfg?: string;
  weights?: string;
  /** The .onnx or .xml. */
  file?: string;
  bflops?: number;
  params?: number;
  /** Every file read (outputs must never land on one). */
  inputs: string[];
}

/** A model argument that names no model: a usage error (exit 2). */
export class BenchModelError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

const ext = (p: string) => extname(p).toLowerCase();
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

function totals(cfg: string, size: { width?: number; height?: number }): { bflops?: number; params?: number } {
  try {
    const net = analyseText(readFileSync(cfg, 'utf8'), size);
    return { bflops: net.totals.bflops, params: net.totals.params };
  } catch {
    return {};
  }
}

function modelDir(dir: string): { cfg: string; weights: string } {
  const files = readdirSync(dir);
  const cfgs = files.filter((f) => ext(f) === '.cfg'),
    weights = files.filter((f) => ext(f) === '.weights');
  if (cfgs.length !== 1) throw new BenchModelError(`${dir}: a model folder holds one .cfg, this one has ${cfgs.length}`);
  const stem = basename(cfgs[0], extname(cfgs[0]));
  const w = weights.length === 1 ? weights[0] : weights.find((f) => basename(f, extname(f)) === stem);
  if (!w) throw new BenchModelError(`${dir}: no .weights for ${cfgs[0]} (${weights.length} .weights files)`);
  return { cfg: join(dir, cfgs[0]), weights: join(dir, w) };
}

/** Model arguments → specs (in order). `size` overrides the cfg's input size for darknet models. */
export function resolveModels(args: string[], size: { width?: number; height?: number } = {}): BenchModelSpec[] {
  const out: BenchModelSpec[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!existsSync(a)) throw new BenchModelError(`${a}: no such file or folder`);
    if (isDir(a)) {
      const { cfg, weights } = modelDir(a);
      out.push({ label: basename(resolve(a)), kind: 'darknet', cfg, weights, inputs: [cfg, weights], ...totals(cfg, size) });
    } else if (ext(a) === '.cfg') {
      const weights =
        args[i + 1] !== undefined && ext(args[i + 1]) === '.weights' ? args[++i] : join(dirname(a), `${basename(a, extname(a))}.weights`);
      if (!existsSync(weights)) throw new BenchModelError(`${a}: give its .weights after it (no ${weights})`);
      out.push({ label: basename(a, extname(a)), kind: 'darknet', cfg: a, weights, inputs: [a, weights], ...totals(a, size) });
    } else if (ext(a) === '.weights') {
      throw new BenchModelError(`${a}: a .weights file goes after its .cfg`);
    } else if (ext(a) === '.onnx') {
      out.push({ label: basename(a), kind: 'onnx', file: a, inputs: [a] });
    } else if (ext(a) === '.xml') {
      const bin = join(dirname(a), `${basename(a, extname(a))}.bin`);
      if (!existsSync(bin)) throw new BenchModelError(`${a}: its weights ${bin} are missing`);
      const side = join(dirname(a), `${basename(a, extname(a))}.heads.json`);
      let t = {};
      if (existsSync(side)) {
        try {
          const s = JSON.parse(readFileSync(side, 'utf8')) as { source?: { cfg?: string }; input?: { shape?: number[] } };
          const cfg = s.source?.cfg ? resolve(dirname(a), s.source.cfg) : undefined;
          const shape = s.input?.shape;
          if (cfg && existsSync(cfg)) t = totals(cfg, shape ? { width: shape[3], height: shape[2] } : {});
        } catch {
          /* no totals */
        }
      }
      out.push({ label: basename(a), kind: 'ir', file: a, inputs: [a, bin], ...t });
    } else {
      throw new BenchModelError(`${a}: not a model (a .cfg [+ .weights], a pruned-model folder, an .onnx or an IR .xml)`);
    }
  }
  // Two models with one label: tell them apart by position.
  const seen = new Map<string, number>();
  for (const m of out) seen.set(m.label, (seen.get(m.label) ?? 0) + 1);
  out.forEach((m, k) => {
    if (seen.get(m.label)! > 1) m.label = `${m.label}#${k + 1}`;
  });
  return out;
}
