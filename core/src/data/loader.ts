// Streaming training batches: images as Float32Array NCHW at the network size, with their boxes.
// Decoding and augmentation (augment.ts) run in a small pool of worker threads ahead of the
// consumer, bounded to `prefetch` batches; batches come out in order and are byte-identical for a
// seed whatever the number of workers or their timing (each sample's randomness is keyed by its
// position in the stream). close() ends the workers; always close (try/finally).
//
//   const loader = openLoader({ items: loaderItems('obj.data'), params: augmentParamsFromCfg(net), batch: 16, seed: 1 });
//   try { for (let i = 0; i < maxBatches; i++) { const b = await loader.next(); … } } finally { await loader.close(); }

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { datasetDir, DatasetError, findLabelFile, parseDataFile, readImageList, readLabels, type Label } from '../eval/dataset';
import type { AugmentParams } from './augment';
import type { LoaderItem, LoaderWorkerData, SampleReply, SampleRequest } from './loader-protocol';
import { makeRng, shuffled } from './rng';
import { startWorker } from '../worker-thread';

export type { LoaderItem } from './loader-protocol';

export interface Batch {
  /** 0, 1, 2, … in order. */
  index: number;
  /** Epoch of the batch's first sample. */
  epoch: number;
  /** batch × channels × height × width, values 0…1. */
  images: Float32Array;
  shape: [number, number, number, number];
  /** Boxes per image (normalised cx, cy, w, h in the network input). */
  boxes: Label[][];
  /** Source image of each slot (its own image; a mosaic adds three more). */
  paths: string[];
}

export interface LoaderOptions {
  items: LoaderItem[];
  params: AugmentParams;
  batch: number;
  seed: number;
  /** Worker threads (default: cores − 1, 1 … 4). */
  workers?: number;
  /** Batches prepared ahead of the consumer (default 2). */
  prefetch?: number;
  /** Shuffle each epoch (default: when augmenting). */
  shuffle?: boolean;
  /** Stop after this many batches (default: never; the stream runs over epochs). */
  batches?: number;
  /** Decoded images each worker keeps, in MB (default 128; 0: none). Changes speed only. */
  cacheMB?: number;
  /** The worker script (default: loader-worker beside this module, or data-loader-worker.js in a bundle). */
  workerScript?: string;
}

export interface LoaderStats {
  workers: number;
  batches: number;
  /** Time the consumer spent inside next() waiting for a batch that was not ready. */
  waitedMs: number;
  /** Batches that were ready when next() was called. */
  readyOnCall: number;
}

/** The image list of a .data file (train= or valid=) with each image's labels (none when it has no label file). */
export function loaderItems(dataPath: string, role: 'train' | 'valid' = 'train', cwd = process.cwd()): LoaderItem[] {
  const data = parseDataFile(dataPath, cwd, role === 'train' ? 'train' : 'valid');
  const list = readImageList(role === 'train' ? data.train! : data.valid, datasetDir(data), cwd);
  return list.images.map((image) => {
    const found = findLabelFile(image).path;
    return { image, labels: found ? (readLabels(found, data.classes) ?? []) : [] };
  });
}

function defaultWorkerScript(): string {
  return __filename.endsWith('.ts') ? join(__dirname, 'loader-worker.ts') : join(__dirname, 'data-loader-worker.js');
}

interface Pending {
  data: Float32Array;
  boxes: Label[][];
  paths: string[];
  filled: number;
  epoch: number;
}

export class DataLoader {
  private readonly workers: { worker: Worker; inflight: number; exited: Promise<void> }[] = [];
  private readonly batchSize: number;
  private readonly sampleFloats: number;
  private readonly prefetch: number;
  private readonly limit: number;
  private readonly shuffle: boolean;
  private readonly pending = new Map<number, Pending>();
  private readonly requests = new Map<number, { batch: number; slot: number; image: string }>();
  private readonly orders = new Map<number, number[]>();
  private nextPosition = 0;
  private delivered = 0;
  private nextId = 0;
  private closed = false;
  private failure: Error | undefined;
  private waiter: { resolve(b: Batch | undefined): void; reject(e: Error): void } | undefined;
  private readonly statsData: LoaderStats;

