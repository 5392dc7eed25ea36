// A compiled OpenVINO model with one input (our exports: NCHW f32 `input`): the compile options the
// product uses, a synchronous run that copies the outputs out, and the settings read back from the
// compiled model (what OpenVINO actually chose, not what was asked for).

import { loadOpenvino, type OvCompiledModel, type OvConfig, type OvModel } from './api';

export type OvDevice = 'CPU' | 'GPU' | 'NPU' | 'AUTO' | string;
export type OvHint = 'latency' | 'throughput';
export type OvPrecision = 'f32' | 'bf16' | 'fp16';

export interface OvCompileOptions {
  device?: OvDevice;
  hint?: OvHint;
  /** INFERENCE_PRECISION_HINT; unset: the device's default (bf16 on CPUs that have it, f16 on GPU). */
  precision?: OvPrecision;
  /** Fixed input shape for a dynamic model, e.g. [1, 3, 416, 416]. */
  inputShape?: number[];
}

/** What the compiled model reports it uses. */
export interface OvCompiledSettings {
  device: string;
  precision: string;
  hint: string;
  streams: number | string;
  threads: number | string;
  optimalRequests: number;
}

export interface OvRunner {
  compiled: OvCompiledModel;
  inputName: string;
  inputShape: number[];
  outputNames: string[];
  settings: OvCompiledSettings;
  /** One inference; outputs copied (the request's buffers are reused by the next run). */
  run(data: Float32Array): Record<string, Float32Array>;
}

const PRECISION: Record<OvPrecision, string> = { f32: 'f32', bf16: 'bf16', fp16: 'f16' };

export function compileConfig(o: OvCompileOptions): OvConfig {
  const cfg: OvConfig = { PERFORMANCE_HINT: (o.hint ?? 'latency').toUpperCase() };
  if (o.precision) cfg.INFERENCE_PRECISION_HINT = PRECISION[o.precision];
  // Decaying activations hit denormals; flushing them avoids a large slowdown on CPU
  // (docs/runtimes.md §Denormals).
  if ((o.device ?? 'CPU') === 'CPU') cfg.CPU_DENORMALS_OPTIMIZATION = true;
  return cfg;
}

function readBack(cm: OvCompiledModel, device: string): OvCompiledSettings {
  const get = (name: string): number | string => {
    try {
      const v = cm.getProperty(name);
      return typeof v === 'boolean' ? String(v) : v;
    } catch {
      return 'n/a';
    }
  };
  const requests = Number(get('OPTIMAL_NUMBER_OF_INFER_REQUESTS'));
  return {
    device: String(get('EXECUTION_DEVICES')) === 'n/a' ? device : String(get('EXECUTION_DEVICES')),
    precision: String(get('INFERENCE_PRECISION_HINT')),
    hint: String(get('PERFORMANCE_HINT')),
    streams: get('NUM_STREAMS'),
    threads: get('INFERENCE_NUM_THREADS'),
    optimalRequests: Number.isFinite(requests) && requests > 0 ? requests : 1,
  };
}

/** Reads a model (an .onnx or IR .xml path, or ONNX bytes) and compiles it. */
export function compileOpenvino(model: string | Uint8Array, o: OvCompileOptions = {}): OvRunner {
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  const m: OvModel = typeof model === 'string' ? core.readModelSync(model) : core.readModelSync(model);
  if (m.inputs.length !== 1) throw new Error(`the model has ${m.inputs.length} inputs; one (NCHW image) is expected`);
  const declared = m.inputs[0].getPartialShape();
  if (o.inputShape) m.reshape(`[${o.inputShape.join(',')}]`);
  else if (!declared.isStatic()) m.reshape(declared.toString().replace(/\?|-1|\.\.\d*/, '1'));
  const device = o.device ?? 'CPU';
  const compiled = core.compileModelSync(m, device, compileConfig(o));
  const inputName = compiled.inputs[0].anyName;
  const inputShape = shapeOf(compiled.inputs[0].getPartialShape().toString());
  const outputNames = compiled.outputs.map((p) => p.anyName);
  const request = compiled.createInferRequest();
  return {
    compiled,
    inputName,
    inputShape,
    outputNames,
    settings: readBack(compiled, device),
    run(data) {
      const res = request.infer({ [inputName]: new ov.Tensor('f32', inputShape, data) });
      const out: Record<string, Float32Array> = {};
      for (const name of outputNames) out[name] = Float32Array.from(res[name].data as Float32Array);
      return out;
    },
  };
}

/** "[1,3,416,416]" → [1, 3, 416, 416]. */
export function shapeOf(partial: string): number[] {
  return partial
    .replace(/[[\]\s]/g, '')
    .split(',')
    .filter(Boolean)
    .map(Number);
}
