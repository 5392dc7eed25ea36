// How a network's latency falls with the channels it keeps (docs/pruning.md §Pruning to a latency
// target). Every layer of the original network gets a size feature f for a pruned shape:
//   layers with FLOPs (conv, connected): their BFLOPs scaled by kept_in/in × kept_out/out (grouped
//                                        convs: kept_out/out only, the group width stays);
//   other layers (route, pool, upsample, shortcut…): kept output elements (memory traffic);
//   layers a cut residual unit removed: 0.
// Two latency models over these features, both non-decreasing in every kept channel:
//   per-layer (OpenVINO's per-node profiling counters): t_i = α_i·f_i + β_i per layer, least squares
//       over the profiled points (α_i, β_i ≥ 0; one point: t_i ∝ f_i), times κ, the mean ratio of
//       the measured whole-model latency to the profiled sum (what no layer accounts for);
//   global (whole-model latencies only, e.g. onnxruntime): t = a·ΣBFLOPs + b (a, b ≥ 0).

import type { Network } from '../cfg/network';

/** A pruned shape in the original network's layer indices. */
export interface PlanShape {
  /** Output channels kept per original layer. */
  keptOut: ArrayLike<number>;
  /** Input channels kept per original layer. */
  keptIn: ArrayLike<number>;
  /** Original layers removed with cut residual units. */
  removed: ReadonlySet<number>;
}

/** The shape of the unpruned network. */
export function fullShape(net: Network): PlanShape {
  return {
    keptOut: net.layers.map((l) => l.output?.[2] ?? 0),
    keptIn: net.layers.map((l) => inputChannels(net, l.index)),
    removed: new Set(),
  };
}

function inputChannels(net: Network, i: number): number {
  const l = net.layers[i];
  return l.input?.[2] ?? (i > 0 ? (net.layers[i - 1].output?.[2] ?? 0) : net.net.channels);
}

/** A shape from kept output channels per layer (a layer reads the layer before it, as convs do). */
export function shapeFromKept(net: Network, keptOut: ArrayLike<number>, removed: ReadonlySet<number> = new Set()): PlanShape {
  const keptIn = net.layers.map((l) => (l.index > 0 ? keptOut[l.index - 1] : net.net.channels));
  return { keptOut, keptIn, removed };
}

/** The size feature of every original layer for a shape. */
export function layerFeatures(net: Network, s: PlanShape): Float64Array {
  const f = new Float64Array(net.layers.length);
  for (const l of net.layers) {
    if (s.removed.has(l.index) || !l.output) continue;
    const out0 = l.output[2],
      in0 = inputChannels(net, l.index);
    const ro = out0 > 0 ? s.keptOut[l.index] / out0 : 1;
    if (l.bflops > 0) {
      const grouped = (l.attrs.groups ?? 1) > 1;
      const ri = !grouped && in0 > 0 ? s.keptIn[l.index] / in0 : 1;
      f[l.index] = l.bflops * ro * ri;
    } else {
      f[l.index] = (s.keptOut[l.index] * l.output[0] * l.output[1]) / 1e9;
    }
  }
  return f;
}

/** BFLOPs of a shape as the features count them (the FLOP layers only). */
export function featureBflops(net: Network, f: Float64Array): number {
  let b = 0;
  for (const l of net.layers) if (l.bflops > 0) b += f[l.index];
  return b;
}

/** One measured model: its features, the measured whole-model latency and, when profiled, per-layer times. */
export interface LatencyPoint {
  features: Float64Array;
  bflops: number;
  /** Median whole-model latency (ms), measured without profiling. */
  measuredMs: number;
  /** Time (ms) per original layer: the profiling counters' split of measuredMs; absent without counters. */
  layerMs?: Float64Array;
  /** Profiled time no layer could be named for (ms). */
  unmappedMs?: number;
}

export type LatencyModelKind = 'per-layer' | 'global';

export interface LatencyModel {
  kind: LatencyModelKind;
  /** Predicted whole-model latency (ms) for the features of a shape. */
  predict(features: Float64Array): number;
  describe(): string;
}

/** Non-negative least squares for y = a·x + b over few points: a, b ≥ 0. */
export function fitAffine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  if (n === 0) return { a: 0, b: 0 };
  const sx = xs.reduce((s, v) => s + v, 0),
    sy = ys.reduce((s, v) => s + v, 0);
  const sxx = xs.reduce((s, v) => s + v * v, 0),
    sxy = xs.reduce((s, v, k) => s + v * ys[k], 0);
  const proportional = () => ({ a: sxx > 0 ? Math.max(0, sxy / sxx) : 0, b: sxx > 0 ? 0 : Math.max(0, sy / n) });
  const det = n * sxx - sx * sx;
  if (n < 2 || det <= 1e-12 * Math.max(1, sxx * n)) return proportional();
  const a = (n * sxy - sx * sy) / det,
    b = (sy - a * sx) / n;
  if (a < 0) return { a: 0, b: Math.max(0, sy / n) };
  if (b < 0) return proportional();
  return { a, b };
}

/** Per-layer model from profiled points (at least one). */
export function fitPerLayer(points: LatencyPoint[]): LatencyModel {
  const profiled = points.filter((p) => p.layerMs);
  if (profiled.length === 0) throw new Error('fitPerLayer: no profiled point');
  const L = profiled[0].features.length;
  const alpha = new Float64Array(L),
    beta = new Float64Array(L);
  for (let i = 0; i < L; i++) {
    const xs: number[] = [],
      ys: number[] = [];
    for (const p of profiled) {
      if (p.features[i] <= 0) continue; // removed in that model: nothing to learn about its cost
      xs.push(p.features[i]);
      ys.push(p.layerMs![i]);
    }
    const { a, b } = fitAffine(xs, ys);
    alpha[i] = a;
    beta[i] = b;
  }
  const ratios = profiled.map(
    (p) =>
      p.measuredMs /
      Math.max(
        1e-9,
        p.layerMs!.reduce((s, v) => s + v, 0),
      ),
  );
  const kappa = ratios.reduce((s, v) => s + v, 0) / ratios.length;
  return {
    kind: 'per-layer',
    predict(f) {
      let t = 0;
      for (let i = 0; i < L; i++) if (f[i] > 0) t += alpha[i] * f[i] + beta[i];
      return kappa * t;
    },
    describe: () =>
      `per-layer t_i = α_i·f_i + β_i from ${profiled.length} profiled model(s), × κ = ${kappa.toFixed(3)} (measured / time named for a layer)`,
  };
}

/** Global model from whole-model latencies (at least one point). */
export function fitGlobal(points: LatencyPoint[], bflopsOf: (f: Float64Array) => number): LatencyModel {
  const { a, b } = fitAffine(
    points.map((p) => p.bflops),
    points.map((p) => p.measuredMs),
  );
  return {
    kind: 'global',
    predict: (f) => a * bflopsOf(f) + b,
    describe: () =>
      `whole-model t = ${a.toFixed(3)} ms/BFLOP · BFLOPs + ${b.toFixed(3)} ms from ${points.length} measured model(s) (no per-layer counters)`,
  };
}
