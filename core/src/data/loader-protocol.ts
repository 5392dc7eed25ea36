// Messages between the data loader (core/src/data/loader.ts) and its workers (loader-worker.ts).

import type { Label } from '../eval/dataset';
import type { AugmentParams } from './augment';

export interface LoaderItem {
  image: string;
  labels: Label[];
}

export interface LoaderWorkerData {
  items: LoaderItem[];
  params: AugmentParams;
  seed: number;
  /** Decoded images each worker keeps (bytes of RGBA). */
  cacheBytes: number;
}

export interface SampleRequest {
  id: number;
  epoch: number;
  /** Position in the stream of samples (batch · batchSize + slot): keys the sample's randomness. */
  position: number;
  /** Index of the sample's own image in `items`. */
  index: number;
}

export type SampleReply = { id: number; data: Float32Array; boxes: Label[]; error?: undefined } | { id: number; error: string };
