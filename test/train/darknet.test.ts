// Our training against darknet itself (Debian's 2018 darknet, `apt-get install darknet`; npm run
// setup:darknet): same cfg, same weights (our synthesiser), one left-right symmetric image with
// mirrored boxes, so darknet's random flip changes nothing and its first iterations are
// deterministic. darknet prints, per iteration, the loss before the update; ours must match within
// 1e-3 relative for the first iteration (the loss) and the next three (the loss after our SGD
// updates: momentum, decay, BN backward as darknet's), with batch=1 and with batch=2 subdivisions=2.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNetwork } from '../../core/src/nn/model';
import { readWeightsFile } from '../../core/src/weights/read';
import { Trainer } from '../../core/src/train/trainer';
import { trainSettings } from '../../core/src/train/lr-policy';
import { useBackend } from '../nn/helpers';
import { darknetLosses, skipWithoutDarknet as skip, tinyCfg, writeDarknetFixture } from './darknet-fixture';

before(async () => {
  if (!skip) await useBackend('train');
});

function ourLosses(f: ReturnType<typeof writeDarknetFixture>, n: number): number[] {
  const s = trainSettings(f.net);
  const model = buildNetwork(f.net, readWeightsFile(f.weightsPath, f.net), { darknetBackward: true });
  const trainer = new Trainer(model, f.net, { settings: s });
  const images = new Float32Array(f.image.length * s.batch);
  for (let i = 0; i < s.batch; i++) images.set(f.image, i * f.image.length);
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(trainer.step({ images, boxes: Array.from({ length: s.batch }, () => f.truths) }).loss);
  } finally {
    trainer.dispose();
    model.dispose();
  }
  return out;
}

for (const [name, cfg, n] of [
  ['batch=1', tinyCfg({ lr: 0.01, maxBatches: 4 }), 4],
  ['batch=2 subdivisions=2', tinyCfg({ batch: 2, subdivisions: 2, lr: 0.01, maxBatches: 3 }), 3],
] as const) {
  test(`darknet's printed loss for iterations 1…${n} (${name}) equals ours within 1e-3 relative`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-darknet-'));
    try {
      const f = writeDarknetFixture(dir, cfg);
      const theirs = darknetLosses(f);
      const ours = ourLosses(f, n);
      assert.ok(theirs.length >= n, `darknet printed ${theirs.length} iterations, expected ${n}`);
      const rel = ours.map((v, i) => Math.abs(v - theirs[i]) / Math.abs(theirs[i]));
      console.log(
        `# ${name}: darknet ${theirs.map((v) => v.toFixed(6)).join(', ')}; ours ${ours.map((v) => v.toFixed(6)).join(', ')}; relative ${rel.map((r) => r.toExponential(1)).join(', ')}`,
      );
      rel.forEach((r, i) => assert.ok(r < 1e-3, `iteration ${i + 1}: darknet ${theirs[i]}, ours ${ours[i]} (relative ${r})`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
