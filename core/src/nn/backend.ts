// TensorFlow.js backend selection (docs/runtimes.md §Backend order).
//
// Order: @tensorflow/tfjs-node-gpu (CUDA) → @tensorflow/tfjs-node (native CPU) → wasm → cpu.
// The native packages are optional dependencies and are `require`d lazily, inside try/catch, only
// when a selection asks for them — importing this module loads nothing native. The pure-JS `cpu`
// backend is for inference only: training on it is refused with the reason.
// DARKNET_BACKEND=tensorflow|tensorflow-gpu|wasm|cpu forces a choice (as does `prefer`); a forced
// choice that cannot load is an error, never a silent fallback.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// Typings only (erased at run time): we type-check against the optional packages' .d.ts.
import type * as TfjsNode from '@tensorflow/tfjs-node';
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';
import './tfjs-setup';
import { registerWasmGradientKernels } from './kernels/conv2dBackpropFilterWasm';
import { nativeConflict } from '../native-exclusion';
import { UserError } from '../errors';

export type Purpose = 'train' | 'infer';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** Candidates, best first. `tensorflow-gpu` and `tensorflow` both give tfjs backend 'tensorflow'. */
export type Candidate = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type Preference = BackendName | 'tensorflow-gpu';

export const CANDIDATES: readonly Candidate[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
export const PACKAGES: Record<Candidate, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

export interface SkippedBackend {
  name: Candidate;
  why: string;
}

export interface BackendChoice {
  /** The tfjs backend name now active (tf.getBackend()). */
  name: BackendName;
  /** The candidate that won (tells GPU from native CPU). */
  candidate: Candidate;
  package: string;
  version: string;
  /** True only when TensorFlow reports a CUDA device in use. */
  gpu: boolean;
  reason: string;
  skipped: SkippedBackend[];
  /** Extra facts: TensorFlow version, wasm SIMD/threads, registered kernels. */
  details: Record<string, string | number | boolean>;
}

export interface BackendProbe {
  name: Candidate;
  package: string;
  version: string | null;
  available: boolean;
  gpu: boolean;
  why: string;
  details: Record<string, string | number | boolean>;
}

export class BackendError extends UserError {
  constructor(
    message: string,
    readonly skipped: SkippedBackend[] = [],
  ) {
    super(message);
  }
}

export const CPU_TRAINING_REFUSAL =
  "refusing to train on the pure-JS 'cpu' backend: it runs convolutions at ≈0.7 GFLOP/s, and a single " +
  'conv filter gradient (batch 8, 64×64, 32→64 channels, 3×3) took 156 s on this class of machine, so one ' +
  'training step of a YOLO net would take hours. Use the wasm backend (always installed; DARKNET_BACKEND=wasm) ' +
  'or native TensorFlow (npm run setup:tensorflow builds @tensorflow/tfjs-node against a TensorFlow wheel).';

// Resolution from this file: works from core/src (tsx) and from the bundle cli/out/cli.js, both of
// which sit under the project's node_modules.
const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

function packageDir(pkg: string): string | null {
  try {
    return dirname(req.resolve(`${pkg}/package.json`));
  } catch {
    return null;
  }
}

function packageVersion(pkg: string): string | null {
  const dir = packageDir(pkg);
  if (!dir) return null;
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Where tfjs-node's node-pre-gyp looks for the addon: lib/napi-v{highest supported napi}/tfjs_binding.node. */
export function nativeBindingPath(pkg: string): string | null {
  const dir = packageDir(pkg);
  if (!dir) return null;
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    binary?: { module_path?: string; module_name?: string; napi_versions?: number[] };
  };
  const napi = Number(process.versions.napi ?? 8);
  const v = (pj.binary?.napi_versions ?? [8]).filter((n) => n <= napi).reduce((m, n) => Math.max(m, n), -Infinity);
  const modulePath = (pj.binary?.module_path ?? './lib/napi-v{napi_build_version}').replace('{napi_build_version}', String(v));
  return join(dir, modulePath, `${pj.binary?.module_name ?? 'tfjs_binding'}.node`);
}

function coreInstanceOf(pkg: string): string | null {
  const dir = packageDir(pkg);
  if (!dir) return null;
  try {
    // tfjs-node → @tensorflow/tfjs → @tensorflow/tfjs-core: resolve the way the package itself would.
    const tfjsDir = dirname(createRequire(join(dir, 'package.json')).resolve('@tensorflow/tfjs/package.json'));
    return realpathSync(createRequire(join(tfjsDir, 'package.json')).resolve('@tensorflow/tfjs-core'));
  } catch {
    return null;
  }
}

const probes = new Map<Candidate, BackendProbe>();
let nativeLoadedFrom: Candidate | null = null;

function probeNative(name: 'tensorflow-gpu' | 'tensorflow'): BackendProbe {
  const pkg = PACKAGES[name];
  const base: BackendProbe = { name, package: pkg, version: packageVersion(pkg), available: false, gpu: false, why: '', details: {} };
  if (!base.version) return { ...base, why: `${pkg} is not installed (optional dependency)` };
  if (nativeLoadedFrom && nativeLoadedFrom !== name) {
    return {
      ...base,
      why: `not loaded: ${PACKAGES[nativeLoadedFrom]} already provides backend 'tensorflow' in this process (two native TensorFlows cannot share one process)`,
    };
  }
  const clash = nativeConflict('tensorflow');
  if (clash) return { ...base, why: `not loaded: ${clash}` };
  const binding = nativeBindingPath(pkg)!;
  if (!existsSync(binding)) {
    return {
      ...base,
      why:
        name === 'tensorflow'
          ? `native binding missing (${binding.slice(binding.indexOf('node_modules'))}): its install script downloads libtensorflow 2.9.1, which was not run or cannot work here — build it from a TensorFlow wheel with \`npm run setup:tensorflow\``
          : `native binding missing (${binding.slice(binding.indexOf('node_modules'))}): its install script downloads libtensorflow 2.9.1 GPU (CUDA 11.2 + cuDNN 8.1); see README "Native TensorFlow" for newer CUDA`,
    };
  }
  // tfjs-node 4.x calls util.isNullOrUndefined and util.isArray, which Node 23 removed: loading it
  // works, its first inference throws.
  if (typeof (req('node:util') as { isNullOrUndefined?: unknown }).isNullOrUndefined !== 'function') {
    return {
      ...base,
      why: `${pkg} ${base.version} needs Node ≤ 22 (it calls util.isNullOrUndefined, removed in Node 23); this is Node ${process.versions.node}`,
    };
  }
  const ours = realpathSync(req.resolve('@tensorflow/tfjs-core'));
  const theirs = coreInstanceOf(pkg);
  if (theirs && theirs !== ours) {
    return {
      ...base,
      why: `${pkg} resolves a different @tensorflow/tfjs-core (${theirs}) from ours (${ours}): its backend would be invisible to us; dedupe node_modules (npm dedupe)`,
    };
  }
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2'; // TensorFlow's C++ INFO lines on stderr
  let mod: typeof TfjsNode;
  const t0 = Date.now();
  try {
    mod = req(pkg) as typeof TfjsNode;
  } catch (e) {
    const msg = ((e as Error).message ?? String(e)).split('\n')[0];
    return { ...base, why: `${pkg} failed to load: ${msg}` };
  }
  nativeLoadedFrom = name;
  void mod;
  const b = tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } } | null;
  if (!b) return { ...base, why: `${pkg} loaded but registered no 'tensorflow' backend on our @tensorflow/tfjs-core` };
  const details = { tensorflowVersion: b.binding?.TF_Version ?? '?', loadMs: Date.now() - t0 };
  const gpu = b.isUsingGpuDevice === true;
  if (name === 'tensorflow-gpu' && !gpu) {
    return {
      ...base,
      details,
      available: false,
      why: `${pkg} loaded, but TensorFlow ${details.tensorflowVersion} found no usable CUDA device (it needs CUDA 11.2 + cuDNN 8.1; on CUDA-12-only systems it silently falls back to CPU — tfjs#8269)`,
    };
  }
  return { ...base, available: true, gpu, details, why: gpu ? 'CUDA device in use' : 'native TensorFlow CPU kernels (multithreaded)' };
}

