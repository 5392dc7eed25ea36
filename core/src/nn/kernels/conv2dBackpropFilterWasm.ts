// Gradient kernels the tfjs wasm backend (4.22) does not have, so that a Darknet net trains on
// wasm with no native install (tfjs#8474):
//   Conv2DBackpropFilter                     dW of conv2d (the big one)
//   DepthwiseConv2dNativeBackpropFilter      dW of depthwise conv (groups = channels)
//   DepthwiseConv2dNativeBackpropInput       dx of depthwise conv
//   UnsortedSegmentSum                       gradient of gather (loss code indexing anchors)
// and replaces one it gets wrong:
//   MaxPoolGrad                              wrong for batch > 1 and overlapping windows
//   ResizeNearestNeighborGrad                wrong (upsample layers)
//
// Conv2DBackpropFilter is im2col + one matrix product: the patches of x, transposed (rows
// k = (kh, kw, ci), columns m = (n, oh, ow)), are written straight into wasm memory by a JS loop,
// then the wasm backend's own BatchMatMul kernel computes patchesᵀ · dy = dW as [kh·kw·ci, co],
// which is exactly the memory layout of the filter [kh, kw, ci, co]. Large inputs are processed in chunks
// of output rows so the patch matrix stays under CHUNK_FLOATS. NHWC only (the wasm backend's conv
// is NHWC only too); any stride, 'same' / 'valid' / explicit pads, and dilation (a non-standard
// `dilations` attribute, which tfjs-core's conv2d gradient never sets — see nn/conv.ts).

import {
  backend_util,
  getKernel,
  registerKernel,
  unregisterKernel,
  util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Largest patch matrix (floats) built at once: 16 M floats = 64 MB of wasm memory. */
export const CHUNK_FLOATS = 16 * 1024 * 1024;
let chunkFloats = CHUNK_FLOATS;
/** For tests: a smaller chunk exercises the multi-chunk path on small shapes. Returns the old value. */
export function setChunkFloats(n: number): number {
  const old = chunkFloats;
  chunkFloats = Math.max(1, Math.floor(n));
  return old;
}

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = number | [number, number];

interface ConvAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: Pair;
}

