// One measurable model on one runtime: OpenVINO (latency: one request run synchronously; throughput:
// an AsyncInferQueue keeping every request in flight), onnxruntime-node or TF.js (latency only).
// `measure` runs a slice (iterations or milliseconds), appending each request's latency.

import { readFileSync } from 'node:fs';
import { onnx } from 'onnx-proto';
import { availableParallelism } from 'node:os';
import { analyseText } from '../cfg/analyse';
import type { Network } from '../cfg/network';
import { readWeightsFile } from '../weights/read';
import { synthesizeInput } from '../weights/synth';
import type { BenchModelSpec } from './models';
import type { MishForm } from '../export/onnx-ops';
import { benchRuntime, EVAL_RUNTIMES, type BenchRuntimeName } from '../eval/runtimes';

export type BenchRuntime = BenchRuntimeName;
export type BenchHint = 'latency' | 'throughput';
export type BenchPrecision = 'f32' | 'bf16' | 'fp16';

export interface BenchOptions {
  runtime: BenchRuntime;
  device: string;
  hint: BenchHint;
  precision?: BenchPrecision;
  size: { width?: number; height?: number };
  /** How Mish is written in the ONNX exported from a cfg; default the fastest exact form per runtime (MISH_DEFAULT). */
  mish?: MishForm;
}

/** Per runtime, the Mish form measured fastest among the exact ones (docs/openvino.md, bench/activation-forms.ts). */
export const MISH_DEFAULT: Record<'openvino' | 'onnxruntime', MishForm> = { openvino: 'op', onnxruntime: 'exp' };

/** maxInFlight: the most requests submitted and not yet completed at once (1 when sequential). */
export interface SliceResult {
  completed: number;
  wallMs: number;
  maxInFlight: number;
}

export interface BenchRunner {
  spec: BenchModelSpec;
  inputName: string;
  inputShape: number[];
  /** As read back from the compiled model / session: precision, streams, threads, requests, device. */
  settings: Record<string, string | number>;
  /** The ONNX bytes measured, when the model was exported from a cfg (benchmark_app measures the same). */
  onnx?: Uint8Array;
  measure(limit: { iterations?: number; ms?: number }, latencies: number[]): Promise<SliceResult>;
  dispose(): Promise<void> | void;
}

export class BenchSetupError extends Error {}

function darknet(spec: BenchModelSpec, size: BenchOptions['size']): { net: Network; weights: ReturnType<typeof readWeightsFile> } {
  const net = analyseText(readFileSync(spec.cfg!, 'utf8'), size);
  const bad = net.diagnostics.find((d) => d.severity === 'error');
  if (bad) throw new BenchSetupError(`${spec.cfg}:${bad.range.start.line + 1}: ${bad.message} (run darknet-pruner check)`);
  return { net, weights: readWeightsFile(spec.weights!, net) };
}

/** Runs `once` until the limit; every call timed. */
async function sequential(
  once: () => Promise<void> | void,
  limit: { iterations?: number; ms?: number },
  latencies: number[],
): Promise<SliceResult> {
  const t0 = performance.now();
  let n = 0;
  while (limit.iterations !== undefined ? n < limit.iterations : performance.now() - t0 < limit.ms!) {
    const s = performance.now();
    await once();
    latencies.push(performance.now() - s);
    n++;
  }
  return { completed: n, wallMs: performance.now() - t0, maxInFlight: n > 0 ? 1 : 0 };
}

export async function openvinoRunner(spec: BenchModelSpec, o: BenchOptions): Promise<BenchRunner> {
  const { loadOpenvino, createAsyncInferQueue } = await import('../openvino/api');
  const { compileOpenvino } = await import('../openvino/runtime');
  const { ov } = loadOpenvino();
  let onnx: Uint8Array | undefined;
  if (spec.kind === 'darknet') {
    const { exportOnnx } = await import('../export/onnx');
    const { net, weights } = darknet(spec, o.size);
    onnx = exportOnnx(net, weights, { batch: 1, mish: o.mish ?? MISH_DEFAULT.openvino }).bytes;
  }
  const size = o.size.width && o.size.height && spec.kind !== 'darknet' ? { inputShape: [1, 3, o.size.height, o.size.width] } : {};
  const r = compileOpenvino(onnx ?? spec.file!, { device: o.device, hint: o.hint, precision: o.precision, ...size });
  const input = new ov.Tensor('f32', r.inputShape, synthesizeInput(r.inputShape[3], r.inputShape[2], r.inputShape[1]));
  const inputs = { [r.inputName]: input };
  const s = r.settings;
  const settings: Record<string, string | number> = {
    device: s.device,
    precision: s.precision,
    hint: s.hint,
    streams: s.streams,
    threads: s.threads,
    requests: o.hint === 'throughput' ? s.optimalRequests : 1,
  };
  if (o.hint === 'latency') {
    const request = r.compiled.createInferRequest();
    return {
      spec,
      inputName: r.inputName,
      inputShape: r.inputShape,
      settings,
      onnx,
      measure: (limit, lat) =>
        sequential(
          () => {
            request.infer(inputs);
          },
          limit,
          lat,
        ),
      dispose: () => undefined,
    };
  }
  const jobs = s.optimalRequests;
  const queue = createAsyncInferQueue(ov, r.compiled, jobs);
  let sink: number[] = [];
  queue.setCallback((err, _req, data) => {
    if (!err) sink.push(performance.now() - (data as { t0: number }).t0);
  });
  return {
    spec,
    inputName: r.inputName,
    inputShape: r.inputShape,
    settings,
    onnx,
    measure(limit, latencies) {
      sink = latencies;
      const t0 = performance.now();
      let started = 0,
        done = 0,
        maxInFlight = 0;
      const more = () => (limit.iterations !== undefined ? started < limit.iterations : performance.now() - t0 < limit.ms!);
      return new Promise<SliceResult>((resolve, reject) => {
        const launch = () => {
          started++;
          maxInFlight = Math.max(maxInFlight, started - done);
          queue.startAsync(inputs, { t0: performance.now() }).then(() => {
            done++;
            if (more()) launch();
            else if (done === started) resolve({ completed: done, wallMs: performance.now() - t0, maxInFlight });
          }, reject);
        };
        for (let k = 0; k < jobs && more(); k++) launch();
        if (started === 0) resolve({ completed: 0, wallMs: 0, maxInFlight: 0 });
      });
    },
    dispose: () => queue.release(),
  };
}

