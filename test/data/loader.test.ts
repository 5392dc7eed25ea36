// The training loader: worker threads decode and augment ahead of the consumer; batches are
// byte-identical for a seed whatever the number of workers; boxes match the augmented pixels;
// the queue is bounded; errors name the image; close() ends every thread.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AugmentParams } from '../../core/src/data/augment';
import { loaderItems, openLoader, type Batch, type DataLoader } from '../../core/src/data/loader';
import { writeLayout } from '../../core/src/data/layout';
import { encode, synthImage } from '../../core/src/data/synth';
import { DatasetError } from '../../core/src/eval/dataset';
import { REPO } from '../corpus';
import { ensureCliBuilt } from '../cli/run';
import { assertConsistent, COLOURS, picture } from './rects';

let dir: string;
const params: AugmentParams = {
  width: 96,
  height: 96,
  channels: 3,
  letterBox: false,
  augment: true,
  flip: true,
  hue: 0.1,
  saturation: 1.5,
  exposure: 1.5,
  jitter: 0.3,
  mosaic: true,
  maxBoxes: 200,
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-loader-'));
  // a synthetic shapes dataset (real PNG files) …
  const images = [...Array(10).keys()].map((i) => {
    const s = synthImage(i, { classes: 4, size: 128, seed: 3, format: 'png' });
    return { name: `s${i}.png`, bytes: s.bytes, labels: s.labels };
  });
  writeLayout(join(dir, 'shapes'), { names: ['circle', 'square', 'triangle', 'cross'], images, validFraction: 0.2, seed: 1 });
  // … and rectangles whose drawn extent is known
  const rects = [...Array(6).keys()].map((i) => {
    const q = picture(120 + 8 * i, 100, [
      { x: 10 + 9 * i, y: 15, w: 40, h: 30, rgb: COLOURS[0] },
      { x: 70, y: 50 + i, w: 28, h: 36, rgb: COLOURS[1] },
    ]);
    return { name: `r${i}.png`, bytes: encode(q.im.data, q.im.width, q.im.height, 'png'), labels: q.labels };
  });
  writeLayout(join(dir, 'rects'), { names: ['red', 'green'], images: rects, validFraction: 0, seed: 1 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function take(loader: DataLoader, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  try {
    for (let i = 0; i < n; i++) out.push((await loader.next())!);
  } finally {
    await loader.close();
  }
  return out;
}

test('same seed: byte-identical batches with 1 and 3 workers, with and without the decode cache (mosaic, flip, HSV, jitter); another seed differs', async () => {
  const items = loaderItems(join(dir, 'shapes', 'obj.data'));
  assert.equal(items.length, 8);
  const one = await take(openLoader({ items, params, batch: 4, seed: 7, workers: 1 }), 5);
  const three = await take(openLoader({ items, params, batch: 4, seed: 7, workers: 3, prefetch: 3 }), 5);
  const other = await take(openLoader({ items, params, batch: 4, seed: 8, workers: 2 }), 1);
  const uncached = await take(openLoader({ items, params, batch: 4, seed: 7, workers: 2, cacheMB: 0 }), 2);
  assert.deepEqual(
    one.map((b) => b.index),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    one.map((b) => b.epoch),
    [0, 0, 1, 1, 2],
  );
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(one[i].shape, [4, 3, 96, 96]);
    assert.ok(
      Buffer.from(one[i].images.buffer).equals(Buffer.from(three[i].images.buffer)),
      `batch ${i}: images differ between 1 and 3 workers`,
    );
    assert.deepEqual(one[i].boxes, three[i].boxes);
    assert.deepEqual(one[i].paths, three[i].paths);
  }
  for (let i = 0; i < 2; i++)
    assert.ok(Buffer.from(one[i].images.buffer).equals(Buffer.from(uncached[i].images.buffer)), 'the decode cache changes nothing');
  assert.ok(!Buffer.from(one[0].images.buffer).equals(Buffer.from(other[0].images.buffer)));
  // every epoch visits every image once
  assert.deepEqual([...one[0].paths, ...one[1].paths].sort(), items.map((i) => i.image).sort());
  assert.ok(one.flatMap((b) => b.boxes.flat()).length > 20, 'boxes survive augmentation');
});

test('boxes stay on the drawn rectangles through the loader (flip, jitter, letterbox; workers)', async () => {
  const items = loaderItems(join(dir, 'rects', 'obj.data'));
  for (const letterBox of [false, true]) {
    const p = { ...params, letterBox, mosaic: false, hue: 0, saturation: 1, exposure: 1 };
    const batches = await take(openLoader({ items, params: p, batch: 6, seed: 11, workers: 2 }), 4);
    for (const b of batches) {
      for (let k = 0; k < 6; k++) {
        const data = b.images.subarray(k * 3 * 96 * 96, (k + 1) * 3 * 96 * 96);
        assertConsistent(data, b.boxes[k], p, 2, `letterbox=${letterBox} batch ${b.index} slot ${k} (${b.paths[k]})`);
      }
    }
  }
});

test('bounded queue: the workers prepare `prefetch` batches ahead and stop; next() then returns without waiting', async () => {
  const items = loaderItems(join(dir, 'shapes', 'obj.data'));
  const loader = openLoader({ items, params, batch: 2, seed: 1, workers: 2, prefetch: 3 });
  try {
    while (loader.readyBatches < 3) await new Promise((r) => setTimeout(r, 10));
    assert.equal(loader.requestedSamples, 3 * 2, 'no sample beyond the prefetch window is requested');
    const b = await loader.next();
    assert.equal(b!.index, 0);
    assert.equal(loader.stats.readyOnCall, 1);
    assert.equal(loader.stats.waitedMs, 0);
    assert.ok(loader.requestedSamples <= 4 * 2);
  } finally {
    await loader.close();
  }
});

test('close() ends every worker thread; next() after close gives undefined; `batches` ends the stream', async () => {
  const items = loaderItems(join(dir, 'shapes', 'obj.data'));
  const loader = openLoader({ items, params, batch: 2, seed: 1, workers: 3, batches: 2 });
  assert.equal(loader.liveWorkers, 3);
  const got: number[] = [];
  for await (const b of loader) got.push(b.index);
  assert.deepEqual(got, [0, 1]);
  await loader.close();
  assert.equal(loader.liveWorkers, 0);
  assert.equal(await loader.next(), undefined);
  await loader.close(); // twice is fine
  assert.ok(!process.getActiveResourcesInfo().includes('MessagePort'), `no worker port left: ${process.getActiveResourcesInfo()}`);
});

test('a corrupt image fails next() with a DatasetError naming it, and the workers stop', async () => {
  const bad = join(dir, 'corrupt.png');
  const good = loaderItems(join(dir, 'shapes', 'obj.data'));
  writeFileSync(bad, synthImage(0, { classes: 2, size: 64, seed: 1, format: 'png' }).bytes.subarray(0, 200));
  const loader = openLoader({
    items: [{ image: bad, labels: [] }, ...good.slice(0, 1)],
    params: { ...params, mosaic: false },
    batch: 2,
    seed: 1,
    workers: 1,
    shuffle: false,
  });
  await assert.rejects(loader.next(), (e: Error) => e instanceof DatasetError && e.message.startsWith(`${bad}: cannot decode PNG`));
  await loader.close();
  assert.equal(loader.liveWorkers, 0);
});

test('the bundled worker (cli/out/data-loader-worker.js, as shipped) gives the same batches as the sources', async () => {
  ensureCliBuilt();
  const items = loaderItems(join(dir, 'shapes', 'obj.data'));
  const src = await take(openLoader({ items, params, batch: 2, seed: 3, workers: 1 }), 2);
  const bundled = await take(
    openLoader({ items, params, batch: 2, seed: 3, workers: 2, workerScript: join(REPO, 'cli', 'out', 'data-loader-worker.js') }),
    2,
  );
  for (let i = 0; i < 2; i++) {
    assert.ok(Buffer.from(src[i].images.buffer).equals(Buffer.from(bundled[i].images.buffer)));
    assert.deepEqual(src[i].boxes, bundled[i].boxes);
  }
});
