import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { bnLayers, gammaStats, GammaError, thresholdFor, thresholdIndex } from '../../core/src/prune/gamma';
import { synthesizeWeights, XorShift32 } from '../../core/src/weights/synth';
import type { DarknetWeights } from '../../core/src/weights/read';
import type { Network } from '../../core/src/cfg/network';
import { serializeWeights } from '../../core/src/weights/write';
import { readGammaWeights } from '../../core/src/prune/gamma-read';
import { readWeightsFile } from '../../core/src/weights/read';
import { parseJobEvent, type JobEvent } from '../../cli/events';
import { CFG_DIR, readCfg } from '../corpus';
import { runMain as cli } from '../cli/in-process';

const conv = (filters: number, bn = true) =>
  `[convolutional]\n${bn ? 'batch_normalize=1\n' : ''}filters=${filters}\nsize=3\nstride=1\npad=1\nactivation=leaky\n`;
const SMALL = `[net]\nwidth=16\nheight=16\nchannels=3\n${conv(4)}${conv(5)}[maxpool]\nsize=2\nstride=2\n${conv(3)}${conv(2, false)}`;

/** Only the γ of every BN conv (U(-1.5, 1.5), so signs matter), without the 250 MB of conv weights. */
function gammaOnly(net: Network, seed: number): DarknetWeights {
  const rng = new XorShift32(seed);
  const layers = net.layers.map((l) => {
    if (!bnLayers(net).includes(l.index)) return undefined;
    const scales = new Float32Array(l.attrs.filters!);
    rng.fill(scales, -1.5, 1.5);
    return { layer: l.index, blocks: { scales } };
  });
  return { header: { major: 0, minor: 2, revision: 0, seen: 0n }, layers, totalFloats: 0 };
}

/** Small net (BN convs 0, 1, 3) with hand-set γ. */
function small(gammas: Record<number, number[]>) {
  const net = analyseText(SMALL);
  const w = synthesizeWeights(net);
  for (const [i, g] of Object.entries(gammas)) w.layers[Number(i)]!.blocks.scales!.set(g);
  return { net, w };
}

test('threshold index is Python int() of the double product; p must be in [0, 1)', () => {
  assert.equal(thresholdIndex(25920, 0.8), 20736); // yolov3 mode-1 set, docs/pruning.md §Fixtures
  assert.equal(thresholdIndex(100, 0.29), 28); // 100·0.29 = 28.999999999999996
  assert.equal(thresholdIndex(3, 0), 0);
  assert.equal(thresholdIndex(7, 0.9999999), 6);
  for (const bad of [1, 1.5, -0.01, NaN])
    assert.throws(
      () => thresholdIndex(10, bad),
      (e: Error) => e instanceof GammaError && /\[0, 1\)/.test(e.message),
    );
  assert.throws(() => thresholdIndex(0, 0.5), /empty/);
  const s = new Float32Array([0.1, 0.2, 0.3, 0.4]);
  assert.equal(thresholdFor(s, 0.5), Math.fround(0.3));
});

