// Measuring for `prune plan`: a plan's pruned model built in memory (`prune channel` then `prune
// layer`, as `prune channel --then-shortcuts` does), its whole-model latency measured interleaved
// with the baseline's (core/src/bench/interleave.ts, so both see the same load), and on OpenVINO the
// per-layer times from the profiling counters (PERF_COUNT, InferRequest.getProfilingInfo), each
// profiled node mapped back to the darknet layer the ONNX export named it after (`l<i>_conv`, …).

import type { Network } from '../cfg/network';
import { UserError } from '../errors';
import type { DarknetWeights } from '../weights/read';
import { synthesizeInput } from '../weights/synth';
import { pruneChannels, type PrunedModel } from '../prune/channel';
import { pruneLayers } from '../prune/layer';
import { channelStageReport, layerStageReport, type StageReport } from '../prune/report';
import { measureInterleaved } from '../bench/interleave';
import type { BenchRunner, SliceResult } from '../bench/runners';
import { percentile, type LatencyStats } from '../bench/stats';
import type { OvCompiledModel } from '../openvino/api';
import type { PlanParameters } from './latency-search';
import type { PlanShape } from './latency-model';

export type PlanRuntime = 'openvino' | 'onnxruntime';

export interface MeasureSettings {
  runtime: PlanRuntime;
  device: string;
  precision?: 'f32' | 'bf16' | 'fp16';
  warmup: number;
  rounds: number;
  /** Per model over all rounds: iterations, or seconds. */
  iterations?: number;
  seconds?: number;
  /** Profiled inferences per model (OpenVINO); their per-layer medians are kept. */
  profileIterations: number;
}

export interface PlanModel extends PrunedModel {
  stages: StageReport[];
  kind: 'channel' | 'channel+layer';
  /** Pruned layer index → original layer index. */
  toOriginal: number[];
}

/** The pruned model of a plan (slim channel pruning, then the residual units cut). */
export function buildPlanModel(net: Network, weights: DarknetWeights, p: PlanParameters): PlanModel {
  const ch = pruneChannels(net, weights, { globalPercent: p.globalPercent, layerKeep: p.layerKeep, method: 'slim' });
  const stages: StageReport[] = [channelStageReport(ch)];
  if (p.cutUnits === 0) return { ...ch, stages, kind: 'channel', toOriginal: net.layers.map((l) => l.index) };
  const lp = pruneLayers(ch.net, ch.weights, p.cutUnits);
  stages.push(layerStageReport(lp, ch.net));
  return {
    cfgText: lp.cfgText,
    net: lp.net,
    weights: lp.weights,
    warnings: [...ch.warnings, ...lp.warnings],
    stages,
    kind: 'channel+layer',
    toOriginal: lp.prunedToOriginal,
  };
}

/** The shape a built model has, in the original network's indices. */
export function modelShape(original: Network, pruned: Network, toOriginal: number[]): PlanShape {
  const keptOut = new Array<number>(original.layers.length).fill(0),
    keptIn = new Array<number>(original.layers.length).fill(0);
  const kept = new Set(toOriginal);
  for (const l of pruned.layers) {
    const o = toOriginal[l.index];
    keptOut[o] = l.output?.[2] ?? 0;
    keptIn[o] = l.input?.[2] ?? (l.index > 0 ? (pruned.layers[l.index - 1].output?.[2] ?? 0) : pruned.net.channels);
  }
  const removed = new Set(original.layers.map((l) => l.index).filter((i) => !kept.has(i)));
  return { keptOut, keptIn, removed };
}

/** The layer a profiled node belongs to, from the export's `l<i>_<kind>` names (reorders carry the name of the node they feed or leave). */
export function layerOfNode(nodeName: string): number | undefined {
  const m = /(?:^|_)l(\d+)_[a-z]/.exec(nodeName);
  return m ? Number(m[1]) : undefined;
}

