// With the TF.js network: the compact (channel-pruned, compensated) model's outputs equal the
// keep-size model's — pruned channels' γ = 0 and β intact, so they emit the constant f(β) — on a
// net whose consumers are 1×1 convs, to 1e-5. Runs the real forward pass on the inference backend.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { buildNetwork } from '../../core/src/nn/model';
import { pruneChannels } from '../../core/src/prune/channel';
import type { DarknetWeights } from '../../core/src/weights/read';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { maxAbsDiff, ramp, useBackend } from '../nn/helpers';

before(async () => {
  await useBackend('infer');
});

const conv = (filters: number, size: number, act: string, bn = true) =>
  `[convolutional]\n${bn ? 'batch_normalize=1\n' : ''}filters=${filters}\nsize=${size}\nstride=1\npad=1\nactivation=${act}\n`;

function keepSize(w: DarknetWeights, masks: (Uint8Array | undefined)[]): DarknetWeights {
  const layers = w.layers.map(
    (lw) => lw && { layer: lw.layer, blocks: Object.fromEntries(Object.entries(lw.blocks).map(([k, v]) => [k, v!.slice()])) },
  );
  masks.forEach((m, i) => {
    if (m)
      m.forEach((keep, c) => {
        if (!keep) layers[i]!.blocks.scales![c] = 0;
      });
  });
  return { ...w, layers };
}

for (const act of ['leaky', 'mish', 'logistic', 'swish']) {
  test(`tfjs forward: compact model = keep-size model on 1×1 consumers (${act})`, () => {
    const cfg =
      '[net]\nwidth=16\nheight=16\nchannels=3\n' +
      conv(16, 3, act) + // 0: producer (3×3 over the input)
      conv(12, 1, act) + // 1
      conv(16, 1, act) + // 2
      '[shortcut]\nfrom=-3\nactivation=linear\n' + // 3: group {0, 2}
      conv(8, 1, act) + // 4
      '[upsample]\nstride=2\n' + // 5
      '[maxpool]\nsize=2\nstride=2\n' + // 6
      '[route]\nlayers=-1,-4\n' + // 7: 8 + 16 channels
      conv(10, 1, 'linear', false); // 8: output (not pruned)
    const net = analyseText(cfg);
    assert.deepEqual(
      net.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const w = synthesizeWeights(net, 1234);
    const r = pruneChannels(net, w, { globalPercent: 0.5, layerKeep: 0.1 });
    assert.ok(r.net.layers[8].input![2] < 24, 'the route feeding the output got narrower');
    const x = tf.tensor4d(ramp(2 * 16 * 16 * 3, 11, 0, 1), [2, 16, 16, 3]);
    const full = buildNetwork(net, keepSize(w, r.evaluation.plan.masks));
    const compact = buildNetwork(r.net, r.weights);
    const a = full
      .forward(x, { outputs: [8] })
      .get(8)!
      .dataSync();
    const b = compact
      .forward(x, { outputs: [8] })
      .get(8)!
      .dataSync();
    const d = maxAbsDiff(a, b);
    assert.ok(d < 1e-5, `max |Δ| = ${d}`);
    // The comparison has teeth: the unpruned model's output is clearly different.
    const original = buildNetwork(net, w);
    const o = original
      .forward(x, { outputs: [8] })
      .get(8)!
      .dataSync();
    assert.ok(maxAbsDiff(o, b) > 1e-2, `pruning changed the output (${maxAbsDiff(o, b)})`);
    original.dispose();
    full.dispose();
    compact.dispose();
    x.dispose();
  });
}
