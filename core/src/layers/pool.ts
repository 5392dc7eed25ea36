// What [maxpool] and [local_avgpool] share (maxpool_layer.c; docs/network.md §Layer semantics): keys,
// output size, BFLOPs and darknet's asymmetric pool padding.

import type { Layer } from '../cfg/network';
import { antialiasBlur, f32, imul, poolOut, rfThrough } from './geometry';
import { int } from './keys';
import type { AnalyseContext, KeySpec } from './spec';

export const POOL_KEYS: Record<string, KeySpec> = {
  stride: int('1', 'Stride.', { min: 1 }),
  stride_x: int(undefined, 'Horizontal stride (default: stride).', { min: 1 }),
  stride_y: int(undefined, 'Vertical stride (default: stride).', { min: 1 }),
  size: int(undefined, 'Window size (default: stride).', { min: 1 }),
};

export function analysePool({ layer, o, a, input, prev, fail }: AnalyseContext, maxpool: boolean): void {
  const stride = o.int('stride');
  a.strideX = o.int('stride_x', stride);
  a.strideY = o.int('stride_y', stride);
  a.size = o.int('size', stride);
  a.padding = o.int('padding', a.size - 1);
  a.maxpoolDepth = maxpool && o.int('maxpool_depth') !== 0;
  a.outChannels = maxpool ? o.int('out_channels') : 1;
  a.antialiasing = maxpool ? o.int('antialiasing') : 0;
  if (!input) return;
  if (a.size < 1 || a.strideX < 1 || a.strideY < 1) {
    fail('size and stride must be ≥ 1');
    return;
  }
  const runSx = a.antialiasing ? 1 : a.strideX,
    runSy = a.antialiasing ? 1 : a.strideY;
  let out: [number, number, number] = a.maxpoolDepth
    ? [input[0], input[1], a.outChannels]
    : [poolOut(input[0], a.padding, a.size, runSx), poolOut(input[1], a.padding, a.size, runSy), input[2]];
  if (out[0] < 1 || out[1] < 1) {
    fail(`output ${out[0]}×${out[1]} is empty`);
    return;
  }
  layer.bflops = f32(imul(a.size, a.size, input[2], out[1], out[0]) / 1e9);
  if (a.antialiasing) out = antialiasBlur(out, a.antialiasing, a.strideX, a.strideY);
  layer.output = out;
  layer.rf = a.maxpoolDepth ? prev.rf : rfThrough(prev.rf, a.size, a.strideX);
}

/** Darknet pool padding as NHWC pad pairs: ⌊padding/2⌋ before, the rest after. */
export const poolPadsNHWC = (p: number): [[number, number], [number, number], [number, number], [number, number]] => {
  const b = Math.floor(p / 2);
  return [
    [0, 0],
    [b, p - b],
    [b, p - b],
    [0, 0],
  ];
};

/** BFLOPs once the input has `cin` channels (the blur's are not counted by darknet either). */
export const poolRecount = (l: Layer, cin: number) =>
  l.attrs.antialiasing ? undefined : { bflops: f32(imul(l.attrs.size!, l.attrs.size!, cin, l.output![1], l.output![0]) / 1e9) };

export const poolDiffKey = (l: Layer) => [l.attrs.size, l.attrs.strideX, l.attrs.strideY, l.attrs.maxpoolDepth];

/** The graph node's text: size/stride. */
export const poolLabel = (l: Layer, short: string): string => `${short} ${l.attrs.size ?? '?'}/${l.attrs.strideX ?? '?'}`;
