// Training-data loader throughput: images/s with 1, 2 and 3 worker threads against decoding and
// augmenting in the consumer's own thread, on a synthetic 416×416 PNG dataset (64 images) at a
// 416×416 network, without and with mosaic. The workers run the bundled script as shipped
// (cli/out/data-loader-worker.js, built first). The first batch (thread start) is not timed.
// Also: how long a consumer that computes 100 ms per image of a batch waits for data (target: ~0 once
// the workers keep up). Figures depend on free cores: on a loaded machine every number drops.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { augmentSample, type AugmentParams } from '../core/src/data/augment';
import { writeLayout } from '../core/src/data/layout';
import { loaderItems, openLoader } from '../core/src/data/loader';
import { makeRng } from '../core/src/data/rng';
import { synthImage } from '../core/src/data/synth';
import { decodeImage } from '../core/src/nn/image';

const REPO = join(__dirname, '..');
const BATCH = 8,
  BATCHES = Number(process.env.BENCH_BATCHES ?? 8);

async function main() {
  if (spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-loader-'));
  try {
    const images = [...Array(64).keys()].map((i) => {
      const s = synthImage(i, { classes: 5, size: 416, seed: 1, format: 'png' });
      return { name: `s${i}.png`, bytes: s.bytes, labels: s.labels };
    });
    writeLayout(dir, { names: ['a', 'b', 'c', 'd', 'e'], images, validFraction: 0, seed: 1 });
    const items = loaderItems(join(dir, 'obj.data'));
    const workerScript = join(REPO, 'cli', 'out', 'data-loader-worker.js');
    console.log(
      `${items.length} synthetic 416×416 PNGs → 416×416, batch ${BATCH}, ${BATCHES} timed batches; ${availableParallelism()} cores`,
    );
    for (const mosaic of [false, true]) {
      const params: AugmentParams = {
        width: 416,
        height: 416,
        channels: 3,
        letterBox: false,
        augment: true,
        flip: true,
        hue: 0.1,
        saturation: 1.5,
        exposure: 1.5,
        jitter: 0.3,
        mosaic,
        maxBoxes: 200,
      };
      // in the consumer's thread (after a warm-up of 4 samples)
      let t0 = 0;
      for (let k = -4; k < BATCH * 2; k++) {
        if (k === 0) t0 = performance.now();
        const rng = makeRng(1, k + 4);
        const n = mosaic ? 4 : 1;
        const ims = [...Array(n).keys()].map((j) => items[(k + 4 + j) % items.length]);
        augmentSample(
          ims.map((it) => decodeImage(readFileSync(it.image))),
          ims.map((it) => it.labels),
          params,
          rng,
        );
      }
      const inline = (BATCH * 2) / ((performance.now() - t0) / 1000);
      console.log(`mosaic=${Number(mosaic)}: in-thread ${inline.toFixed(1)} images/s`);
      for (const workers of [1, 2, 3]) {
        const loader = openLoader({ items, params, batch: BATCH, seed: 1, workers, prefetch: 3, workerScript });
        try {
          await loader.next();
          const t1 = performance.now();
          for (let b = 0; b < BATCHES; b++) await loader.next();
          const rate = (BATCHES * BATCH) / ((performance.now() - t1) / 1000);
          console.log(
            `  ${workers} worker${workers > 1 ? 's' : ' '}: ${rate.toFixed(1)} images/s (×${(rate / inline).toFixed(2)} in-thread)`,
          );
        } finally {
          await loader.close();
        }
      }
    }
    // a consumer that computes while the workers prepare the next batches
    const params: AugmentParams = {
      width: 416,
      height: 416,
      channels: 3,
      letterBox: false,
      augment: true,
      flip: true,
      hue: 0.1,
      saturation: 1.5,
      exposure: 1.5,
      jitter: 0.3,
      mosaic: false,
      maxBoxes: 200,
    };
    const loader = openLoader({ items, params, batch: BATCH, seed: 1, workers: 2, prefetch: 3, workerScript });
    try {
      await loader.next();
      const before = loader.stats.waitedMs;
      for (let b = 0; b < BATCHES; b++) {
        const end = performance.now() + 100 * BATCH;
        while (performance.now() < end) {
          /* a training step */
        }
        await loader.next();
      }
      const s = loader.stats;
      console.log(
        `consumer computing ${100 * BATCH} ms per batch, 2 workers: waited ${(s.waitedMs - before).toFixed(0)} ms over ${BATCHES} batches; ${s.readyOnCall} of ${s.batches} batches ready on call`,
      );
    } finally {
      await loader.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
