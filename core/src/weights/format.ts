// Darknet .weights layout (docs/cfg-format.md §Weights): a header, then per layer in cfg order the float
// blocks below. Layers that store nothing (maxpool, route, yolo, …) are absent.

import type { Layer } from '../cfg/network';

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

/** The float blocks a layer stores, in file order. Its total equals `layer.weightFloats`. */
export function layerBlocks(layer: Layer): Block[] {
  const a = layer.attrs;
  if (a.dontload || layer.weightFloats === 0) return [];
  const bn = (n: number): Block[] => [
    { name: 'scales', length: n }, { name: 'rolling_mean', length: n }, { name: 'rolling_variance', length: n },
  ];
  switch (layer.type) {
    case 'convolutional': {
      const n = a.filters!;
      return [{ name: 'biases', length: n }, ...(a.batchNormalize && !a.dontloadscales ? bn(n) : []), { name: 'weights', length: a.nweights! }];
    }
    case 'connected': {
      const n = a.output!;
      const bnBlocks = a.batchNormalize && !a.dontloadscales ? bn(n) : [];
      return [{ name: 'biases', length: n }, { name: 'weights', length: layer.weightFloats - n - 3 * (bnBlocks.length ? n : 0) }, ...bnBlocks];
    }
    case 'batchnorm': {
      const c = layer.output![2];
      return [{ name: 'biases', length: c }, ...bn(c)];
    }
    case 'local': {
      const biases = layer.output![0] * layer.output![1] * layer.output![2];
      return [{ name: 'biases', length: biases }, { name: 'weights', length: layer.weightFloats - biases }];
    }
    default:
      // weighted shortcut, implicit
      return [{ name: 'weights', length: layer.weightFloats }];
  }
}

export function describeLayer(layer: Layer): string {
  const a = layer.attrs;
  const detail = a.filters !== undefined ? `, ${a.filters} filters` : a.output !== undefined ? `, ${a.output} outputs` : '';
  return `layer ${layer.index} (${layer.type}${detail})`;
}
