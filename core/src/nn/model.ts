// A Darknet network as TensorFlow.js ops: built from the analysed cfg (core/src/cfg) and its weights,
// NHWC internally, darknet's forward semantics (docs/network.md §Layer semantics). The same graph runs
// inference (BN with rolling statistics, dropout off) and training (BN with batch statistics, dropout
// on, every op differentiable; γ of every BN is its own variable for L1 sparsity).

import * as tf from '@tensorflow/tfjs-core';
import type { Layer, Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { activate, fusedActivation, resolveActivation } from './activations';
import { conv2d } from './conv';
import { activateHead, isHead } from './heads';
import {
  antialias, flattenCHW, padForConv, globalAvgpool, legacyReorg, localAvgpool, maxpool, multiplyFrom, reorg3d, route, shortcut,
  softmaxLayer, upsample,
} from './layers';
import { buildParams, paramsToDarknet, type ConvParams, type LayerParams } from './params';
import { UserError } from '../errors';

type T4 = tf.Tensor4D;

export const BN_EPSILON = 1e-5;

/** A layer the builder cannot express, with where it is. */
export class NetworkBuildError extends UserError {
  constructor(readonly layer: Layer, message: string) {
    super(`layer ${layer.index} [${layer.section.name}] (line ${layer.section.line + 1}): ${message}`);
  }
}

export interface BuildOptions {
  /** Create γ, β, kernels, shortcut weights as trainable variables (default true). */
  trainable?: boolean;
  /**
   * Training: back-propagate BN as darknet does (backward_batchnorm_layer, see darknetBatchNorm)
   * instead of by the exact derivative. Default false.
   */
  darknetBackward?: boolean;
}

export interface BatchStats { mean: tf.Tensor1D; variance: tf.Tensor1D }

export interface ForwardOptions {
  /** BN with batch statistics (darknet: unbiased variance) and active dropout. Default false. */
  training?: boolean;
  /** Which layer outputs to return: the detection heads (default), every layer, or the listed ones. */
  outputs?: 'heads' | 'all' | number[];
  /** Heads: darknet's in-layer activation (default) or the raw input of the head. */
  heads?: 'activated' | 'raw';
  /** Training: receives every BN layer's batch mean and variance (kept; see updateRollingStats). */
  bnStats?: Map<number, BatchStats>;
}

const SUPPORTED = new Set([
  'convolutional', 'maxpool', 'local_avgpool', 'avgpool', 'route', 'shortcut', 'upsample', 'yolo', 'Gaussian_yolo',
  'region', 'reorg3d', 'reorg', 'sam', 'scale_channels', 'dropout', 'softmax', 'connected', 'batchnorm', 'activation',
  'empty', 'implicit', 'cost',
]);

/** Why a layer cannot be built, or undefined when it can. */
function unsupportedReason(l: Layer, net: Network): string | undefined {
  const a = l.attrs;
  if (!SUPPORTED.has(l.type)) return `layer type [${l.section.name}] is not supported by the TensorFlow.js network (darknet-pruner supports ${[...SUPPORTED].join(', ')})`;
  if (!l.output) return 'its output shape is unknown (run darknet-pruner check)';
  const input = l.input;
  switch (l.type) {
    case 'convolutional': {
      if (a.xnor) return 'xnor (binary) convolutions are not supported';
      const k = a.size!, d = a.dilation!, p = a.padding! * d;
      const sx = a.antialiasing ? 1 : a.strideX!, sy = a.antialiasing ? 1 : a.strideY!;
      const ow = Math.floor((input![0] + 2 * p - (d * (k - 1) + 1)) / sx) + 1;
      const oh = Math.floor((input![1] + 2 * p - (d * (k - 1) + 1)) / sy) + 1;
      const want = a.antialiasing ? [ow, oh] : [l.output[0], l.output[1]];
      if (ow !== want[0] || oh !== want[1]) return `size=${k} dilation=${d} padding=${a.padding} gives ${ow}×${oh} when sampled but darknet allocates ${want[0]}×${want[1]}; darknet's own geometry is inconsistent here (use pad=1 with an odd size)`;
      if (a.filters! % a.groups! !== 0 || input![2] % a.groups! !== 0) return `groups=${a.groups} does not divide the ${input![2]} input channels and ${a.filters} filters`;
      return undefined;
    }
    case 'upsample':
      if (a.stride! < 0 && (input![0] % -a.stride! || input![1] % -a.stride!)) return `downsampling ${input![0]}×${input![1]} by ${-a.stride!} is not exact (darknet scrambles rows here)`;
      return undefined;
    case 'reorg3d': case 'reorg':
      if (a.reverse) return 'reverse=1 is not supported (darknet\'s CPU reverse reorg is not the inverse and divides by zero)';
      if (input![0] % a.stride! || input![1] % a.stride!) return `input ${input![0]}×${input![1]} is not divisible by stride ${a.stride}`;
      if (l.type === 'reorg' && input![2] % (a.stride! * a.stride!)) return `${input![2]} channels are not divisible by stride² = ${a.stride! ** 2}`;
      return undefined;
    case 'route': {
      const g = a.groups ?? 1;
      for (const s of l.sources) {
        const o = net.layers[s].output!;
        if (o[2] % g) return `layer ${s} has ${o[2]} channels, not divisible into groups=${g}`;
        if (o[0] !== l.output[0] || o[1] !== l.output[1]) return `layer ${s} is ${o[0]}×${o[1]}, layer ${l.sources[0]} is ${l.output[0]}×${l.output[1]}`;
      }
      return undefined;
    }
    case 'shortcut':
      for (const s of l.sources.slice(1)) {
        const o = net.layers[s].output!;
        if (o[0] !== input![0] || o[1] !== input![1]) return `from layer ${s} is ${o[0]}×${o[1]}, the input is ${input![0]}×${input![1]} (darknet aborts here)`;
      }
      return undefined;
    case 'sam': case 'scale_channels': {
      const from = net.layers[l.sources[1]]?.output;
      if (!from) return 'the from layer has no output';
      const ok = l.type === 'sam' ? input!.every((v, i) => v === from[i])
        : a.scaleWH ? input![0] === from[0] && input![1] === from[1] && input![2] === 1
          : input![0] === 1 && input![1] === 1 && input![2] === from[2];
      if (!ok) return `input ${input!.join('×')} does not fit the from layer ${from.join('×')}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Check that every layer can be built; throws NetworkBuildError naming the first that cannot. */
export function checkBuildable(net: Network): void {
  if (net.layers.length === 0) throw new Error('the cfg has no layers');
  for (const l of net.layers) {
    const bad = l.refs.find((r) => !r.valid && r.key !== 'share_index');
    if (bad) throw new NetworkBuildError(l, `${bad.key}=${bad.raw} refers to layer ${bad.target}, outside 0…${l.index - 1}`);
    const why = unsupportedReason(l, net);
    if (why) throw new NetworkBuildError(l, why);
  }
}

/** NHWC float32 input [batch, h, w, c] from darknet CHW images (concatenated). */
export function chwToNHWC(data: Float32Array, w: number, h: number, c: number): T4 {
  const per = w * h * c;
  if (data.length % per !== 0) throw new Error(`input holds ${data.length} floats, not a multiple of ${w}×${h}×${c} = ${per}`);
  const n = data.length / per;
  return tf.tidy(() => tf.transpose(tf.tensor4d(data, [n, c, h, w]), [0, 2, 3, 1]));
}

export class DarknetModel {
  readonly params: (LayerParams | undefined)[];
  /** Layers whose parameters were initialised (no weights given for them). */
  readonly initialised: number[];
  private readonly variables: tf.Variable[];
  private readonly lastUse: number[];
  private readonly darknetBackward: boolean;
  private disposed = false;

  constructor(readonly net: Network, weights: DarknetWeights | undefined, opts: BuildOptions = {}) {
    checkBuildable(net);
    const built = buildParams(net, weights, opts.trainable ?? true);
    this.params = built.params;
    this.initialised = built.initialised;
    this.variables = built.variables;
    this.darknetBackward = opts.darknetBackward ?? false;
    this.lastUse = net.layers.map((l) => l.index);
    for (const l of net.layers) for (const s of this.inputsOf(l)) this.lastUse[s] = Math.max(this.lastUse[s], l.index);
  }

  /** Every variable (trainable ones and BN rolling statistics). */
  allVariables(): tf.Variable[] { return [...this.variables]; }

  trainableVariables(): tf.Variable[] { return this.variables.filter((v) => v.trainable); }

  /** BN γ of every conv (and [batchnorm]) layer, for L1 sparsity and channel statistics. */
  gammas(): { layer: number; gamma: tf.Variable }[] {
    const out: { layer: number; gamma: tf.Variable }[] = [];
    this.params.forEach((p, i) => {
      const g = p?.conv && p.conv.owner === i ? p.conv.scales : p?.batchnorm?.scales;
      if (g) out.push({ layer: i, gamma: g });
    });
    return out;
  }

  /** Current parameters as darknet weight blocks (write them with serializeWeights). */
  toDarknetWeights(): DarknetWeights { return paramsToDarknet(this.net, this.params); }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables) v.dispose();
  }

  /** Layers whose outputs layer `l` reads (previous layer first, where it reads it). */
  private inputsOf(l: Layer): number[] {
    if (l.type === 'implicit') return [];
    return l.sources;
  }

  /**
   * Run the network on NHWC input [n, h, w, c]. Returns the requested layer outputs (NHWC); the
   * caller owns them. In inference mode intermediate tensors are freed as soon as they are dead.
   */
  forward(input: T4, opts: ForwardOptions = {}): Map<number, T4> {
    if (this.disposed) throw new Error('forward on a disposed DarknetModel');
    const { net } = this;
    const [, h, w, c] = input.shape;
    if (h !== net.net.height || w !== net.net.width || c !== net.net.channels) {
      throw new Error(`input is ${w}×${h}×${c}, the network expects ${net.net.width}×${net.net.height}×${net.net.channels}`);
    }
    const training = opts.training ?? false;
    const want = new Set<number>(
      opts.outputs === 'all' ? net.layers.map((l) => l.index)
        : Array.isArray(opts.outputs) ? opts.outputs : net.layers.filter(isHead).map((l) => l.index),
    );
    const outs: (T4 | undefined)[] = [];
    const result = new Map<number, T4>();
    for (const l of net.layers) {
      const compute = () => this.layerForward(l, l.index === 0 ? input : outs[l.index - 1]!, outs, training, opts);
      // Inside a gradient tape the caller's tidy owns everything; otherwise free as we go.
      let y = training ? compute() : tf.tidy(compute);
      // A layer may pass a tensor through unchanged (route of one layer, linear activation): own a
      // separate handle so freeing its source does not free it.
      if (y === input || outs.includes(y)) y = y.clone();
      outs[l.index] = y;
      if (want.has(l.index)) {
        const head = isHead(l) && opts.heads !== 'raw';
        result.set(l.index, head ? (training ? activateHead(y, l) : tf.tidy(() => activateHead(y, l))) : y);
      }
      if (!training) {
        for (const s of [...this.inputsOf(l), l.index]) {
          const t = outs[s];
          if (t && this.lastUse[s] <= l.index && !(want.has(s) && result.get(s) === t)) { t.dispose(); outs[s] = undefined; }
        }
      }
    }
    return result;
  }

  /** rolling ← (1 − momentum)·rolling + momentum·batch (darknet: momentum 0.01); disposes `stats`. */
  updateRollingStats(stats: Map<number, BatchStats>, momentum = 0.01): void {
    tf.tidy(() => {
      for (const [layer, s] of stats) {
        const p = this.params[layer];
        const bn = p?.conv?.rollingMean ? { m: p.conv.rollingMean, v: p.conv.rollingVariance! } : p?.batchnorm ? { m: p.batchnorm.rollingMean, v: p.batchnorm.rollingVariance } : undefined;
        if (!bn) continue;
        bn.m.assign(tf.add(tf.mul(bn.m, 1 - momentum), tf.mul(s.mean, momentum)));
        bn.v.assign(tf.add(tf.mul(bn.v, 1 - momentum), tf.mul(s.variance, momentum)));
      }
    });
    for (const s of stats.values()) { s.mean.dispose(); s.variance.dispose(); }
    stats.clear();
  }

  private layerForward(l: Layer, prev: T4, outs: (T4 | undefined)[], training: boolean, opts: ForwardOptions): T4 {
    const a = l.attrs;
    const p = this.params[l.index];
    const src = (i: number) => outs[i]!;
    switch (l.type) {
      case 'convolutional': return this.conv(l, prev, p!.conv!, training, opts.bnStats);
      case 'maxpool': return maxpool(prev, l);
      case 'local_avgpool': return localAvgpool(prev, l);
      case 'avgpool': return globalAvgpool(prev);
      case 'route': return route(l.sources.map(src), l);
      case 'shortcut': return shortcut(prev, l.sources.slice(1).map(src), l, p?.shortcut);
      case 'upsample': return upsample(prev, l);
      case 'reorg3d': return reorg3d(prev, l);
      case 'reorg': return legacyReorg(prev, l);
      case 'sam': case 'scale_channels': return multiplyFrom(prev, src(l.sources[1]), l);
      case 'dropout': return training && (a.probability ?? 0) > 0 ? tf.dropout(prev, a.probability!) as T4 : prev.clone();
      case 'softmax': return softmaxLayer(prev, l);
      case 'connected': return this.connected(l, prev, training, opts.bnStats);
      case 'batchnorm': {
        const bn = p!.batchnorm!;
        return this.batchNorm(l, prev, bn.scales, bn.biases, bn.rollingMean, bn.rollingVariance, training, opts.bnStats);
      }
      case 'activation': return activate(prev, a.activation ?? 'linear') as T4;
      case 'implicit': {
        const f = a.filters!, at = a.atoms!;
        const t = tf.transpose(p!.implicit!.reshape([f, at])).reshape([1, at, 1, f]) as T4;
        return tf.tile(t, [prev.shape[0], 1, 1, 1]);
      }
      case 'yolo': case 'Gaussian_yolo': case 'region': case 'empty': case 'cost':
        return prev.clone();
      default:
        throw new NetworkBuildError(l, `layer type [${l.section.name}] is not supported`);
    }
  }

  private batchNorm(l: Layer, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor,
    training: boolean, stats: Map<number, BatchStats> | undefined): T4 {
    let m = mean, v = variance;
    const axes = x.rank === 4 ? [0, 1, 2] : [0];
    if (training && this.darknetBackward) return darknetBatchNorm(l.index, x, gamma, beta, axes, stats);
    if (training) {
      m = tf.mean(x, axes);
      const count = x.size / x.shape[x.rank - 1];
      // darknet's variance_cpu divides by (count − 1).
      v = tf.div(tf.sum(tf.square(tf.sub(x, m)), axes), Math.max(1, count - 1));
      if (stats) stats.set(l.index, { mean: tf.keep(m.clone()) as tf.Tensor1D, variance: tf.keep(v.clone()) as tf.Tensor1D });
    }
    return tf.add(tf.mul(tf.div(tf.sub(x, m), tf.sqrt(tf.add(v, BN_EPSILON))), gamma), beta) as T4;
  }

  private conv(l: Layer, x: T4, p: ConvParams, training: boolean, stats: Map<number, BatchStats> | undefined): T4 {
    const a = l.attrs;
    const act = resolveActivation(a.activation, 'logistic');
    const aa = a.antialiasing ?? 0;
    const sx = aa ? 1 : a.strideX!, sy = aa ? 1 : a.strideY!;
    const d = a.dilation!, g = a.groups!;
    const padded = padForConv(x, d * (a.size! - 1) + 1, d > 1 ? 1 : sy, d > 1 ? 1 : sx, a.padding! * d);
    const pad = padded.mode;
    x = padded.x;
    let y: T4;
    const fused = fusedActivation(act);
    if (!training && g === 1 && d === 1) {
      // Inference fast path: BN folded into the kernel (as darknet's fuse_conv_batchnorm), bias and
      // activation fused into the conv.
      let kernel: T4 = p.kernel as tf.Variable<tf.Rank.R4>, bias: tf.Tensor1D = p.biases as tf.Variable<tf.Rank.R1>;
      if (p.scales) {
        const scale = tf.div(p.scales, tf.sqrt(tf.add(p.rollingVariance!, BN_EPSILON)));
        kernel = tf.mul(kernel, scale) as T4;
        bias = tf.sub(p.biases, tf.mul(p.rollingMean!, scale)) as tf.Tensor1D;
      }
      y = tf.fused.conv2d({
        x, filter: kernel, strides: [sy, sx], pad, bias,
        activation: fused?.activation ?? 'linear', leakyreluAlpha: fused?.alpha,
      });
      if (!fused) y = activate(y, act) as T4;
    } else {
      const kernel = p.kernel as tf.Variable<tf.Rank.R4>;
      if (d > 1 && (sx > 1 || sy > 1)) {
        // tfjs convs take strides or dilation, not both: dilated conv at stride 1, then subsample.
        const full = conv2d(x, kernel, { strides: 1, pad, dilation: d, groups: g });
        y = tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, sy, sx, 1]) as T4;
      } else {
        y = conv2d(x, kernel, { strides: [sy, sx], pad, dilation: d, groups: g });
      }
      y = p.scales
        ? this.batchNorm(l, y, p.scales, p.biases, p.rollingMean!, p.rollingVariance!, training, stats)
        : tf.add(y, p.biases);
      y = activate(y, act) as T4;
    }
    if (aa) y = antialias(y, aa, a.strideX!, a.strideY!);
    return y;
  }

  private connected(l: Layer, x: T4, training: boolean, stats: Map<number, BatchStats> | undefined): T4 {
    const p = this.params[l.index]!.connected!;
    let y: tf.Tensor = tf.matMul(flattenCHW(x), p.weights);
    y = p.scales ? this.batchNorm(l, y, p.scales, p.biases, p.rollingMean!, p.rollingVariance!, training, stats) : tf.add(y, p.biases);
    y = activate(y, resolveActivation(l.attrs.activation, 'logistic'));
    return y.reshape([x.shape[0], 1, 1, -1]);
  }
}

/**
 * Training-mode BN with darknet's backward_batchnorm_layer as its gradient. Forward as
 * DarknetModel.batchNorm (batch mean, variance over N − 1). darknet's backward is not the exact
 * derivative of that forward: its variance term uses 2(x − μ)/N where the derivative has N − 1, and
 * it uses √(σ² + 1e-5) throughout. With δ = ∂L/∂y·γ:
 *   ∂L/∂γ = Σ ∂L/∂y·x̂,  ∂L/∂β = Σ ∂L/∂y,
 *   ∂L/∂x = δ/√(σ²+ε) + 2(x−μ)/N · Σ δ(x−μ)·(−½)(σ²+ε)^(−3/2) + 1/N · Σ δ·(−1/√(σ²+ε)).
 */
function darknetBatchNorm(layer: number, x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axes: number[], stats: Map<number, BatchStats> | undefined): T4 {
  const count = x.size / x.shape[x.rank - 1];
    const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const m = tf.mean(xi, axes);
    const xc = tf.sub(xi, m);
    const v = tf.div(tf.sum(tf.square(xc), axes), Math.max(1, count - 1));
    if (stats) stats.set(layer, { mean: tf.keep(m.clone()) as tf.Tensor1D, variance: tf.keep(v.clone()) as tf.Tensor1D });
    const sd = tf.sqrt(tf.add(v, BN_EPSILON));
    const xhat = tf.div(xc, sd);
    save([xc, sd, xhat, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [c, s, xh, gg] = saved;
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const dBeta = tf.sum(dy, axes);
        const d = tf.mul(dy, gg);
        const meanDelta = tf.div(tf.sum(d, axes), tf.neg(s));
        const varianceDelta = tf.mul(tf.sum(tf.mul(d, c), axes), tf.mul(-0.5, tf.pow(s, -3)));
        const dx = tf.add(tf.add(tf.div(d, s), tf.mul(c, tf.mul(varianceDelta, 2 / count))), tf.div(meanDelta, count));
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta) as T4;
}

/** Build the tfjs network for an analysed cfg and its weights (undefined: darknet-style initialisation). */
export function buildNetwork(net: Network, weights: DarknetWeights | undefined, opts: BuildOptions = {}): DarknetModel {
  return new DarknetModel(net, weights, opts);
}
