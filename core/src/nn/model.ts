// A Darknet network as TensorFlow.js ops: built from the analysed cfg (core/src/cfg) and its weights,
// NHWC internally, darknet's forward semantics (docs/network.md §Layer semantics). The same graph runs
// inference (BN with rolling statistics, dropout off) and training (BN with batch statistics, dropout
// on, every op differentiable; γ of every BN is its own variable for L1 sparsity).

import * as tf from '@tensorflow/tfjs-core';
import type { Layer, Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { allLayerTypes, specOf } from '../layers';
import { BN_EPSILON } from '../layers/common';
import { isExcluded, type BatchStats, type ForwardOps } from '../layers/spec';
import { activate, fusedActivation, resolveActivation } from './activations';
import { conv2d } from './conv';
import { activateHead, isHead } from './heads';
import { antialias, flattenCHW, padForConv } from './layers';
import { buildParams, paramsToDarknet, type LayerParams } from './params';
import { UserError } from '../errors';

type T4 = tf.Tensor4D;

export { BN_EPSILON };
export type { BatchStats };

/** A layer the builder cannot express, with where it is. */
export class NetworkBuildError extends UserError {
  constructor(
    readonly layer: Layer,
    message: string,
  ) {
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

/** Why a layer cannot be built, or undefined when it can (its record's forward says). */
function unsupportedReason(l: Layer, net: Network): string | undefined {
  const fwd = specOf(l)?.forward;
  if (!fwd || isExcluded(fwd))
    return `layer type [${l.section.name}] is not supported by the TensorFlow.js network (darknet-pruner supports ${buildableTypes().join(', ')})`;
  if (!l.output) return 'its output shape is unknown (run darknet-pruner check)';
  return fwd.check?.(l, net);
}

const buildableTypes = () =>
  allLayerTypes()
    .filter((s) => !isExcluded(s.forward))
    .map((s) => s.name);

const OPS: ForwardOps = { activate, resolveActivation, fusedActivation, conv2d, padForConv, antialias, flattenCHW };

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

  constructor(
    readonly net: Network,
    weights: DarknetWeights | undefined,
    opts: BuildOptions = {},
  ) {
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
  allVariables(): tf.Variable[] {
    return [...this.variables];
  }

  trainableVariables(): tf.Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

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
  toDarknetWeights(): DarknetWeights {
    return paramsToDarknet(this.net, this.params);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.variables) v.dispose();
  }

  /** Layers whose outputs layer `l` reads (previous layer first, where it reads it). */
  private inputsOf(l: Layer): number[] {
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
      opts.outputs === 'all'
        ? net.layers.map((l) => l.index)
        : Array.isArray(opts.outputs)
          ? opts.outputs
          : net.layers.filter(isHead).map((l) => l.index),
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
          if (t && this.lastUse[s] <= l.index && !(want.has(s) && result.get(s) === t)) {
            t.dispose();
            outs[s] = undefined;
          }
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
        const bn = p?.conv?.rollingMean
          ? { m: p.conv.rollingMean, v: p.conv.rollingVariance! }
          : p?.batchnorm
            ? { m: p.batchnorm.rollingMean, v: p.batchnorm.rollingVariance }
            : undefined;
        if (!bn) continue;
        bn.m.assign(tf.add(tf.mul(bn.m, 1 - momentum), tf.mul(s.mean, momentum)));
        bn.v.assign(tf.add(tf.mul(bn.v, 1 - momentum), tf.mul(s.variance, momentum)));
      }
    });
    for (const s of stats.values()) {
      s.mean.dispose();
      s.variance.dispose();
    }
    stats.clear();
  }

  private layerForward(l: Layer, prev: T4, outs: (T4 | undefined)[], training: boolean, opts: ForwardOptions): T4 {
    const fwd = specOf(l)?.forward;
    if (!fwd || isExcluded(fwd)) throw new NetworkBuildError(l, `layer type [${l.section.name}] is not supported`);
    return fwd.run({
      tf,
      ops: OPS,
      layer: l,
      x: prev,
      src: (i) => outs[i]!,
      params: this.params[l.index],
      training,
      batchNorm: (x, gamma, beta, mean, variance) => this.batchNorm(l, x, gamma, beta, mean, variance, training, opts.bnStats),
    });
  }

  private batchNorm(
    l: Layer,
    x: tf.Tensor,
    gamma: tf.Tensor,
    beta: tf.Tensor,
    mean: tf.Tensor,
    variance: tf.Tensor,
    training: boolean,
    stats: Map<number, BatchStats> | undefined,
  ): T4 {
    let m = mean,
      v = variance;
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
}

/**
 * Training-mode BN with darknet's backward_batchnorm_layer as its gradient. Forward as
 * DarknetModel.batchNorm (batch mean, variance over N − 1). darknet's backward is not the exact
 * derivative of that forward: its variance term uses 2(x − μ)/N where the derivative has N − 1, and
 * it uses √(σ² + 1e-5) throughout. With δ = ∂L/∂y·γ:
 *   ∂L/∂γ = Σ ∂L/∂y·x̂,  ∂L/∂β = Σ ∂L/∂y,
 *   ∂L/∂x = δ/√(σ²+ε) + 2(x−μ)/N · Σ δ(x−μ)·(−½)(σ²+ε)^(−3/2) + 1/N · Σ δ·(−1/√(σ²+ε)).
 */
function darknetBatchNorm(
  layer: number,
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  axes: number[],
  stats: Map<number, BatchStats> | undefined,
): T4 {
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
