// Training batches: the small interface the trainer reads (images NCHW in [0, 1] at the network's
// size, boxes per image as [class, x, y, w, h] relative), an epoch's order drawn from (seed, epoch)
// alone so a resumed run sees the same images, and a plain source over a darknet image list (no
// augmentation; images resized as darknet's resize_image, held in memory once decoded). The
// streaming augmenting loader of core/src/data plugs in behind the same interface.

import { iterateDataset, type ImageList } from '../eval/dataset';
import { loadImage, resizeImage } from '../nn/image';
import { makeRng, shuffled } from '../data/rng';
import type { Truth } from './yolo-loss';

export interface TrainBatch {
  /** [n, c, h, w] in [0, 1]. */
  images: Float32Array;
  boxes: Truth[][];
}

export interface BatchSource {
  /** Images in an epoch. */
  readonly size: number;
  /** The images at these indices, as one batch. */
  batch(indices: readonly number[]): TrainBatch;
}

/** The image order of an epoch: a permutation of 0…size−1 from (seed, epoch). */
export function epochOrder(size: number, seed: number, epoch: number): number[] {
  return shuffled(
    Array.from({ length: size }, (_, i) => i),
    makeRng(seed, epoch, 0x7a1),
  );
}

/** Optimiser steps per epoch: ⌊images / batch⌋, at least one (a smaller set wraps around). */
export const stepsPerEpoch = (size: number, batch: number): number => Math.max(1, Math.floor(size / batch));

/** Image indices of step `k` (0-based) of an epoch with `order`. */
export function stepIndices(order: readonly number[], k: number, batch: number): number[] {
  return Array.from({ length: batch }, (_, i) => order[(k * batch + i) % order.length]);
}

/** Images and labels of a darknet image list, decoded on first use and kept. */
export class ListSource implements BatchSource {
  private readonly cache = new Map<number, { data: Float32Array; boxes: Truth[] }>();
  private readonly items: { image: string; labels: Truth[] }[];

  constructor(
    list: ImageList,
    classes: number,
    readonly width: number,
    readonly height: number,
    readonly channels: number,
  ) {
    this.items = [...iterateDataset(list, classes)].map((it) => ({
      image: it.image,
      labels: (it.labels ?? []).filter((l) => l.w >= 0.001 && l.h >= 0.001).map((l) => ({ cls: l.cls, x: l.cx, y: l.cy, w: l.w, h: l.h })),
    }));
  }

  get size(): number {
    return this.items.length;
  }

  batch(indices: readonly number[]): TrainBatch {
    const per = this.width * this.height * this.channels;
    const images = new Float32Array(per * indices.length);
    const boxes: Truth[][] = [];
    indices.forEach((idx, k) => {
      let e = this.cache.get(idx);
      if (!e) {
        const it = this.items[idx];
        const { image } = loadImage(it.image, this.channels);
        e = { data: resizeImage(image, this.width, this.height).data, boxes: it.labels };
        this.cache.set(idx, e);
      }
      images.set(e.data, k * per);
      boxes.push(e.boxes);
    });
    return { images, boxes };
  }
}