export interface ProfilingEntry {
  nodeName: string;
  nodeType: string;
  execType: string;
  realTimeUs: number;
  cpuTimeUs: number;
  status: string;
}
interface ProfilingRequest {
  getProfilingInfo?(): ProfilingEntry[];
}

export class ProfilingUnavailableError extends Error {}

/** The runtime cannot run the model with the settings asked for (a device that is not there, a precision it lacks). */
export class MeasureSetupError extends UserError {}

export interface LayerProfile {
  /** Median per-inference time (ms) per layer of the profiled network. */
  layerMs: Float64Array;
  unmappedMs: number;
  /** Executed nodes, and how many were named for a layer. */
  nodes: number;
  mappedNodes: number;
  /** Executed node types with their median total time (ms), largest first. */
  byType: { nodeType: string; ms: number }[];
}

export const median = (v: number[]): number =>
  percentile(
    [...v].sort((a, b) => a - b),
    50,
  );

/** Per-layer times of `layers` layers from profiled inferences (one entry list per inference). */
export function aggregateProfiles(runs: ProfilingEntry[][], layers: number): LayerProfile {
  const perLayer = Array.from({ length: layers }, () => [] as number[]);
  const unmapped: number[] = [],
    types = new Map<string, number[]>();
  let nodes = 0,
    mappedNodes = 0;
  for (const run of runs) {
    const t = new Float64Array(layers),
      byType = new Map<string, number>();
    let u = 0;
    nodes = 0;
    mappedNodes = 0;
    for (const e of run) {
      if (e.status !== 'EXECUTED') continue;
      nodes++;
      const ms = e.realTimeUs / 1000,
        i = layerOfNode(e.nodeName);
      byType.set(e.nodeType, (byType.get(e.nodeType) ?? 0) + ms);
      if (i !== undefined && i < layers) {
        t[i] += ms;
        mappedNodes++;
      } else u += ms;
    }
    t.forEach((v, i) => perLayer[i].push(v));
    unmapped.push(u);
    for (const [k, v] of byType) {
      if (!types.has(k)) types.set(k, []);
      types.get(k)!.push(v);
    }
  }
  return {
    layerMs: Float64Array.from(perLayer, median),
    unmappedMs: median(unmapped),
    nodes,
    mappedNodes,
    byType: [...types].map(([nodeType, v]) => ({ nodeType, ms: median(v) })).sort((a, b) => b.ms - a.ms),
  };
}

async function exportFor(net: Network, weights: DarknetWeights, runtime: PlanRuntime): Promise<Uint8Array> {
  const { exportOnnx } = await import('../export/onnx');
  const { MISH_DEFAULT } = await import('../bench/runners');
  return exportOnnx(net, weights, { batch: 1, mish: MISH_DEFAULT[runtime] }).bytes;
}

async function compile(
  bytes: Uint8Array,
  s: MeasureSettings,
  extra: Record<string, boolean> = {},
): Promise<{ compiled: OvCompiledModel; inputName: string; inputShape: number[]; settings: Record<string, string | number> }> {
  const { loadOpenvino } = await import('../openvino/api');
  const { compileConfig, shapeOf } = await import('../openvino/runtime');
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  const model = core.readModelSync(bytes);
  let compiled: OvCompiledModel;
  try {
    compiled = core.compileModelSync(model, s.device, {
      ...compileConfig({ device: s.device, hint: 'latency', precision: s.precision }),
      ...extra,
    });
  } catch (e) {
    throw new MeasureSetupError(
      `OpenVINO cannot compile the model for ${s.device}${s.precision ? ` at ${s.precision}` : ''}: ${
        String((e as Error).message)
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !/^Exception from /.test(l))
          .pop() ?? 'failed'
      } (devices here: ${core.getAvailableDevices().join(', ')})`,
    );
  }
  const read = (k: string) => {
    try {
      return String(compiled.getProperty(k));
    } catch {
      return 'n/a';
    }
  };
  return {
    compiled,
    inputName: compiled.inputs[0].anyName,
    inputShape: shapeOf(compiled.inputs[0].getPartialShape().toString()),
    settings: {
      device: s.device,
      precision: read('INFERENCE_PRECISION_HINT'),
      hint: read('PERFORMANCE_HINT'),
      streams: read('NUM_STREAMS'),
      threads: read('INFERENCE_NUM_THREADS'),
      requests: 1,
    },
  };
}

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