let wasmReady: Promise<BackendProbe> | null = null;

export function wasmDistDir(): string {
  return join(packageDir(PACKAGES.wasm)!, 'dist');
}

async function probeWasm(): Promise<BackendProbe> {
  const pkg = PACKAGES.wasm;
  const base: BackendProbe = {
    name: 'wasm',
    package: pkg,
    version: packageVersion(pkg),
    available: false,
    gpu: false,
    why: '',
    details: {},
  };
  if (!base.version) return { ...base, why: `${pkg} is not installed` };
  try {
    const wasm = req(pkg) as typeof TfjsWasm;
    const added = registerWasmGradientKernels();
    wasm.setWasmPaths(wasmDistDir() + sep);
    const previous = tf.getBackend();
    // Emscripten's Node glue adds process-wide uncaughtException / unhandledRejection listeners
    // that rethrow (and print the whole minified module); take them out again.
    const before = {
      uncaughtException: process.listeners('uncaughtException'),
      unhandledRejection: process.listeners('unhandledRejection'),
    };
    const ok = await tf.setBackend('wasm');
    for (const ev of ['uncaughtException', 'unhandledRejection'] as const) {
      const emitter = process as unknown as NodeJS.EventEmitter;
      for (const l of emitter.listeners(ev) as Array<(...a: unknown[]) => void>) {
        if (!(before[ev] as unknown[]).includes(l)) emitter.removeListener(ev, l);
      }
    }
    if (!ok) return { ...base, why: 'the wasm backend failed to initialise (see the warning above)' };
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = wasm.getThreadsCount();
    if (previous && previous !== 'wasm' && tf.findBackend(previous)) await tf.setBackend(previous);
    return {
      ...base,
      available: true,
      details: { simd: Boolean(simd), threads, ourGradientKernels: added.length ? added.join(',') : 'registered earlier' },
      why: `single-threaded wasm${simd ? ' with SIMD' : ''}; missing/wrong gradient kernels are ours (kernels/conv2dBackpropFilterWasm.ts)`,
    };
  } catch (e) {
    return { ...base, why: `the wasm backend failed to initialise: ${(e as Error).message}` };
  }
}

