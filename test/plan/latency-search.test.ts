// prune plan's search on a synthetic cost model (no runtime, no timing): the fit's constraints, the
// candidates' consistency with the model `prune channel`/`prune layer` actually build, monotone
// curves over targets, and the mapping of profiled OpenVINO node names back to layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Network } from '../../core/src/cfg/network';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { absGammas } from '../../core/src/prune/plan';
import { residualUnits } from '../../core/src/prune/layer';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import {
  fitAffine,
  fitGlobal,
  fitPerLayer,
  fullShape,
  layerFeatures,
  featureBflops,
  type LatencyPoint,
} from '../../core/src/plan/latency-model';
import { choosePlan, enumerateCandidates, rankFeasible, targetCurve, type SearchInput } from '../../core/src/plan/latency-search';
import { aggregateProfiles, buildPlanModel, layerOfNode, modelShape } from '../../core/src/plan/latency-measure';
import { corpusMissing, readCfg } from '../corpus';

const skip = corpusMissing();

function load(name: string, size: number): { net: Network; input: SearchInput; weights: ReturnType<typeof synthesizeWeights> } {
  const net = analyseText(
    readCfg(name)
      .replace(/^width=\d+/m, `width=${size}`)
      .replace(/^height=\d+/m, `height=${size}`),
  );
  const weights = synthesizeWeights(net);
  return {
    net,
    weights,
    input: { net, gammas: absGammas(net, weights), structure: analyseChannelStructure(net), units: residualUnits(net, weights).units },
  };
}

/** A per-layer model from one synthetic "profile": conv time ∝ BFLOPs plus a fixed cost, others ∝ elements. */
function syntheticModel(net: Network) {
  const f = layerFeatures(net, fullShape(net));
  const half = layerFeatures(net, {
    ...fullShape(net),
    keptOut: net.layers.map((l) => Math.ceil((l.output?.[2] ?? 0) / 2)),
    keptIn: net.layers.map((l) => Math.ceil((l.input?.[2] ?? 0) / 2)),
  });
  const time = (x: Float64Array) => Float64Array.from(x, (v, i) => (v > 0 ? 30 * v + (net.layers[i].bflops > 0 ? 0.05 : 0.01) : 0));
  const pt = (x: Float64Array): LatencyPoint => {
    const layerMs = time(x);
    return { features: x, bflops: featureBflops(net, x), measuredMs: layerMs.reduce((s, v) => s + v, 0), layerMs, unmappedMs: 0 };
  };
  return fitPerLayer([pt(f), pt(half)]);
}

test('fitAffine: exact on a line, never a negative slope or intercept', () => {
  const { a, b } = fitAffine([1, 2, 4], [5, 7, 11]);
  assert.ok(Math.abs(a - 2) < 1e-12 && Math.abs(b - 3) < 1e-12);
  assert.deepEqual(fitAffine([1, 2], [5, 3]), { a: 0, b: 4 }, 'falling data: flat at the mean');
  const p = fitAffine([1, 2], [1, 3]);
  assert.equal(p.b, 0, 'a negative intercept becomes a proportional fit');
  assert.ok(Math.abs(p.a - 7 / 5) < 1e-12);
  assert.deepEqual(fitAffine([2], [6]), { a: 3, b: 0 }, 'one point: proportional');
});

test('per-layer fit reproduces its points; the global fit is affine in BFLOPs', () => {
  const pts: LatencyPoint[] = [
    { features: Float64Array.from([1, 2]), bflops: 3, measuredMs: 10, layerMs: Float64Array.from([3, 5]), unmappedMs: 2 },
    { features: Float64Array.from([0.5, 1]), bflops: 1.5, measuredMs: 6, layerMs: Float64Array.from([2, 3]), unmappedMs: 1 },
  ];
  const m = fitPerLayer(pts);
  // κ = mean(10/8, 6/5) scales both
  const kappa = (10 / 8 + 6 / 5) / 2;
  assert.ok(Math.abs(m.predict(pts[0].features) - kappa * 8) < 1e-9);
  assert.ok(Math.abs(m.predict(pts[1].features) - kappa * 5) < 1e-9);
  const g = fitGlobal(pts, (f) => f[0] + f[1]);
  assert.ok(Math.abs(g.predict(Float64Array.from([1, 2])) - 10) < 1e-9 && Math.abs(g.predict(Float64Array.from([0.5, 1])) - 6) < 1e-9);
});

