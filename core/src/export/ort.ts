// onnxruntime-node, loaded lazily (it is a native addon; never load it next to tfjs-node,
// docs/runtimes.md §One native runtime per process).

import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { UserError } from '../errors';

const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

export class OrtUnavailableError extends UserError {}

let ort: typeof Ort | undefined;

export function loadOrt(): typeof Ort {
  if (ort) return ort;
  try {
    ort = req('onnxruntime-node') as typeof Ort;
  } catch (e) {
    throw new OrtUnavailableError(`onnxruntime-node cannot be loaded: ${(e as Error).message}`);
  }
  return ort;
}

export interface OrtModel {
  session: Ort.InferenceSession;
  inputName: string;
  outputNames: readonly string[];
  /** One forward pass on CHW float32 images (batch = data.length / (c·h·w)). */
  run(data: Float32Array, dims: [number, number, number, number]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export async function createOrtSession(model: Uint8Array | string, opts: { threads?: number } = {}): Promise<OrtModel> {
  const o = loadOrt();
  const session = await o.InferenceSession.create(model as Uint8Array, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads ?? 0,
    // Decaying activations hit denormals; flushing them avoids a 2–3× slowdown (docs/runtimes.md
    // §Denormals).
    extra: { session: { set_denormal_as_zero: '1' } },
  });
  return {
    session,
    inputName: session.inputNames[0],
    outputNames: session.outputNames,
    async run(data, dims) {
      const res = await session.run({ [session.inputNames[0]]: new o.Tensor('float32', data, dims) });
      const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
      for (const [k, v] of Object.entries(res)) out[k] = { data: v.data as Float32Array, dims: v.dims };
      return out;
    },
    release: () => session.release(),
  };
}
