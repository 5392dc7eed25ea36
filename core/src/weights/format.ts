// Darknet .weights layout (docs/cfg-format.md §Weights): a header, then per layer in cfg order the float
// blocks its record (core/src/layers) names. Layers that store nothing (maxpool, route, yolo, …) are absent.

import type { Layer } from '../cfg/network';
import { specOf } from '../layers';

export interface WeightsHeader {
  major: number;
  minor: number;
  revision: number;
  /** Images seen in training (uint64 in 0.2+ files, uint32 before). */
  seen: bigint;
}

export const headerBytes = (h: Pick<WeightsHeader, 'major' | 'minor'>): number => (h.major * 10 + h.minor >= 2 ? 20 : 16);

/** Transposed connected weights in ancient files (major or minor > 1000). */
export const isTransposedFormat = (h: WeightsHeader): boolean => h.major > 1000 || h.minor > 1000;

export interface Block {
  name: 'biases' | 'scales' | 'rolling_mean' | 'rolling_variance' | 'weights';
  length: number;
}

/** The float blocks a layer stores, in file order (its record's `blocks`). Its total equals `layer.weightFloats`. */
export function layerBlocks(layer: Layer): Block[] {
  if (layer.attrs.dontload || layer.weightFloats === 0) return [];
  return specOf(layer)?.blocks?.(layer) ?? [];
}

export function describeLayer(layer: Layer): string {
  const a = layer.attrs;
  const detail = a.filters !== undefined ? `, ${a.filters} filters` : a.output !== undefined ? `, ${a.output} outputs` : '';
  return `layer ${layer.index} (${layer.type}${detail})`;
}