test('profiled node names map to the layers the ONNX export named them after', () => {
  assert.equal(layerOfNode('l12_conv/Conv/WithoutBiases'), 12);
  assert.equal(layerOfNode('input_abcd_acdb_l0_conv/Conv/WithoutBiases'), 0, 'an input reorder goes with the conv it feeds');
  assert.equal(layerOfNode('l29_conv/Conv/WithoutBiases_acdb_abcd_head_30/sink_port_0'), 29);
  assert.equal(layerOfNode('l8_route/Concat'), 8);
  assert.equal(layerOfNode('leakyrelu_3/LeakyRelu'), undefined);
  assert.equal(layerOfNode('slice_10/Slice'), undefined);
  const e = (nodeName: string, realTimeUs: number, status = 'EXECUTED') => ({
    nodeName,
    nodeType: 'Convolution',
    execType: 'x',
    realTimeUs,
    cpuTimeUs: realTimeUs,
    status,
  });
  const p = aggregateProfiles(
    [
      [e('l0_conv/Conv', 1000), e('l1_maxpool/MaxPool', 100), e('slice/Slice', 50), e('leakyrelu/LeakyRelu', 0, 'NOT_RUN')],
      [e('l0_conv/Conv', 3000), e('l1_maxpool/MaxPool', 300), e('slice/Slice', 10)],
      [e('l0_conv/Conv', 2000), e('l1_maxpool/MaxPool', 200), e('slice/Slice', 30)],
    ],
    3,
  );
  assert.deepEqual([...p.layerMs], [2, 0.2, 0], 'per-layer medians in ms');
  assert.equal(p.unmappedMs, 0.03);
  assert.equal(p.nodes, 3);
  assert.equal(p.mappedNodes, 2);
});

test('candidates price exactly the model prune channel + prune layer build (yolov3 at 128)', { skip }, () => {
  const { net, weights, input } = load('yolov3.cfg', 128);
  const model = syntheticModel(net);
  const all = enumerateCandidates(input, { percents: [0.3, 0.7], layerKeeps: [0.1], maxCut: 3 }, model);
  assert.equal(all.length, 2 * 4);
  for (const c of all.filter((x) => x.cutUnits === 0 || x.cutUnits === 3)) {
    const built = buildPlanModel(net, weights, c);
    const f = layerFeatures(net, modelShape(net, built.net, built.toOriginal));
    assert.deepEqual([...f], [...c.features], `p=${c.globalPercent} cut=${c.cutUnits}: the searched shape is the built one`);
    assert.equal(built.net.layers.length, net.layers.length - c.removed.size);
  }
});

test('search: monotone in percent and cut units; a sweep of targets gives a monotone γ-mass curve', { skip }, () => {
  const { net, input } = load('yolov3.cfg', 128);
  const model = syntheticModel(net);
  const percents = Array.from({ length: 20 }, (_, k) => k / 20);
  const all = enumerateCandidates(input, { percents, layerKeeps: [0.01, 0.25], maxCut: 23 }, model);
  const key = (lk: number, n: number) => all.filter((c) => c.layerKeep === lk && c.cutUnits === n);
  for (const lk of [0.01, 0.25]) {
    // channel plans only: the kept sets nest as the percent grows (with cuts, which units go depends on the percent)
    const row = key(lk, 0);
    for (let k = 1; k < row.length; k++) {
      assert.ok(row[k].predictedMs <= row[k - 1].predictedMs + 1e-9, `lk=${lk}: predicted latency does not rise with the percent`);
      assert.ok(row[k].gammaMass <= row[k - 1].gammaMass + 1e-12, `lk=${lk}: γ mass does not rise with the percent`);
    }
    for (const p of [0, 0.5]) {
      const col = all.filter((c) => c.layerKeep === lk && c.globalPercent === p).sort((a, b) => a.cutUnits - b.cutUnits);
      for (let k = 1; k < col.length; k++)
        assert.ok(
          col[k].predictedMs < col[k - 1].predictedMs && col[k].gammaMass < col[k - 1].gammaMass,
          'each cut unit saves time and γ mass',
        );
    }
  }
  const base = model.predict(layerFeatures(net, fullShape(net)));
  const targets = Array.from({ length: 25 }, (_, k) => base * (0.05 + (0.95 * k) / 24));
  const curve = targetCurve(all, targets);
  for (const [k, t] of curve.entries()) {
    if (t.met) assert.ok(t.plan.predictedMs <= t.targetMs, 'a met plan is predicted within its target');
    if (k > 0) assert.ok(t.plan.gammaMass >= curve[k - 1].plan.gammaMass || !curve[k - 1].met, 'γ mass never falls as the target loosens');
    const best = rankFeasible(all, t.targetMs)[0];
    if (best) assert.equal(best.gammaMass, Math.max(...all.filter((c) => c.predictedMs <= t.targetMs).map((c) => c.gammaMass)));
  }
  assert.ok(
    curve.some((t) => t.plan.cutUnits > 0) && curve.some((t) => t.plan.cutUnits === 0),
    'the curve mixes channel-only plans and cut units',
  );
  const impossible = choosePlan(all, Math.min(...all.map((c) => c.predictedMs)) / 2);
  assert.equal(impossible.met, false);
  assert.equal(
    impossible.plan.predictedMs,
    Math.min(...all.map((c) => c.predictedMs)),
    'an impossible target gives the fastest plan, marked unmet',
  );
});