function convInfoFor(kernel: string, xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean): backend_util.Conv2DInfo {
  if (a.dataFormat && a.dataFormat !== 'NHWC')
    throw new Error(`${kernel} (wasm, darknet-pruner): only NHWC is supported, got ${a.dataFormat}`);
  if (xShape.length !== 4 || filterShape.length !== 4)
    throw new Error(`${kernel} (wasm): x and filter must be rank 4, got [${xShape}] and [${filterShape}]`);
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad as 'same',
    a.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

function checkDy(kernel: string, dy: TensorInfo, c: backend_util.Conv2DInfo): void {
  const want = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
  if (!util.arraysEqual(dy.shape, want)) throw new Error(`${kernel} (wasm): dy has shape [${dy.shape}], the convolution gives [${want}]`);
}

function f32(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected float32, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function runWasm(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const k = getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

/**
 * Writes the patches of output rows m ∈ [m0, m0 + rows) of x into `p`, transposed: p is K × rows
 * with k = (kh, kw, ci), so that the product with dy needs no transposed operand (the wasm
 * BatchMatMul with transposeA runs at ≈0.45 GFLOP/s here against ≈5 GFLOP/s without).
 */
function im2colT(x: Float32Array, p: Float32Array, c: backend_util.Conv2DInfo, m0: number, rows: number): void {
  const {
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = c;
  const top = c.padInfo.top,
    left = c.padInfo.left;
  const ihBase = new Int32Array(rows),
    iwBase = new Int32Array(rows),
    img = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const m = m0 + r,
      ow = m % OW,
      t = (m - ow) / OW,
      oh = t % OH,
      n = (t - oh) / OH;
    ihBase[r] = oh * sh - top;
    iwBase[r] = ow * sw - left;
    img[r] = n * H;
  }
  const src = new Int32Array(rows);
  for (let kh = 0; kh < KH; kh++)
    for (let kw = 0; kw < KW; kw++) {
      const offH = kh * dh,
        offW = kw * dw;
      for (let r = 0; r < rows; r++) {
        const ih = ihBase[r] + offH,
          iw = iwBase[r] + offW;
        src[r] = ih < 0 || ih >= H || iw < 0 || iw >= W ? -1 : ((img[r] + ih) * W + iw) * C;
      }
      const kBase = (kh * KW + kw) * C;
      for (let ci = 0; ci < C; ci++) {
        const dst = (kBase + ci) * rows;
        for (let r = 0; r < rows; r++) {
          const i = src[r];
          p[dst + r] = i < 0 ? 0 : x[i + ci];
        }
      }
    }
}

function conv2DBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const c = convInfoFor('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs, false);
  checkDy('Conv2DBackpropFilter', dy, c);
  const K = c.filterHeight * c.filterWidth * c.inChannels,
    CO = c.outChannels;
  const M = c.batchSize * c.outHeight * c.outWidth;
  const rowsPerChunk = Math.max(1, Math.min(M, Math.floor(chunkFloats / Math.max(K, CO))));
  let result: TensorInfo | undefined;
  for (let m0 = 0; m0 < M; m0 += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, M - m0);
    const patches = backend.makeOutput([1, K, rows], 'float32');
    let dyPart = dy;
    if (rows !== M) dyPart = backend.makeOutput([1, rows, CO], 'float32');
    // Views are taken after every allocation: growing wasm memory detaches earlier views.
    im2colT(f32(backend, x), f32(backend, patches), c, m0, rows);
    if (dyPart !== dy) f32(backend, dyPart).set(f32(backend, dy).subarray(m0 * CO, (m0 + rows) * CO));
    const dyIn = dyPart === dy ? runWasm('Reshape', backend, { x: dy }, { shape: [1, M, CO] }) : dyPart;
    const part = runWasm('BatchMatMul', backend, { a: patches, b: dyIn }, { transposeA: false, transposeB: false });
    backend.disposeData(patches.dataId);
    backend.disposeData(dyIn.dataId);
    if (!result) {
      result = part;
      continue;
    }
    const acc = f32(backend, result),
      add = f32(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i] += add[i];
    backend.disposeData(part.dataId);
  }
  if (!result) {
    // M = 0: empty batch or output
    result = backend.makeOutput([1, K, CO], 'float32');
    f32(backend, result).fill(0);
  }
  const out = runWasm('Reshape', backend, { x: result }, { shape: attrs.filterShape });
  backend.disposeData(result.dataId);
  return out;
}

function depthwiseBackpropFilter(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const c = convInfoFor('DepthwiseConv2dNativeBackpropFilter', x.shape, attrs.filterShape, attrs, true);
  checkDy('DepthwiseConv2dNativeBackpropFilter', dy, c);
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  const X = f32(backend, x),
    DY = f32(backend, dy),
    DW = f32(backend, out);
  DW.fill(0);
  const {
    batchSize: N,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    outChannels: CO,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = c;
  const mult = CO / C,
    top = c.padInfo.top,
    left = c.padInfo.left;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh - top + kh * dh;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyBase = ((n * OH + oh) * OW + ow) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * C,
              wBase = (kh * KW + kw) * CO;
            if (mult === 1) for (let ch = 0; ch < C; ch++) DW[wBase + ch] += X[xBase + ch] * DY[dyBase + ch];
            else
              for (let ch = 0; ch < C; ch++) {
                const xv = X[xBase + ch];
                for (let q = 0; q < mult; q++) DW[wBase + ch * mult + q] += xv * DY[dyBase + ch * mult + q];
              }
          }
        }
      }
  return out;
}

function depthwiseBackpropInput(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const c = convInfoFor('DepthwiseConv2dNativeBackpropInput', attrs.inputShape, filter.shape, attrs, true);
  checkDy('DepthwiseConv2dNativeBackpropInput', dy, c);
  const out = backend.makeOutput(attrs.inputShape, 'float32');
  const DX = f32(backend, out),
    DY = f32(backend, dy),
    F = f32(backend, filter);
  DX.fill(0);
  const {
    batchSize: N,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    outChannels: CO,
    filterHeight: KH,
    filterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = c;
  const mult = CO / C,
    top = c.padInfo.top,
    left = c.padInfo.left;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sh - top + kh * dh;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const dyBase = ((n * OH + oh) * OW + ow) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * C,
              wBase = (kh * KW + kw) * CO;
            if (mult === 1) for (let ch = 0; ch < C; ch++) DX[xBase + ch] += F[wBase + ch] * DY[dyBase + ch];
            else
              for (let ch = 0; ch < C; ch++) {
                let s = 0;
                for (let q = 0; q < mult; q++) s += F[wBase + ch * mult + q] * DY[dyBase + ch * mult + q];
                DX[xBase + ch] += s;
              }
          }
        }
      }
  return out;
}