test('per-layer min/max/mean of |γ|, global float32 sort in layer order, shared bins', () => {
  const { net, w } = small({ 0: [0.5, -0.25, 1, 0.125], 1: [-2, 0.75, 0.5, 0.0625, 1.5], 3: [0.3, -0.3, 0.1] });
  const s = gammaStats(net, w, { bins: 8 });
  assert.deepEqual(bnLayers(net), [0, 1, 3]);
  assert.deepEqual(
    s.layers.map((l) => [l.index, l.channels, l.min, l.max]),
    [
      [0, 4, 0.125, 1],
      [1, 5, 0.0625, 2],
      [3, 3, Math.fround(0.1), Math.fround(0.3)],
    ],
  );
  assert.equal(s.layers[0].mean, (0.5 + 0.25 + 1 + 0.125) / 4);
  assert.ok(s.sorted instanceof Float32Array);
  const expect = Float32Array.from([0.5, 0.25, 1, 0.125, 2, 0.75, 0.5, 0.0625, 1.5, 0.3, 0.3, 0.1]).sort();
  assert.deepEqual(Array.from(s.sorted), Array.from(expect));
  // Shared linear bins 0..2 in 8 steps; 2 (the max) lands in the closed last bin.
  assert.deepEqual(s.edges, [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
  assert.deepEqual(s.layers[1].counts, [1, 0, 1, 1, 0, 0, 1, 1]);
  assert.deepEqual(s.layers[0].counts, [1, 1, 1, 0, 1, 0, 0, 0]); // 0.25, 0.5 and 1 sit on left edges
  assert.deepEqual(
    s.counts,
    s.edges.slice(1).map((_, b) => s.layers.reduce((n, l) => n + l.counts[b], 0)),
  );
  assert.equal(
    s.counts.reduce((a, b) => a + b),
    12,
  );
  assert.equal(s.highestThreshold, Math.fround(0.3));
  assert.equal(s.threshold, undefined);
  assert.deepEqual(s.emptied, []);
});

test('threshold, strict > (ties pruned), emptied layers and the layer_keep floor', () => {
  const { net, w } = small({ 0: [0.5, 0.25, 1, 0.125], 1: [2, 0.75, 0.5, 0.0625, 1.5], 3: [0.3, 0.3, 0.1] });
  // sorted: .0625 .1 .125 .25 .3 .3 .5 .5 .75 1 1.5 2 ; p = 0.4 → k = trunc(4.8) = 4 → thr = 0.3
  const s = gammaStats(net, w, { percent: 0.4, layerKeep: 0.5 });
  assert.equal(s.thresholdIndex, 4);
  assert.equal(s.threshold, Math.fround(0.3));
  assert.deepEqual(
    s.layers.map((l) => l.kept),
    [2, 4, 0],
  );
  assert.deepEqual(
    s.layers.map((l) => l.fractionBelowThreshold),
    [0.5, 0.2, 1],
  );
  assert.deepEqual(s.emptied, [3], 'layer 3 holds only values ≤ thr: the tie at the threshold is pruned');
  // layer_keep 0.5: kmin = trunc(4·.5)=2, trunc(5·.5)=2, trunc(3·.5)=1 → only layer 3 is raised
  assert.deepEqual(s.floored, [3]);
  // layer_keep 0.75: kmin = 3 for layer 0 (2 kept) → raised too; layer 1 keeps 4 ≥ 3
  assert.deepEqual(gammaStats(net, w, { percent: 0.4, layerKeep: 0.75 }).floored, [0, 3]);
});

test('percent limit: the first percent that empties a layer, and one step below it does not', () => {
  const net = analyseText(readCfg('yolov4-tiny.cfg'));
  const w = gammaOnly(net, 777);
  const s = gammaStats(net, w);
  const n = s.sorted.length;
  const k = Math.round(s.emptyingPercent * n);
  assert.equal(s.sorted[k], s.highestThreshold);
  assert.ok(k === 0 || s.sorted[k - 1] < s.highestThreshold);
  assert.ok(gammaStats(net, w, { percent: (k + 0.5) / n }).emptied.length > 0);
  assert.deepEqual(gammaStats(net, w, { percent: (k - 0.5) / n }).emptied, []);
});

test('yolov3: every BN conv (72, γ 26,304) and the mode-1 set given explicitly (70, γ 25,920, k = 20736)', () => {
  const net = analyseText(readCfg('yolov3.cfg'));
  const w = gammaOnly(net, 4242);
  const all = gammaStats(net, w);
  assert.equal(all.layers.length, 72);
  assert.equal(all.sorted.length, 26304);
  const mode1 = bnLayers(net).filter((i) => i !== 84 && i !== 96);
  const s = gammaStats(net, w, { layers: mode1, percent: 0.8 });
  assert.equal(s.sorted.length, 25920);
  assert.equal(s.thresholdIndex, 20736);
  // Every γ of the set is counted once on the shared bins; the threshold splits exactly.
  assert.equal(
    s.counts.reduce((a, b) => a + b),
    25920,
  );
  const kept = s.layers.reduce((n, l) => n + l.kept!, 0);
  assert.equal(kept, s.sorted.filter((v) => v > s.threshold!).length);
  for (let i = 1; i < s.sorted.length; i++) assert.ok(s.sorted[i - 1] <= s.sorted[i]);
});

test('bad requests and bad data give located errors', () => {
  const { net, w } = small({});
  assert.throws(() => gammaStats(net, w, { layers: [2] }), /layer 2 \(maxpool\) has no batch-norm γ/);
  assert.throws(() => gammaStats(net, w, { layers: [4] }), /layer 4 \(convolutional, 2 filters\) has no batch-norm γ/);
  assert.throws(() => gammaStats(net, w, { layers: [9] }), /layer 9 does not exist/);
  assert.throws(() => gammaStats(net, w, { layers: [] }), /empty/);
  assert.throws(() => gammaStats(net, w, { percent: 1 }), /\[0, 1\)/);
  assert.throws(() => gammaStats(net, w, { bins: 0 }), /bins/);
  w.layers[1]!.blocks.scales![3] = NaN;
  assert.throws(
    () => gammaStats(net, w),
    (e: Error) =>
      e instanceof GammaError && e.origin === 'weights' && /layer 1 \(convolutional, 5 filters\): γ\[3\] is NaN/.test(e.message),
  );
});

test('CLI gamma: table, --json, --json-events histograms, located weights errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gamma-'));
  try {
    const cfg = join(CFG_DIR, 'yolov4-tiny.cfg');
    const net = analyseText(readCfg('yolov4-tiny.cfg'));
    const bytes = serializeWeights(net, synthesizeWeights(net));
    const file = join(dir, 't.weights');
    writeFileSync(file, bytes);

    // The γ-only reader sees exactly the scales the full reader sees.
    const full = readWeightsFile(file, net),
      sparse = readGammaWeights(file, net);
    assert.equal(sparse.totalFloats, full.totalFloats);
    for (const i of bnLayers(net)) assert.deepEqual(sparse.layers[i]!.blocks.scales, full.layers[i]!.blocks.scales, `layer ${i}`);
    assert.equal(readGammaWeights(file, net, [0]).layers[1]!.blocks.scales, undefined);
    assert.deepEqual(gammaStats(net, sparse, { percent: 0.3 }), gammaStats(net, full, { percent: 0.3 }));

    const human = await cli(['gamma', cfg, file, '--percent', '0.5', '--bins', '10']);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /15 layers \(mode-1 prunable set: slim and layer pruning\), 2,528 γ/); // docs/pruning.md §Fixtures
    assert.match(human.out, /threshold for 50\.00%: [\d.]+ \(sorted\[1264\] of 2,528\)/);
    const bn = await cli(['gamma', cfg, file, '--set', 'bn', '--percent', '0.5']);
    assert.match(bn.out, /19 layers \(every conv with batch_normalize\), 3,104 γ/);
    assert.match(bn.out, /sorted\[1552\] of 3,104/);
    assert.match((await cli(['gamma', cfg, file, '--set', 'bn', '--layers', '0'])).err, /exclude each other/);
    assert.match(
      (await cli(['gamma', cfg, file, '--set', 'mode2'])).err,
      /--set: expected one of slim, shortcut, regular, bn, got "mode2"/,
    );
    assert.equal(human.out.split('\n').filter((l) => / – .* \d+ #*$/.test(l)).length, 10, 'ten histogram rows');

    const json = await cli(['gamma', cfg, file, '--json', '--percent', '0.5', '--layers', '0-2,4']);
    const data = JSON.parse(json.out);
    assert.deepEqual(
      data.layers.map((l: { index: number }) => l.index),
      [0, 1, 2, 4],
    );
    assert.equal(data.sorted.length, 32 + 64 + 64 + 32);
    assert.equal(data.threshold, data.sorted[96]);
    const route = await cli(['gamma', cfg, file, '--layers', '3']);
    assert.equal(route.code, 2);
    assert.match(route.err, /--layers: layer 3 \(route\) has no batch-norm γ/);

    const ev = await cli(['gamma', cfg, file, '--json-events', '--bins', '5']);
    const events = ev.out
      .split('\n')
      .map(parseJobEvent)
      .filter((e): e is JobEvent => !!e);
    const hists = events.filter((e) => e.type === 'histogram');
    assert.equal(hists.length, 1 + 15);
    const global = hists[0] as Extract<JobEvent, { type: 'histogram' }>;
    assert.equal(global.name, 'gamma/all');
    assert.equal(global.edges.length, 6);
    assert.equal(
      global.counts.reduce((a, b) => a + b),
      2528,
    );
    assert.equal(events.at(-1)!.type, 'result');

    writeFileSync(file, bytes.subarray(0, bytes.byteLength - 400));
    assert.throws(
      () => readGammaWeights(file, net),
      (e: Error) => {
        assert.throws(() => readWeightsFile(file, net), { message: e.message });
        return true;
      },
    );
    const bad = await cli(['gamma', cfg, file]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /t\.weights: weights end inside layer 36 \(convolutional, 255 filters\)/);
    assert.doesNotMatch(bad.err, /internal error|at .*\.ts:/);

    const pct = await cli(['gamma', cfg, file, '--percent', '1']);
    assert.equal(pct.code, 2);
    assert.match(pct.err, /--percent is a fraction in \[0, 1\)/);
    const notBn = await cli(['gamma', cfg, join(dir, 'missing.weights')]);
    assert.equal(notBn.code, 1);
    assert.match(notBn.err, /missing\.weights: no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
