// The runtimes a network can be evaluated and measured on, one record each (as nn/backend.ts lists
// the TF.js backends): what each needs installed and the command that installs it, how to check it
// loads here, how it runs the network on an image (eval, detect, sweep --data) and its bench runner.
// Commands look a runtime up here instead of branching on its name; each one's modules are imported
// only when it is chosen (docs/runtimes.md §One native runtime per process).

import type { Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import type { BenchModelSpec } from '../bench/models';
import type { BenchOptions, BenchRunner } from '../bench/runners';
import type { HeadSource } from './evaluate';

export interface SourceOptions {
  /** OpenVINO device and inference precision. */
  device?: string;
  precision?: 'f32' | 'bf16' | 'fp16';
  /** The TF.js backend (else nn/backend.ts chooses). */
  backend?: 'wasm' | 'cpu' | 'tensorflow';
}

export interface EvalRuntime {
  /** --runtime of eval, detect and sweep. */
  name: 'tfjs' | 'onnx' | 'openvino';
  /** --runtime of bench (it names the package, as benchmark tables do). */
  benchName: 'tfjs' | 'onnxruntime' | 'openvino';
  /** What it runs: our network in TF.js, or our ONNX export in another engine. */
  runs: string;
  /** The npm package it loads. */
  package: string;
  /** What installs it when it is missing or does not load. */
  setup: string;
  /** Loads the runtime in this process: undefined when it is usable, else why not (one line). */
  probe(): Promise<string | undefined>;
  /** The network as a head source: one CHW image in, every head's activated output (darknet layout) out. */
  source(net: Network, weights: DarknetWeights, opts?: SourceOptions): Promise<HeadSource>;
  /** Its runner for `bench`. */
  benchRunner(spec: BenchModelSpec, o: BenchOptions): Promise<BenchRunner>;
  /** What bench may ask of it besides one request at a time, f32, on the CPU. */
  bench: { throughput: boolean; precisions: readonly ('f32' | 'bf16' | 'fp16')[]; devices: readonly string[] };
}

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

async function probeWith(load: () => unknown | Promise<unknown>): Promise<string | undefined> {
  try {
    await load();
    return undefined;
  } catch (e) {
    return firstLine(e);
  }
}

export const EVAL_RUNTIMES: readonly EvalRuntime[] = [
  {
    name: 'tfjs',
    benchName: 'tfjs',
    runs: 'the network built in TensorFlow.js (backend chosen as darknet-pruner env shows)',
    package: '@tensorflow/tfjs-core with a backend (wasm always; @tensorflow/tfjs-node for native TensorFlow)',
    setup: 'npm install (native TensorFlow: npm run setup:tensorflow)',
    probe: async () => probeWith(async () => (await import('../nn/backend')).selectBackend({ purpose: 'infer' })),
    source: async (net, weights, o = {}) => (await import('./sources')).tfjsSource(net, weights, o.backend),
    benchRunner: async (spec, o) => (await import('../bench/runners')).tfjsRunner(spec, o),
    bench: { throughput: false, precisions: ['f32'], devices: ['CPU'] },
  },
  {
    name: 'onnx',
    benchName: 'onnxruntime',
    runs: 'our ONNX export in onnxruntime-node (CPU)',
    package: 'onnxruntime-node',
    setup: 'npm install onnxruntime-node',
    probe: async () => probeWith(async () => (await import('../export/ort')).loadOrt()),
    source: async (net, weights) => (await import('./sources')).onnxSource(net, weights),
    benchRunner: async (spec, o) => (await import('../bench/runners')).onnxruntimeRunner(spec, o),
    bench: { throughput: false, precisions: ['f32'], devices: ['CPU'] },
  },
  {
    name: 'openvino',
    benchName: 'openvino',
    runs: 'our ONNX export compiled by OpenVINO (openvino-node: the official build or ours)',
    package: 'openvino-node',
    setup: 'npm run setup:openvino',
    probe: async () => probeWith(async () => (await import('../openvino/api')).loadOpenvino()),
    source: async (net, weights, o = {}) =>
      (await import('./sources')).openvinoSource(net, weights, { device: o.device, precision: o.precision }),
    benchRunner: async (spec, o) => (await import('../bench/runners')).openvinoRunner(spec, o),
    bench: { throughput: true, precisions: ['f32', 'bf16', 'fp16'], devices: ['CPU', 'GPU', 'NPU', 'AUTO'] },
  },
];

export type EvalRuntimeName = EvalRuntime['name'];
export type BenchRuntimeName = EvalRuntime['benchName'];

/** The values of eval/detect/sweep --runtime, and of bench --runtime. */
export const EVAL_RUNTIME_NAMES = EVAL_RUNTIMES.map((r) => r.name) as readonly EvalRuntimeName[];
export const BENCH_RUNTIME_NAMES = EVAL_RUNTIMES.map((r) => r.benchName) as readonly BenchRuntimeName[];

export function evalRuntime(name: EvalRuntimeName): EvalRuntime {
  return EVAL_RUNTIMES.find((r) => r.name === name)!;
}

export function benchRuntime(name: BenchRuntimeName): EvalRuntime {
  return EVAL_RUNTIMES.find((r) => r.benchName === name)!;
}