function probeCpu(): BackendProbe {
  const pkg = PACKAGES.cpu;
  const base: BackendProbe = {
    name: 'cpu',
    package: pkg,
    version: packageVersion(pkg),
    available: false,
    gpu: false,
    why: '',
    details: {},
  };
  try {
    req(pkg);
    return { ...base, available: true, why: 'pure JavaScript (≈0.7 GFLOP/s conv): inference only' };
  } catch (e) {
    return { ...base, why: `failed to load: ${(e as Error).message}` };
  }
}

/** Probes one candidate (loading it if needed), memoised for the process. */
export async function probe(name: Candidate): Promise<BackendProbe> {
  const known = probes.get(name);
  if (known) return known;
  let p: BackendProbe;
  if (name === 'wasm') p = await (wasmReady ??= probeWasm());
  else if (name === 'cpu') p = probeCpu();
  else p = probeNative(name);
  probes.set(name, p);
  return p;
}

/** Probes every candidate (loads native TensorFlow if it is there). */
export async function probeAll(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  for (const c of CANDIDATES) out.push(await probe(c));
  return out;
}

function parsePreference(v: string | undefined, source: string): Preference | undefined {
  if (v === undefined || v === '' || v === 'auto') return undefined;
  if (v === 'tensorflow' || v === 'tensorflow-gpu' || v === 'wasm' || v === 'cpu') return v;
  throw new BackendError(`${source}="${v}" is not a backend: use tensorflow, tensorflow-gpu, wasm, cpu or auto`);
}