/** A latency-mode runner over ONNX bytes (one request run synchronously, as `bench` measures). */
async function runnerFor(label: string, bytes: Uint8Array, net: Network, s: MeasureSettings): Promise<BenchRunner> {
  const spec = { label, kind: 'onnx' as const, inputs: [] };
  if (s.runtime === 'openvino') {
    const { loadOpenvino } = await import('../openvino/api');
    const { ov } = loadOpenvino();
    const c = await compile(bytes, s);
    const request = c.compiled.createInferRequest();
    const inputs = {
      [c.inputName]: new ov.Tensor('f32', c.inputShape, synthesizeInput(c.inputShape[3], c.inputShape[2], c.inputShape[1])),
    };
    return {
      spec,
      inputName: c.inputName,
      inputShape: c.inputShape,
      settings: c.settings,
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
  const { createOrtSession } = await import('../export/ort');
  const dims: [number, number, number, number] = [1, net.net.channels, net.net.height, net.net.width];
  const session = await createOrtSession(bytes);
  const input = synthesizeInput(dims[3], dims[2], dims[1]);
  return {
    spec,
    inputName: session.inputName,
    inputShape: dims,
    settings: { device: 'CPU', precision: 'f32', hint: 'latency', requests: 1 },
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

export interface Measured {
  label: string;
  latency: LatencyStats;
  latenciesMs: number[];
}

/** Whole-model latencies of several models, interleaved round by round. */
export async function measureModels(
  models: { label: string; net: Network; weights: DarknetWeights }[],
  s: MeasureSettings,
): Promise<{ measured: Measured[]; settings: Record<string, string | number> }> {
  const runners: BenchRunner[] = [];
  try {
    for (const m of models) runners.push(await runnerFor(m.label, await exportFor(m.net, m.weights, s.runtime), m.net, s));
    const rounds = s.iterations !== undefined ? Math.max(1, Math.min(s.rounds, s.iterations)) : s.rounds;
    const res = await measureInterleaved(runners, {
      iterations: s.iterations,
      seconds: s.iterations === undefined ? (s.seconds ?? 3) : undefined,
      warmup: s.warmup,
      rounds,
    });
    return {
      measured: res.map((r, i) => ({ label: models[i].label, latency: r.latency, latenciesMs: r.latenciesMs })),
      settings: runners[0]?.settings ?? {},
    };
  } finally {
    for (const r of runners) await r.dispose();
  }
}

/** Per-layer times of a model on OpenVINO from the profiling counters. */
export async function profileOpenvino(net: Network, weights: DarknetWeights, s: MeasureSettings): Promise<LayerProfile> {
  const { loadOpenvino } = await import('../openvino/api');
  const { ov } = loadOpenvino();
  const c = await compile(await exportFor(net, weights, 'openvino'), s, { PERF_COUNT: true });
  const request = c.compiled.createInferRequest() as ReturnType<OvCompiledModel['createInferRequest']> & ProfilingRequest;
  if (typeof request.getProfilingInfo !== 'function')
    throw new ProfilingUnavailableError('this openvino-node build has no InferRequest.getProfilingInfo (ours has: npm run setup:openvino)');
  const inputs = { [c.inputName]: new ov.Tensor('f32', c.inputShape, synthesizeInput(c.inputShape[3], c.inputShape[2], c.inputShape[1])) };
  for (let k = 0; k < Math.min(2, s.warmup); k++) request.infer(inputs);
  const runs: ProfilingEntry[][] = [];
  for (let k = 0; k < s.profileIterations; k++) {
    request.infer(inputs);
    runs.push(request.getProfilingInfo());
  }
  return aggregateProfiles(runs, net.layers.length);
}