function unsortedSegmentSum(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, segmentIds } = args.inputs;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum (wasm): unsupported dtype ${x.dtype}`);
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const X = backend.typedArrayFromHeap(x),
    ids = backend.typedArrayFromHeap(segmentIds),
    O = backend.typedArrayFromHeap(out);
  O.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue; // TensorFlow drops out-of-range ids
    const src = i * inner,
      dst = s * inner;
    for (let j = 0; j < inner; j++) O[dst + j] += X[src + j];
  }
  return out;
}

// The wasm backend's own MaxPoolGrad (4.22) is wrong for batch > 1 and for overlapping windows
// (stride < size, e.g. Darknet's 2×2/1 and SPP 5/9/13 pools): measured up to 0.9 relative error
// against the cpu backend. Ours: the first maximum of each window (scan order, as tfjs-cpu and
// TensorFlow pick it) receives dy, accumulated over windows that share it; padding never wins.
function maxPoolGrad(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, input } = args.inputs;
  const a = args.attrs as unknown as { filterSize: Pair; strides: Pair; pad: Pad; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  const c = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad as 'same',
    a.dimRoundingMode,
  );
  checkDy('MaxPoolGrad', dy, c);
  const out = backend.makeOutput(input.shape, 'float32');
  const X = f32(backend, input),
    DY = f32(backend, dy),
    DX = f32(backend, out);
  DX.fill(0);
  const {
    batchSize: N,
    inHeight: H,
    inWidth: W,
    inChannels: C,
    outHeight: OH,
    outWidth: OW,
    effectiveFilterHeight: KH,
    effectiveFilterWidth: KW,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
  } = c;
  const top = c.padInfo.top,
    left = c.padInfo.left;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sh - top;
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * sw - left,
          dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let ch = 0; ch < C; ch++) {
          let best = -Infinity,
            at = -1;
          for (let kh = 0; kh < KH; kh += dh) {
            const ih = h0 + kh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw += dw) {
              const iw = w0 + kw;
              if (iw < 0 || iw >= W) continue;
              const i = ((n * H + ih) * W + iw) * C + ch;
              if (X[i] > best || at < 0) {
                best = X[i];
                at = i;
              }
            }
          }
          if (at >= 0) DX[at] += DY[dyBase + ch];
        }
      }
    }
  return out;
}

// The wasm backend's ResizeNearestNeighborGrad (4.22) is wrong too (2.2 relative error for a ×2
// upsample at batch 2). Ours sends each output pixel's dy to the source pixel the forward kernel
// read (same index formula as tfjs-cpu's ResizeNearestNeighbor).
function nearestSource(i: number, oldSize: number, newSize: number, alignCorners: boolean, halfPixel: boolean): number {
  const ratio = (alignCorners && newSize > 1 ? oldSize - 1 : oldSize) / (alignCorners && newSize > 1 ? newSize - 1 : newSize);
  const frac = halfPixel ? ratio * (i + 0.5) : ratio * i;
  let src = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  if (halfPixel) src = Math.max(0, src);
  return src;
}

function resizeNearestNeighborGrad(args: { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: NamedAttrMap }): TensorInfo {
  const backend = args.backend as BackendWasm;
  const { images, dy } = args.inputs;
  const { alignCorners, halfPixelCenters } = args.attrs as { alignCorners: boolean; halfPixelCenters: boolean };
  const [N, H, W, C] = images.shape,
    [, OH, OW] = dy.shape;
  const out = backend.makeOutput(images.shape, 'float32');
  const DX = f32(backend, out),
    DY = f32(backend, dy);
  DX.fill(0);
  const rows = Array.from({ length: OH }, (_, r) => nearestSource(r, H, OH, alignCorners, halfPixelCenters));
  const cols = Array.from({ length: OW }, (_, c) => nearestSource(c, W, OW, alignCorners, halfPixelCenters));
  for (let n = 0; n < N; n++)
    for (let r = 0; r < OH; r++) {
      const srcRow = (n * H + rows[r]) * W;
      for (let c = 0; c < OW; c++) {
        const dst = (srcRow + cols[c]) * C,
          src = ((n * OH + r) * OW + c) * C;
        for (let ch = 0; ch < C; ch++) DX[dst + ch] += DY[src + ch];
      }
    }
  return out;
}

export const WASM_GRADIENT_KERNELS: KernelConfig[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput as unknown as KernelFunc },
  { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum as unknown as KernelFunc },
];

/** Kernels the wasm backend has but gets wrong: replaced by ours. */
export const WASM_REPLACED_KERNELS: KernelConfig[] = [
  { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad as unknown as KernelFunc },
  { kernelName: 'ResizeNearestNeighborGrad', backendName: 'wasm', kernelFunc: resizeNearestNeighborGrad as unknown as KernelFunc },
];
const OURS = new Set<KernelFunc>([...WASM_GRADIENT_KERNELS, ...WASM_REPLACED_KERNELS].map((k) => k.kernelFunc));

/**
 * Registers our wasm gradient kernels on the tfjs-core instance this module imports (idempotent;
 * a missing kernel the wasm backend gains upstream is left alone; the replaced ones are always ours).
 * Returns the names registered now.
 */
export function registerWasmGradientKernels(): string[] {
  const done: string[] = [];
  for (const k of WASM_GRADIENT_KERNELS) {
    if (getKernel(k.kernelName, 'wasm')) continue;
    registerKernel(k);
    done.push(k.kernelName);
  }
  for (const k of WASM_REPLACED_KERNELS) {
    const existing = getKernel(k.kernelName, 'wasm');
    if (existing && OURS.has(existing.kernelFunc)) continue;
    if (existing) unregisterKernel(k.kernelName, 'wasm');
    registerKernel(k);
    done.push(k.kernelName);
  }
  return done;
}