/** The first input's shape of an .onnx file; symbolic dimensions become 1. */
function onnxInputShape(bytes: Uint8Array): { name: string; shape: number[] } {
  const input = onnx.ModelProto.decode(bytes).graph?.input?.[0];
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  return { name: input?.name ?? 'input', shape: dims.map((d) => (d.dimValue ? Number(d.dimValue) : 1)) };
}

export async function onnxruntimeRunner(spec: BenchModelSpec, o: BenchOptions): Promise<BenchRunner> {
  if (spec.kind === 'ir') throw new BenchSetupError(`${spec.file}: an OpenVINO IR runs with --runtime openvino only`);
  const { createOrtSession } = await import('../export/ort');
  let bytes: Uint8Array;
  if (spec.kind === 'darknet') {
    const { exportOnnx } = await import('../export/onnx');
    const { net, weights } = darknet(spec, o.size);
    bytes = exportOnnx(net, weights, { batch: 1, mish: o.mish ?? MISH_DEFAULT.onnxruntime }).bytes;
  } else bytes = readFileSync(spec.file!);
  const { shape } = onnxInputShape(bytes);
  if (o.size.width && o.size.height) {
    shape[2] = o.size.height;
    shape[3] = o.size.width;
  }
  const session = await createOrtSession(bytes);
  const input = synthesizeInput(shape[3], shape[2], shape[1]);
  const dims = shape as [number, number, number, number];
  return {
    spec,
    inputName: session.inputName,
    inputShape: shape,
    onnx: spec.kind === 'darknet' ? bytes : undefined,
    settings: {
      device: 'CPU',
      precision: 'f32',
      hint: 'latency',
      streams: 1,
      threads: `default (${availableParallelism()} logical CPUs)`,
      requests: 1,
    },
    measure: (limit, lat) =>
      sequential(
        async () => {
          await session.run(input, dims);
        },
        limit,
        lat,
      ),
    dispose: () => session.release(),
  };
}

export async function tfjsRunner(spec: BenchModelSpec, o: BenchOptions): Promise<BenchRunner> {
  if (spec.kind !== 'darknet')
    throw new BenchSetupError(`${spec.file}: --runtime tfjs measures a .cfg + .weights (or a model folder) only`);
  const { selectBackend, describeChoice } = await import('../nn/backend');
  const { buildNetwork, chwToNHWC } = await import('../nn/model');
  const choice = await selectBackend({ purpose: 'infer' });
  const { net, weights } = darknet(spec, o.size);
  const model = buildNetwork(net, weights, { trainable: false });
  const { width: W, height: H, channels: C } = net.net;
  const x = chwToNHWC(synthesizeInput(W, H, C), W, H, C);
  return {
    spec,
    inputName: 'input',
    inputShape: [1, C, H, W],
    settings: {
      device: 'CPU',
      precision: 'f32',
      hint: 'latency',
      streams: 1,
      threads: 'backend default',
      requests: 1,
      backend: describeChoice(choice),
    },
    async measure(limit, lat) {
      return sequential(
        async () => {
          const outs = model.forward(x);
          for (const t of outs.values()) {
            await t.data();
            t.dispose();
          }
        },
        limit,
        lat,
      );
    },
    dispose: () => {
      x.dispose();
      model.dispose();
    },
  };
}

/** The runner of `o.runtime` (eval/runtimes.ts), once the settings asked of it are ones it has. */
export async function createRunner(spec: BenchModelSpec, o: BenchOptions): Promise<BenchRunner> {
  const rt = benchRuntime(o.runtime);
  const throughputBy = EVAL_RUNTIMES.filter((r) => r.bench.throughput)
    .map((r) => r.benchName)
    .join(', ');
  if (o.hint === 'throughput' && !rt.bench.throughput)
    throw new BenchSetupError(`--hint throughput runs parallel infer requests with --runtime ${throughputBy} only`);
  if (o.precision && !rt.bench.precisions.includes(o.precision))
    throw new BenchSetupError(
      `--precision ${o.precision} is an OpenVINO inference precision; ${o.runtime} runs ${rt.bench.precisions.join(', ')}`,
    );
  if (!rt.bench.devices.includes(o.device))
    throw new BenchSetupError(`--device ${o.device}: ${o.runtime} runs on the ${rt.bench.devices.join(', ')} here`);
  return rt.benchRunner(spec, o);
}
