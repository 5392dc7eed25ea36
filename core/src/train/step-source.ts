// Where the trainer's batches come from, one per optimiser step, as a stream that can start at any
// step (for --resume):
//  - augmented (default): core/src/data's streaming loader (darknet's jitter, HSV, flip, mosaic as
//    the cfg asks, decoded in worker threads); its batches are a function of (seed, position), so a
//    resumed run skips the steps already taken (decoding them again, not training on them) and sees
//    the same batches;
//  - plain (--no-augment): batches.ts, images resized only, an epoch's order from (seed, epoch).

import type { Network } from '../cfg/network';
import type { ImageList } from '../eval/dataset';
import { augmentParamsFromCfg } from '../data/augment';
import { loaderItems, openLoader, type DataLoader } from '../data/loader';
import { epochOrder, ListSource, stepIndices, type TrainBatch } from './batches';

export interface StepSource {
  /** The batch of the next step. */
  next(): Promise<TrainBatch>;
  close(): Promise<void>;
}

/** Plain batches for steps `start`, `start+1`, … with `perEpoch` steps per epoch. */
export function plainSource(
  list: ImageList,
  classes: number,
  net: Network,
  batch: number,
  seed: number,
  perEpoch: number,
  start: number,
): StepSource {
  const src = new ListSource(list, classes, net.net.width, net.net.height, net.net.channels);
  let step = start;
  return {
    next: () => {
      const epoch = Math.floor(step / perEpoch),
        k = step % perEpoch;
      step++;
      return Promise.resolve(src.batch(stepIndices(epochOrder(src.size, seed, epoch), k, batch)));
    },
    close: () => Promise.resolve(),
  };
}

/** Augmented batches from the data loader, from step `start` on. */
export async function augmentedSource(
  dataPath: string,
  net: Network,
  batch: number,
  seed: number,
  start: number,
  workers?: number,
): Promise<StepSource> {
  const loader: DataLoader = openLoader({
    items: loaderItems(dataPath, 'train'),
    params: augmentParamsFromCfg(net, true),
    batch,
    seed,
    shuffle: true,
    workers,
  });
  const take = async (): Promise<TrainBatch> => {
    const b = await loader.next();
    if (!b) throw new Error('the data loader ended early');
    return {
      images: b.images,
      boxes: b.boxes.map((ls) =>
        ls.filter((l) => l.w >= 0.001 && l.h >= 0.001).map((l) => ({ cls: l.cls, x: l.cx, y: l.cy, w: l.w, h: l.h })),
      ),
    };
  };
  try {
    for (let k = 0; k < start; k++) await take();
  } catch (e) {
    await loader.close();
    throw e;
  }
  return { next: take, close: () => loader.close() };
}