export interface SelectOptions {
  purpose: Purpose;
  /** Force a backend (overrides DARKNET_BACKEND). 'tensorflow' accepts GPU or native CPU. */
  prefer?: Preference;
  /** Environment to read DARKNET_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
}

/**
 * Chooses, initialises and activates a tfjs backend for `purpose`, and says why.
 * Throws BackendError when a forced backend cannot be used or when training would land on `cpu`.
 */
export async function selectBackend(opts: SelectOptions): Promise<BackendChoice> {
  const env = opts.env ?? process.env;
  const forced = opts.prefer ?? parsePreference(env.DARKNET_BACKEND, 'DARKNET_BACKEND');
  const forcedBy = opts.prefer ? `prefer: '${opts.prefer}'` : `DARKNET_BACKEND=${forced}`;
  if (opts.purpose === 'train' && forced === 'cpu') throw new BackendError(`${forcedBy}: ${CPU_TRAINING_REFUSAL}`);
  const order: Candidate[] = forced === undefined ? [...CANDIDATES] : forced === 'tensorflow' ? ['tensorflow-gpu', 'tensorflow'] : [forced];
  const skipped: SkippedBackend[] = [];
  for (const c of order) {
    if (c === 'cpu' && opts.purpose === 'train') {
      skipped.push({ name: 'cpu', why: CPU_TRAINING_REFUSAL });
      continue;
    }
    const p = await probe(c);
    // tfjs-node-gpu without CUDA still gives native CPU TensorFlow: use it rather than loading a
    // second native TensorFlow (tfjs-node) into the process.
    const gpuPkgAsCpu = c === 'tensorflow' && !p.available && nativeLoadedFrom === 'tensorflow-gpu';
    if (!p.available && !gpuPkgAsCpu) {
      skipped.push({ name: c, why: p.why });
      continue;
    }
    const used = gpuPkgAsCpu ? probes.get('tensorflow-gpu')! : p;
    const name: BackendName = c === 'tensorflow-gpu' ? 'tensorflow' : c;
    if (!(await tf.setBackend(name))) {
      skipped.push({ name: c, why: `tf.setBackend('${name}') failed` });
      continue;
    }
    await tf.ready();
    let reason: string;
    if (c === 'tensorflow-gpu') reason = `native TensorFlow ${used.details.tensorflowVersion} on a CUDA GPU`;
    else if (c === 'tensorflow')
      reason = `native TensorFlow ${used.details.tensorflowVersion} on the CPU (multithreaded)${gpuPkgAsCpu ? ', through @tensorflow/tfjs-node-gpu, whose GPU is unusable here' : ''}`;
    else if (c === 'wasm')
      reason = `${used.why}${opts.purpose === 'train' ? '; slower than native TensorFlow (npm run setup:tensorflow)' : ''}`;
    else reason = used.why;
    if (forced !== undefined) reason = `forced by ${forcedBy}: ${reason}`;
    else if (skipped.length) reason = `${reason} (better backends unavailable: ${skipped.map((s) => s.name).join(', ')})`;
    else reason = `${reason} (best available)`;
    if (name === 'wasm') registerWasmGradientKernels();
    return {
      name,
      candidate: gpuPkgAsCpu ? 'tensorflow' : c,
      package: used.package,
      version: used.version ?? '?',
      gpu: used.gpu,
      reason,
      skipped,
      details: used.details,
    };
  }
  const list = skipped.map((s) => `  ${s.name}: ${s.why}`).join('\n');
  if (forced !== undefined) throw new BackendError(`${forcedBy}, but it cannot be used:\n${list}`, skipped);
  throw new BackendError(`no TensorFlow.js backend can ${opts.purpose === 'train' ? 'train' : 'run'} here:\n${list}`, skipped);
}

/** One line for logs: "tensorflow (@tensorflow/tfjs-node 4.22.0): reason". */
export function describeChoice(c: BackendChoice): string {
  return `${c.name}${c.gpu ? ' [GPU]' : ''} (${c.package} ${c.version}): ${c.reason}`;
}
