import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { outputMasks, planChannelPrune, PruneError } from '../../core/src/prune/plan';
import { evaluateChannelPrune } from '../../core/src/prune/evaluate';

const conv = (filters: number, extra = '') =>
  `[convolutional]\nbatch_normalize=1\nfilters=${filters}\nsize=1\nstride=1\npad=1\nactivation=leaky\n${extra}`;
// three convs meeting in two shortcuts: one group {0, 2, 4}; conv 6 reads the stream; 7 is the head.
const NET = `[net]\nwidth=8\nheight=8\nchannels=3\n${conv(4)}${conv(3)}${conv(4)}[shortcut]\nfrom=-3\n${conv(4)}[shortcut]\nfrom=-2\n${conv(5)}[convolutional]\nfilters=6\nsize=1\nactivation=linear\n`;

test('one group: masks are OR-merged and every member keeps the same channels', () => {
  const net = analyseText(NET);
  assert.equal(net.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const s = analyseChannelStructure(net);
  assert.deepEqual(s.groups, [[0, 2, 4]]);
  const g: (Float32Array | undefined)[] = net.layers.map(() => undefined);
  g[0] = Float32Array.of(0.9, 0.1, 0.1, 0.1);
  g[1] = Float32Array.of(0.5, 0.6, 0.7);
  g[2] = Float32Array.of(0.1, 0.8, 0.1, 0.1);
  g[4] = Float32Array.of(0.1, 0.1, 0.1, 0.1); // only the threshold-tied value: strict > prunes it
  g[6] = Float32Array.of(0.95, 0.96, 0.97, 0.98, 0.99);
  const plan = planChannelPrune(s, g, { globalPercent: 0.5, layerKeep: 0.01 });
  assert.equal(plan.populationSize, 4 + 3 + 4 + 4 + 5);
  assert.equal(plan.thresholdIndex, 10);
  assert.equal(plan.threshold, Math.fround(0.5));
  // conv 4's own mask is empty (emptied, floored to its arg-max, channel 0 by stable order), then OR
  assert.deepEqual(plan.emptied, [4]);
  assert.deepEqual(plan.floored, [4]);
  for (const m of [0, 2, 4]) assert.deepEqual([...plan.masks[m]!], [1, 1, 0, 0], `member ${m}`);
  assert.deepEqual([...plan.masks[1]!], [0, 1, 1], 'strict >: 0.5 equals the threshold and is pruned');
  const keep = outputMasks(s, plan.masks);
  assert.deepEqual([...keep[3]], [1, 1, 0, 0], 'shortcut output follows the group');
  const e = evaluateChannelPrune(net, g, { globalPercent: 0.5 }, s);
  assert.deepEqual(e.keptPerLayer.slice(0, 8), [2, 2, 2, 2, 2, 2, 5, 6]);
});

test('per-layer minimum keeps the largest |γ| and only raises counts', () => {
  const net = analyseText(
    `[net]\nwidth=8\nheight=8\nchannels=3\n${conv(10)}${conv(4)}[convolutional]\nfilters=2\nsize=1\nactivation=linear\n`,
  );
  const s = analyseChannelStructure(net);
  const g: (Float32Array | undefined)[] = [
    Float32Array.from({ length: 10 }, (_, k) => 0.01 * (k + 1)),
    Float32Array.of(5, 6, 7, 8),
    undefined,
  ];
  const plan = planChannelPrune(s, g, { globalPercent: 0.7, layerKeep: 0.3 });
  assert.deepEqual([...plan.masks[0]!], [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(plan.floored, [0]);
  assert.deepEqual(plan.emptied, [0]);
  const regular = planChannelPrune(s, g, { globalPercent: 0.7, method: 'regular' });
  assert.deepEqual([...regular.masks[0]!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'regular: emptied layer keeps its arg-max');
});

test('percent and layer keep out of range are errors', () => {
  const net = analyseText(`[net]\nwidth=8\nheight=8\nchannels=3\n${conv(4)}[convolutional]\nfilters=2\nsize=1\nactivation=linear\n`);
  const s = analyseChannelStructure(net);
  const g = [Float32Array.of(1, 2, 3, 4), undefined];
  for (const p of [1, 1.5, -0.1, NaN]) assert.throws(() => planChannelPrune(s, g, { globalPercent: p }), PruneError);
  assert.throws(() => planChannelPrune(s, g, { globalPercent: 0.5, layerKeep: 2 }), PruneError);
});

test('pinned structures: weighted shortcut, one-member group, sam, scale_channels, 3-input route, new_coords head', () => {
  const cfg =
    `[net]\nwidth=16\nheight=16\nchannels=3\n${conv(4)}` + // 0
    `${conv(4)}[shortcut]\nfrom=-1\n` + // 1, 2: adds 1 to itself — a one-member group
    `${conv(4)}[shortcut]\nfrom=-4\nweights_type=per_feature\n` + // 3, 4: weighted: 0 and 3 pinned
    `${conv(4)}[sam]\nfrom=-2\n` + // 5, 6: sam operands pinned
    `${conv(4)}${conv(4)}${conv(4)}[route]\nlayers=-1,-2,-3\n` + // 7, 8, 9, 10: 3-input route: prunable
    `[avgpool]\n${conv(12)}[scale_channels]\nfrom=-3\n` + // 11, 12, 13: SE block: 10 and 12 pinned
    `[convolutional]\nfilters=18\nsize=1\nactivation=logistic\n[yolo]\nmask=0,1,2\nanchors=1,2, 3,4, 5,6\nclasses=1\nnum=3\nnew_coords=1\n`;
  const net = analyseText(cfg);
  const s = analyseChannelStructure(net);
  assert.ok(s.prunable.includes(1), 'one-member group stays prunable');
  assert.deepEqual(
    s.groups.find((g) => g.includes(1)),
    [1],
  );
  assert.equal(net.diagnostics.filter((d) => d.severity === 'error').length, 0, JSON.stringify(net.diagnostics));
  for (const i of [0, 3, 5, 12]) assert.ok(s.excluded.has(i), `layer ${i} pinned: ${[...s.excluded].join('; ')}`);
  for (const i of [7, 8, 9]) assert.ok(!s.prunable.includes(i), `route input ${i} feeds the SE block's scale_channels: pinned`);
  assert.ok(s.prunable.includes(14) === false, 'conv feeding the yolo head has no BN');
});
