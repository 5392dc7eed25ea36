// A data-loader worker thread (core/src/data/loader.ts): decodes and augments the samples it is
// asked for. Each sample's randomness comes from (seed, epoch, position) alone, so which worker
// draws it, and when, changes nothing.

import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeImage, type Rgba } from '../nn/image';
import { augmentSample } from './augment';
import { makeRng } from './rng';
import type { LoaderWorkerData, SampleRequest, SampleReply } from './loader-protocol';

const { items, params, seed, cacheBytes } = workerData as LoaderWorkerData;

// Decoded images, least recently used first out, within cacheBytes (a mosaic reads four images per
// sample; a small dataset is decoded once). What is cached changes only speed, never a sample.
const cache = new Map<number, Rgba>();
let cached = 0;

function decode(index: number): Rgba {
  const hit = cache.get(index);
  if (hit) {
    cache.delete(index);
    cache.set(index, hit);
    return hit;
  }
  const rgba = decodeFile(index);
  if (rgba.data.byteLength <= cacheBytes) {
    cache.set(index, rgba);
    cached += rgba.data.byteLength;
    for (const [k, v] of cache) {
      if (cached <= cacheBytes) break;
      cache.delete(k);
      cached -= v.data.byteLength;
    }
  }
  return rgba;
}

function decodeFile(index: number): Rgba {
  const path = items[index].image;
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new Error(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  return decodeImage(buf, path);
}

parentPort!.on('message', (req: SampleRequest) => {
  try {
    const rng = makeRng(seed, req.epoch, req.position);
    const indices = [req.index];
    if (params.augment && params.mosaic) for (let k = 0; k < 3; k++) indices.push(rng.int(0, items.length - 1));
    const images = indices.map(decode);
    const sample = augmentSample(
      images,
      indices.map((i) => items[i].labels),
      params,
      rng,
    );
    const reply: SampleReply = { id: req.id, data: sample.data, boxes: sample.boxes };
    parentPort!.postMessage(reply, [sample.data.buffer as ArrayBuffer]);
  } catch (e) {
    const reply: SampleReply = { id: req.id, error: (e as Error).message };
    parentPort!.postMessage(reply);
  }
});
