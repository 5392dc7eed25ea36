// The compact model equals the masked model (pruned channels' γ = 0, β intact: they emit the
// constant f(β)) on 1×1 consumers, for every activation; likewise for removed residual units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights, XorShift32 } from '../../core/src/weights/synth';
import type { DarknetWeights } from '../../core/src/weights/read';
import { pruneChannels } from '../../core/src/prune/channel';
import { removeUnits, residualUnits } from '../../core/src/prune/layer';
import { activate } from '../../core/src/prune/activation';
import { forward } from './forward';

const conv = (filters: number, size: number, act: string, bn = true) =>
  `[convolutional]\n${bn ? 'batch_normalize=1\n' : ''}filters=${filters}\nsize=${size}\nstride=1\npad=1\nactivation=${act}\n`;

/** Copy with every block duplicated, γ of the listed channels zeroed. */
function masked(w: DarknetWeights, zero: Map<number, number[]>): DarknetWeights {
  const layers = w.layers.map(
    (lw) => lw && { layer: lw.layer, blocks: Object.fromEntries(Object.entries(lw.blocks).map(([k, v]) => [k, v!.slice()])) },
  );
  for (const [i, chans] of zero) for (const c of chans) layers[i]!.blocks.scales![c] = 0;
  return { ...w, layers };
}

const input = (n: number) => {
  const r = new XorShift32(7);
  return Float64Array.from({ length: n }, () => r.uniform(0, 1));
};

function maxDiff(a: Float64Array, b: Float64Array) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

for (const act of ['leaky', 'mish', 'logistic', 'swish', 'linear', 'relu', 'tanh', 'elu', 'hard_mish']) {
  test(`channel pruning: compact output equals the masked model on 1×1 consumers (${act})`, () => {
    const cfg =
      `[net]\nwidth=8\nheight=8\nchannels=3\n` +
      conv(8, 3, act) + // 0: 3×3 producer, group {0, 2}
      conv(6, 1, act) + // 1
      conv(8, 1, act) + // 2
      '[shortcut]\nfrom=-3\nactivation=linear\n' + // 3
      '[maxpool]\nsize=2\nstride=2\n' + // 4
      conv(4, 1, act) + // 5
      '[upsample]\nstride=2\n' + // 6: (c3 keeps 5 whole)
      conv(5, 1, act) + // 7
      '[route]\nlayers=-1,-5\n' + // 8: 5 + 8 channels
      conv(7, 1, 'linear', false); // 9: output
    const net = analyseText(cfg);
    assert.equal(net.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const w = synthesizeWeights(net, 99);
    const r = pruneChannels(net, w, { globalPercent: 0.6, layerKeep: 0.1 });
    const plan = r.evaluation.plan;
    const zero = new Map<number, number[]>();
    plan.masks.forEach((m, i) => {
      if (m)
        zero.set(
          i,
          [...m.keys()].filter((c) => !m[c]),
        );
    });
    assert.ok([...zero.values()].reduce((a, z) => a + z.length, 0) >= 10, 'the plan prunes channels');
    assert.ok(zero.get(0)!.length > 0 && zero.get(1)!.length > 0, 'both the group and the 1×1 chain lose channels');
    assert.ok(r.net.layers[9].input![2] < 13, 'the route output got narrower');
    const x = input(8 * 8 * 3);
    const ref = forward(net, masked(w, zero), x)[9];
    const got = forward(r.net, r.weights, x)[9];
    assert.ok(maxDiff(ref, got) < 1e-5, `max |Δ| = ${maxDiff(ref, got)}`);
  });
}

test('channel pruning: a 3×3 consumer matches on interior pixels only', () => {
  const cfg = `[net]\nwidth=10\nheight=10\nchannels=3\n${conv(8, 1, 'logistic')}${conv(6, 3, 'leaky', false)}`;
  const net = analyseText(cfg);
  const w = synthesizeWeights(net, 5);
  // conv 1 is the network output: conv 0 is prunable, its consumer is 3×3
  const r = pruneChannels(net, w, { globalPercent: 0.5 });
  const m = r.evaluation.plan.masks[0]!;
  const x = input(300);
  const ref = forward(net, masked(w, new Map([[0, [...m.keys()].filter((c) => !m[c])]])), x)[1];
  const got = forward(r.net, r.weights, x)[1];
  let interior = 0,
    border = 0;
  for (let c = 0; c < 6; c++)
    for (let y = 0; y < 10; y++)
      for (let xx = 0; xx < 10; xx++) {
        const k = (c * 10 + y) * 10 + xx,
          d = Math.abs(ref[k] - got[k]);
        if (y > 0 && y < 9 && xx > 0 && xx < 9) interior = Math.max(interior, d);
        else border = Math.max(border, d);
      }
  assert.ok(interior < 1e-5, `interior max |Δ| = ${interior}`);
  assert.ok(border > 1e-3, 'logistic(β) ≈ 0.5 is not carried by the zero padding at the border');
});

test('activation constants: logistic(0) = 0.5, mish/leaky(0) = 0', () => {
  assert.equal(activate('logistic', 0), 0.5);
  assert.equal(activate('mish', 0), 0);
  assert.equal(activate('leaky', -1), Math.fround(-0.1));
  assert.equal(activate('no-such-activation', -1), 0, 'darknet falls back to relu');
});

for (const act of ['leaky', 'logistic', 'mish']) {
  test(`layer pruning: removing residual units equals the model whose unit convs have γ = 0 (${act})`, () => {
    const cfg =
      `[net]\nwidth=8\nheight=8\nchannels=3\n` +
      conv(8, 3, act) +
      conv(4, 1, act) +
      conv(8, 3, act) +
      '[shortcut]\nfrom=-3\n' + // 0; unit 1-3
      conv(4, 1, act) +
      conv(8, 3, act) +
      '[shortcut]\nfrom=-3\n' + // unit 4-6
      conv(4, 1, act) +
      '[route]\nlayers=-1,-5\n' + // 7; 8 reads 7 and shortcut 3
      conv(6, 1, 'linear', false); // 9
    const net = analyseText(cfg);
    const w = synthesizeWeights(net, 3);
    const cands = residualUnits(net, w);
    assert.deepEqual(
      cands.units.map((u) => u.shortcut),
      [3, 6],
    );
    const r = removeUnits(net, w, cands.units, cands);
    assert.deepEqual(r.removed, [1, 2, 3, 4, 5, 6]);
    assert.match(r.cfgText, /layers=-1,-2\n/, 'route -5 (shortcut 3) → its from layer 0, now 2 back');
    const x = input(192);
    const ref = forward(
      net,
      masked(
        w,
        new Map([
          [2, [...Array(8).keys()]],
          [5, [...Array(8).keys()]],
        ]),
      ),
      x,
    )[9];
    const got = forward(r.net, r.weights, x)[3];
    assert.ok(maxDiff(ref, got) < 1e-5, `max |Δ| = ${maxDiff(ref, got)}`);
  });
}
