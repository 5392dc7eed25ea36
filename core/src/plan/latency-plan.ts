// `prune plan`: fit → search → build → measure → refit, a bounded number of times
// (docs/pruning.md §Pruning to a latency target). The baseline is measured (and on OpenVINO
// profiled per layer); the fitted model picks the plan predicted to meet the target with the most
// γ mass; that plan's model is built and measured interleaved with the baseline; a miss adds the
// measurement to the fit and searches again. The result says honestly whether the target was met.

import type { Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { absGammas } from '../prune/plan';
import { residualUnits } from '../prune/layer';
import { analyseChannelStructure } from '../prune/structure';
import { featureBflops, fitGlobal, fitPerLayer, fullShape, layerFeatures, type LatencyModel, type LatencyPoint } from './latency-model';
import {
  choosePlan,
  enumerateCandidates,
  rankFeasible,
  sameParameters,
  targetCurve,
  type PlanCandidate,
  type PlanParameters,
  type SearchSpace,
} from './latency-search';
import { median } from './latency-measure';
import {
  buildPlanModel,
  measureModels,
  modelShape,
  profileOpenvino,
  ProfilingUnavailableError,
  type LayerProfile,
  type MeasureSettings,
  type PlanModel,
} from './latency-measure';

export const PLAN_FILE = 'plan.json';
export const PLAN_VERSION = 1;
/** A plan met with more than this fraction of the target to spare is refitted for more γ mass (while --max-iterations allows). */
export const MET_SLACK = 0.1;

export interface LatencyPlanOptions {
  /** The target: a latency in ms, or a fraction of the baseline's (its reference level, the median
   * of every baseline measurement of the run, so it follows the machine's load). Exactly one. */
  targetMs?: number;
  targetRatio?: number;
  space: SearchSpace;
  /** Candidate models built and measured at most. */
  maxMeasurements: number;
  measure: MeasureSettings;
  progress?(message: string, fraction: number): void;
  /** After each measured plan (k from 1). */
  measured?(it: PlanIteration, k: number): void;
  /** With a dataset: picks among the best feasible candidates (returns the one chosen and its mAP). */
  choose?(
    ranked: PlanCandidate[],
  ): Promise<{ plan: PlanCandidate; map50: number; evaluated: { plan: PlanParameters; gammaMass: number; map50: number }[] }>;
}

export interface PlanIteration extends PlanParameters {
  /** The target in ms this plan was judged against (with targetRatio it follows the reference baseline). */
  targetMs: number;
  gammaMass: number;
  predictedMs: number;
  /** Predicted to meet the target by the model fitted before this measurement. */
  predictedMet: boolean;
  achievedMs: number;
  /** The baseline measured in the same interleaved rounds. */
  baselineMs: number;
  /** achievedMs / baselineMs × the median of every baseline measurement so far: the plan at the
   * reference load, what the fit uses and what `met` compares with the target. */
  adjustedMs: number;
  /** achievedMs itself within the target. */
  metAsMeasured: boolean;
  met: boolean;
  bflops: number;
  params: number;
  profiled: boolean;
  model: string;
  map50?: number;
}

export interface LatencyPlanResult {
  /** The target in ms at the end (with targetRatio: that fraction of the final reference baseline). */
  targetMs: number;
  model: PlanModel;
  chosen: PlanIteration;
  iterations: PlanIteration[];
  baseline: {
    measuredMs: number;
    referenceMs: number;
    measurements: number;
    bflops: number;
    params: number;
    profile?: { nodes: number; mappedNodes: number; unmappedMs: number; layerMsSum: number };
  };
  latencyModel: { kind: LatencyModel['kind']; description: string };
  settings: Record<string, string | number>;
  curve: { targetMs: number; met: boolean; predictedMs: number; gammaMass: number; plan: PlanParameters }[];
  evaluated?: { plan: PlanParameters; gammaMass: number; map50: number }[];
  notes: string[];
}

const params = (c: PlanParameters): PlanParameters => ({ globalPercent: c.globalPercent, layerKeep: c.layerKeep, cutUnits: c.cutUnits });

export async function planForLatency(net: Network, weights: DarknetWeights, o: LatencyPlanOptions): Promise<LatencyPlanResult> {
  if ((o.targetMs === undefined) === (o.targetRatio === undefined)) throw new Error('planForLatency: give targetMs or targetRatio');
  const progress = o.progress ?? (() => undefined);
  const notes: string[] = [];
  const gammas = absGammas(net, weights);
  const structure = analyseChannelStructure(net);
  const units = residualUnits(net, weights).units;
  const space = { ...o.space, maxCut: Math.min(o.space.maxCut, units.length) };
  const input = { net, weights };
  const baseFeatures = layerFeatures(net, fullShape(net));
  const bflopsOf = (f: Float64Array) => featureBflops(net, f);
  // Every measurement is kept as a ratio to the baseline measured in the same interleaved rounds;
  // the fit sees it at the reference level, the median of every baseline measurement so far, so
  // that the machine's changing load does not read as a change of plan.
  const observations: { features: Float64Array; ratio: number; prof?: LayerProfile }[] = [];
  const baselines: number[] = [];
  const baseRef = () => median(baselines);
  const targetMs = () => (o.targetRatio !== undefined ? o.targetRatio * baseRef() : o.targetMs!);
  let profiling = o.measure.runtime === 'openvino';

  const profileOf = async (m: { net: Network; weights: DarknetWeights }, toOriginal: number[]): Promise<LayerProfile | undefined> => {
    if (!profiling) return undefined;
    try {
      const p = await profileOpenvino(m.net, m.weights, o.measure);
      const layerMs = new Float64Array(net.layers.length);
      p.layerMs.forEach((v, k) => {
        layerMs[toOriginal[k]] += v;
      });
      return { ...p, layerMs };
    } catch (e) {
      if (!(e instanceof ProfilingUnavailableError)) throw e;
      profiling = false;
      notes.push(`${e.message}: fitted from whole-model latencies instead`);
      return undefined;
    }
  };

  // Profiles give how the time splits over the layers; the level comes from the whole-model
  // latency measured without counters (the counters' own totals drift with the machine's load).
  const point = ({ features, ratio, prof }: (typeof observations)[number]): LatencyPoint => {
    const measuredMs = ratio * baseRef();
    if (!prof) return { features, bflops: bflopsOf(features), measuredMs };
    const scale = measuredMs / Math.max(1e-9, prof.layerMs.reduce((s, v) => s + v, 0) + prof.unmappedMs);
    return {
      features,
      bflops: bflopsOf(features),
      measuredMs,
      layerMs: prof.layerMs.map((v) => v * scale),
      unmappedMs: prof.unmappedMs * scale,
    };
  };

  progress('measuring the baseline', 0.02);
  const identity = net.layers.map((l) => l.index);
  const baseProfile = await profileOf(input, identity);
  let settings: Record<string, string | number> = {};
  if (baseProfile) {
    const r = await measureModels([{ label: 'baseline', ...input }], o.measure);
    settings = r.settings;
    baselines.push(r.measured[0].latency.medianMs);
    observations.push({ features: baseFeatures, ratio: 1, prof: baseProfile });
  }
  if (!profiling) {
    // Without per-layer counters: whole-model latencies at the baseline and two channel plans near
    // 2/3 and 1/3 of its BFLOPs give the global fit its slope and intercept.
    const flopsOnly: LatencyModel = { kind: 'global', predict: (f) => bflopsOf(f), describe: () => '' };
    const grid = enumerateCandidates(
      { net, gammas, structure, units },
      { percents: space.percents, layerKeeps: [space.layerKeeps[0]], maxCut: 0 },
      flopsOnly,
    );
    const base = bflopsOf(baseFeatures);
    const pick = (frac: number) => choosePlan(grid, frac * base).plan;
    const probes = [pick(2 / 3), pick(1 / 3)].filter((c, k, a) => c.globalPercent > 0 && a.findIndex((d) => sameParameters(c, d)) === k);
    const models = probes.map((c) => ({ c, m: buildPlanModel(net, weights, c) }));
    const r = await measureModels(
      [{ label: 'baseline', ...input }, ...models.map(({ c, m }) => ({ label: `p=${c.globalPercent}`, net: m.net, weights: m.weights }))],
      o.measure,
    );
    settings = r.settings;
    observations.length = 0;
    const b = r.measured[0].latency.medianMs;
    baselines.push(b);
    observations.push({ features: baseFeatures, ratio: 1 });
    models.forEach(({ m }, k) =>
      observations.push({
        features: layerFeatures(net, modelShape(net, m.net, m.toOriginal)),
        ratio: r.measured[k + 1].latency.medianMs / b,
      }),
    );
    notes.push(
      `${o.measure.runtime === 'openvino' ? 'OpenVINO without profiling counters' : 'onnxruntime has no per-layer profiling counters'}: the latency model is fitted from whole-model latencies of the baseline and ${models.length} channel plan(s) (${probes.map((c) => `p=${c.globalPercent}`).join(', ')})`,
    );
  }
  const firstBaselineMs = baselines[0];
  const fit = (): LatencyModel => (profiling ? fitPerLayer(observations.map(point)) : fitGlobal(observations.map(point), bflopsOf));

  const iterations: PlanIteration[] = [];
  const built: { it: PlanIteration; model: PlanModel }[] = [];
  let latencyModel = fit();
  let evaluated: LatencyPlanResult['evaluated'];
  for (let k = 0; k < o.maxMeasurements; k++) {
    progress(`searching (fit ${k + 1}: ${latencyModel.kind})`, 0.1 + (0.8 * k) / o.maxMeasurements);
    const candidates = enumerateCandidates({ net, gammas, structure, units }, space, latencyModel);
    const target = targetMs();
    const first = choosePlan(candidates, target);
    const predictedMet = first.met;
    let plan = first.plan;
    let map50: number | undefined;
    if (predictedMet && o.choose) {
      const c = await o.choose(rankFeasible(candidates, target));
      plan = c.plan;
      map50 = c.map50;
      evaluated = c.evaluated;
    }
    if (built.some((b) => sameParameters(b.it, plan))) {
      notes.push(
        `fit ${k + 1} chose p=${plan.globalPercent}, layer_keep=${plan.layerKeep}, ${plan.cutUnits} unit(s) cut again: already measured, stopped`,
      );
      break;
    }
    progress(
      `measuring p=${plan.globalPercent}, layer_keep=${plan.layerKeep}, ${plan.cutUnits} unit(s) cut (predicted ${plan.predictedMs.toFixed(2)} ms)`,
      0.15 + (0.8 * k) / o.maxMeasurements,
    );
    const model = buildPlanModel(net, weights, plan);
    const r = await measureModels(
      [
        { label: 'baseline', ...input },
        { label: 'plan', net: model.net, weights: model.weights },
      ],
      o.measure,
    );
    const achievedMs = r.measured[1].latency.medianMs,
      roundBaseline = r.measured[0].latency.medianMs;
    baselines.push(roundBaseline);
    const ratio = achievedMs / roundBaseline,
      adjustedMs = ratio * baseRef();
    const features = layerFeatures(net, modelShape(net, model.net, model.toOriginal));
    const prof = await profileOf(model, model.toOriginal);
    const it: PlanIteration = {
      ...params(plan),
      gammaMass: plan.gammaMass,
      predictedMs: latencyModel.predict(features),
      predictedMet,
      achievedMs,
      baselineMs: roundBaseline,
      adjustedMs,
      targetMs: targetMs(),
      met: adjustedMs <= targetMs(),
      metAsMeasured: achievedMs <= targetMs(),
      bflops: model.net.totals.bflops,
      params: model.net.totals.params,
      profiled: prof !== undefined,
      model: latencyModel.describe(),
      ...(map50 !== undefined ? { map50 } : {}),
    };
    iterations.push(it);
    o.measured?.(it, k + 1);
    built.push({ it, model });
    observations.push({ features, ratio, prof });
    latencyModel = fit();
    // Met with room to spare: the refitted model may find a plan that keeps more γ mass.
    if (it.met && it.adjustedMs >= (1 - MET_SLACK) * targetMs()) break;
  }
  // Best measured plan that met the target (most γ mass); none: the fastest measured.
  const met = built.filter((b) => b.it.met).sort((a, b) => b.it.gammaMass - a.it.gammaMass);
  const pick = met[0] ?? built.reduce((m, b) => (b.it.adjustedMs < m.it.adjustedMs ? b : m));
  if (!met.length)
    notes.push(
      `no measured plan met ${targetMs().toFixed(2)} ms in ${built.length} measured plan(s) (--max-iterations ${o.maxMeasurements}): the fastest measured one is written`,
    );
  if (built.length > 1)
    notes.push(
      `${built.length} plans measured (${iterations.map((it, k) => `${k + 1}: ${it.met ? 'met' : 'missed'}`).join(', ')}), each refitting the model; written: plan ${built.indexOf(pick) + 1}, ${met.length ? 'the met one with the most γ mass' : 'the fastest'}`,
    );

  // The curve of the final fit: best plan for targets from the fastest prediction to the baseline.
  const candidates = enumerateCandidates({ net, gammas, structure, units }, space, latencyModel);
  const lo = Math.min(...candidates.map((c) => c.predictedMs)),
    hi = Math.max(...candidates.map((c) => c.predictedMs));
  const curve = targetCurve(
    candidates,
    Array.from({ length: 11 }, (_, k) => lo + ((hi - lo) * k) / 10),
  ).map((t) => ({ targetMs: t.targetMs, met: t.met, predictedMs: t.plan.predictedMs, gammaMass: t.plan.gammaMass, plan: params(t.plan) }));

  return {
    targetMs: targetMs(),
    model: pick.model,
    chosen: pick.it,
    iterations,
    baseline: {
      measuredMs: firstBaselineMs,
      referenceMs: baseRef(),
      measurements: baselines.length,
      bflops: net.totals.bflops,
      params: net.totals.params,
      ...(baseProfile
        ? {
            profile: {
              nodes: baseProfile.nodes,
              mappedNodes: baseProfile.mappedNodes,
              unmappedMs: baseProfile.unmappedMs,
              layerMsSum: baseProfile.layerMs.reduce((s, v) => s + v, 0),
            },
          }
        : {}),
    },
    latencyModel: { kind: latencyModel.kind, description: latencyModel.describe() },
    settings,
    curve,
    ...(evaluated ? { evaluated } : {}),
    notes,
  };
}