  constructor(private readonly opts: LoaderOptions) {
    if (opts.items.length === 0) throw new DatasetError('no images to load');
    if (!(opts.batch >= 1)) throw new RangeError('batch must be ≥ 1');
    const p = opts.params;
    this.batchSize = opts.batch;
    this.sampleFloats = p.channels * p.width * p.height;
    this.prefetch = Math.max(1, opts.prefetch ?? 2);
    this.limit = opts.batches ?? Infinity;
    this.shuffle = opts.shuffle ?? p.augment;
    const n = Math.max(1, Math.min(16, opts.workers ?? Math.min(4, Math.max(1, availableParallelism() - 1))));
    this.statsData = { workers: n, batches: 0, waitedMs: 0, readyOnCall: 0 };
    const workerData: LoaderWorkerData = { items: opts.items, params: p, seed: opts.seed, cacheBytes: (opts.cacheMB ?? 128) * 1024 * 1024 };
    for (let i = 0; i < n; i++) {
      const worker = startWorker(opts.workerScript ?? defaultWorkerScript(), workerData);
      const slot = { worker, inflight: 0, exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())) };
      worker.on('message', (m: SampleReply) => {
        slot.inflight--;
        this.onReply(m);
      });
      worker.on('error', (e) => this.fail(new Error(`data loader worker: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`data loader worker exited unexpectedly (code ${code})`));
      });
      this.workers.push(slot);
    }
    this.pump();
  }

  get stats(): LoaderStats {
    return { ...this.statsData };
  }

  /** Complete batches waiting for the consumer (never more than `prefetch`). */
  get readyBatches(): number {
    let n = 0;
    for (const b of this.pending.values()) if (b.filled === this.batchSize) n++;
    return n;
  }

  /** Samples handed to the workers so far. */
  get requestedSamples(): number {
    return this.nextPosition;
  }

  /** Threads still running (0 after close()). */
  get liveWorkers(): number {
    return this.workers.length;
  }

  private order(epoch: number): number[] {
    let o = this.orders.get(epoch);
    if (!o) {
      const ids = [...this.opts.items.keys()];
      o = this.shuffle ? shuffled(ids, makeRng(this.opts.seed, 0x0dde, epoch)) : ids;
      this.orders.set(epoch, o);
      this.orders.delete(epoch - 2);
    }
    return o;
  }

  private pump(): void {
    const n = this.opts.items.length;
    while (!this.closed && !this.failure) {
      const batch = Math.floor(this.nextPosition / this.batchSize);
      if (batch >= this.limit || batch >= this.delivered + this.prefetch) return;
      const slot = this.workers.reduce((a, b) => (b.inflight < a.inflight ? b : a));
      if (slot.inflight >= 2) return;
      const position = this.nextPosition++;
      const epoch = Math.floor(position / n);
      const index = this.order(epoch)[position % n];
      const req: SampleRequest = { id: this.nextId++, epoch, position, index };
      this.requests.set(req.id, { batch, slot: position % this.batchSize, image: this.opts.items[index].image });
      slot.inflight++;
      slot.worker.postMessage(req);
    }
  }

  private onReply(m: SampleReply): void {
    const req = this.requests.get(m.id);
    this.requests.delete(m.id);
    if (!req || this.closed) return;
    if (m.error !== undefined) {
      this.fail(new DatasetError(m.error));
      return;
    }
    let b = this.pending.get(req.batch);
    if (!b) {
      const first = req.batch * this.batchSize;
      b = {
        data: new Float32Array(this.batchSize * this.sampleFloats),
        boxes: [],
        paths: [],
        filled: 0,
        epoch: Math.floor(first / this.opts.items.length),
      };
      this.pending.set(req.batch, b);
    }
    b.data.set(m.data, req.slot * this.sampleFloats);
    b.boxes[req.slot] = m.boxes;
    b.paths[req.slot] = req.image;
    b.filled++;
    this.deliver();
    this.pump();
  }

  private take(): Batch | undefined {
    const b = this.pending.get(this.delivered);
    if (!b || b.filled < this.batchSize) return undefined;
    this.pending.delete(this.delivered);
    const p = this.opts.params;
    const batch: Batch = {
      index: this.delivered++,
      epoch: b.epoch,
      images: b.data,
      shape: [this.batchSize, p.channels, p.height, p.width],
      boxes: b.boxes,
      paths: b.paths,
    };
    this.statsData.batches++;
    return batch;
  }

  private deliver(): void {
    if (!this.waiter) return;
    const batch = this.take();
    if (!batch) return;
    const w = this.waiter;
    this.waiter = undefined;
    w.resolve(batch);
  }

  private fail(e: Error): void {
    if (this.failure || this.closed) return;
    this.failure = e;
    this.waiter?.reject(e);
    this.waiter = undefined;
    void this.close();
  }

  /** The next batch in order; undefined after `batches` batches or after close(). */
  async next(): Promise<Batch | undefined> {
    if (this.failure) throw this.failure;
    if (this.closed || this.delivered >= this.limit) return undefined;
    if (this.waiter) throw new Error('DataLoader.next(): the previous call has not finished');
    const ready = this.take();
    if (ready) {
      this.statsData.readyOnCall++;
      this.pump();
      return ready;
    }
    const t0 = performance.now();
    try {
      return await new Promise<Batch | undefined>((resolve, reject) => {
        this.waiter = { resolve, reject };
      });
    } finally {
      this.statsData.waitedMs += performance.now() - t0;
      this.pump();
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (;;) {
      const b = await this.next();
      if (!b) return;
      yield b;
    }
  }

  /** Ends every worker thread; resolves when they have exited. Safe to call twice. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.closed = true;
    this.waiter?.resolve(undefined);
    this.waiter = undefined;
    this.pending.clear();
    this.requests.clear();
    await Promise.all(
      workers.map(async (w) => {
        await w.worker.terminate();
        await w.exited;
      }),
    );
  }
}

export function openLoader(opts: LoaderOptions): DataLoader {
  return new DataLoader(opts);
}
