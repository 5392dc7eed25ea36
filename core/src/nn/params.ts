// Darknet weight blocks ↔ tfjs variables.
// Conv kernels are stored HWIO [k, k, c/groups, n] (darknet: [o][ci][ky][kx]); BN γ, β, rolling mean
// and variance are [n] each. Layers without stored weights (dontload, or no file) get darknet's
// own initialisation: weights U(−s, s), s = sqrt(2 / fan_in), biases 0, γ 1, mean 0, variance 1
// (drawn from a seeded xorshift32 so a build is reproducible).

import * as tf from '@tensorflow/tfjs-core';
import type { Layer, Network } from '../cfg/network';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { XorShift32 } from '../weights/synth';

export interface ConvParams {
  /** HWIO [k, k, c/groups, n]. */
  kernel: tf.Variable;
  /** β when BN is on, otherwise the conv bias. */
  biases: tf.Variable;
  /** BN γ (only with batch_normalize). */
  scales?: tf.Variable;
  rollingMean?: tf.Variable;
  rollingVariance?: tf.Variable;
  /** Layer whose parameters these are (share_index points elsewhere). */
  owner: number;
}

export interface BatchNormParams {
  biases: tf.Variable;
  scales: tf.Variable;
  rollingMean: tf.Variable;
  rollingVariance: tf.Variable;
}

export interface ConnectedParams {
  /** [inputs, outputs] (darknet stores [outputs][inputs]). */
  weights: tf.Variable;
  biases: tf.Variable;
  scales?: tf.Variable;
  rollingMean?: tf.Variable;
  rollingVariance?: tf.Variable;
}

export interface LayerParams {
  conv?: ConvParams;
  batchnorm?: BatchNormParams;
  connected?: ConnectedParams;
  /** Weighted shortcut: per_feature [n+1] or per_channel [(n+1)·c], darknet order. */
  shortcut?: tf.Variable;
  /** [implicit]: CHW order [filters·atoms]. */
  implicit?: tf.Variable;
}

export interface ParamsBuild {
  params: (LayerParams | undefined)[];
  /** Layers whose parameters were initialised because the weights held none for them. */
  initialised: number[];
  variables: tf.Variable[];
}

let modelCounter = 0;

/** Darknet [o][ci][ky][kx] (or flipped [ci·k·k][o]) → HWIO. */
export function darknetToHWIO(w: Float32Array, n: number, cg: number, k: number, flipped = false): Float32Array {
  const out = new Float32Array(w.length);
  const kk = k * k;
  for (let o = 0; o < n; o++) {
    for (let ci = 0; ci < cg; ci++) {
      for (let t = 0; t < kk; t++) {
        const src = flipped ? (ci * kk + t) * n + o : (o * cg + ci) * kk + t;
        out[(t * cg + ci) * n + o] = w[src];
      }
    }
  }
  return out;
}

/** HWIO → darknet [o][ci][ky][kx]. */
export function hwioToDarknet(w: Float32Array, n: number, cg: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  const kk = k * k;
  for (let o = 0; o < n; o++) {
    for (let ci = 0; ci < cg; ci++) {
      for (let t = 0; t < kk; t++) out[(o * cg + ci) * kk + t] = w[(t * cg + ci) * n + o];
    }
  }
  return out;
}

class Factory {
  readonly variables: tf.Variable[] = [];
  readonly rng = new XorShift32(0x5eed1234);
  constructor(readonly prefix: string, readonly trainable: boolean) {}
  make(layer: number, name: string, data: Float32Array, shape: number[], trainable = this.trainable): tf.Variable {
    const init = tf.tensor(data, shape, 'float32');
    const v = tf.variable(init, trainable, `${this.prefix}/l${layer}/${name}`);
    init.dispose();
    this.variables.push(v);
    return v;
  }
  uniform(n: number, scale: number): Float32Array {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = scale * (2 * ((this.rng.next() >>> 8) / 16777216) - 1);
    return a;
  }
}

const filled = (n: number, v: number) => new Float32Array(n).fill(v);

function block(lw: LayerWeights | undefined, name: keyof LayerWeights['blocks'], n: number, init: () => Float32Array): Float32Array {
  const b = lw?.blocks[name];
  if (b && b.length !== n) throw new Error(`layer ${lw!.layer}: ${name} holds ${b.length} values, expected ${n}`);
  return b ? b : init();
}

function convParams(f: Factory, l: Layer, lw: LayerWeights | undefined): ConvParams {
  const a = l.attrs;
  const n = a.filters!, k = a.size!, cg = Math.trunc(l.input![2] / a.groups!);
  const fanIn = k * k * cg;
  const raw = block(lw, 'weights', n * cg * k * k, () => f.uniform(n * cg * k * k, Math.sqrt(2 / fanIn)));
  const p: ConvParams = {
    kernel: f.make(l.index, 'kernel', darknetToHWIO(raw, n, cg, k, a.flipped && lw !== undefined), [k, k, cg, n]),
    biases: f.make(l.index, 'biases', block(lw, 'biases', n, () => filled(n, 0)), [n]),
    owner: l.index,
  };
  if (a.batchNormalize) {
    p.scales = f.make(l.index, 'scales', block(lw, 'scales', n, () => filled(n, 1)), [n]);
    p.rollingMean = f.make(l.index, 'rolling_mean', block(lw, 'rolling_mean', n, () => filled(n, 0)), [n], false);
    p.rollingVariance = f.make(l.index, 'rolling_variance', block(lw, 'rolling_variance', n, () => filled(n, 1)), [n], false);
  }
  return p;
}

/** Create the variables of every layer that has parameters. */
export function buildParams(net: Network, weights: DarknetWeights | undefined, trainable: boolean): ParamsBuild {
  const f = new Factory(`darknet${++modelCounter}`, trainable);
  const params: (LayerParams | undefined)[] = [];
  const initialised: number[] = [];
  for (const l of net.layers) {
    const lw = weights?.layers[l.index];
    const a = l.attrs;
    const missing = () => { if (!lw) initialised.push(l.index); };
    switch (l.type) {
      case 'convolutional':
        if (a.shareIndex !== undefined) {
          const owner = params[a.shareIndex]?.conv;
          if (!owner) throw new Error(`layer ${l.index}: share_index=${a.shareIndex} does not name a convolutional layer`);
          params.push({ conv: owner });
        } else {
          missing();
          params.push({ conv: convParams(f, l, lw) });
        }
        break;
      case 'batchnorm': {
        missing();
        const c = l.output![2];
        params.push({ batchnorm: {
          biases: f.make(l.index, 'biases', block(lw, 'biases', c, () => filled(c, 0)), [c]),
          scales: f.make(l.index, 'scales', block(lw, 'scales', c, () => filled(c, 1)), [c]),
          rollingMean: f.make(l.index, 'rolling_mean', block(lw, 'rolling_mean', c, () => filled(c, 0)), [c], false),
          rollingVariance: f.make(l.index, 'rolling_variance', block(lw, 'rolling_variance', c, () => filled(c, 1)), [c], false),
        } });
        break;
      }
      case 'connected': {
        missing();
        const n = a.output!;
        const nin = (l.params - n - (a.batchNormalize ? n : 0)) / n;
        const raw = block(lw, 'weights', n * nin, () => f.uniform(n * nin, Math.sqrt(2 / nin)));
        // darknet [out][in] → [in, out] (ancient transposed files are not supported here).
        const t = new Float32Array(n * nin);
        for (let o = 0; o < n; o++) for (let i = 0; i < nin; i++) t[i * n + o] = raw[o * nin + i];
        const p: ConnectedParams = {
          weights: f.make(l.index, 'weights', t, [nin, n]),
          biases: f.make(l.index, 'biases', block(lw, 'biases', n, () => filled(n, 0)), [n]),
        };
        if (a.batchNormalize) {
          p.scales = f.make(l.index, 'scales', block(lw, 'scales', n, () => filled(n, 1)), [n]);
          p.rollingMean = f.make(l.index, 'rolling_mean', block(lw, 'rolling_mean', n, () => filled(n, 0)), [n], false);
          p.rollingVariance = f.make(l.index, 'rolling_variance', block(lw, 'rolling_variance', n, () => filled(n, 1)), [n], false);
        }
        params.push({ connected: p });
        break;
      }
      case 'shortcut':
        if (a.nweights) {
          missing();
          // darknet initialises shortcut weights to 1 (make_shortcut_layer).
          params.push({ shortcut: f.make(l.index, 'weights', block(lw, 'weights', a.nweights, () => filled(a.nweights!, 1)), [a.nweights]) });
        } else params.push(undefined);
        break;
      case 'implicit': {
        missing();
        const n = a.filters! * a.atoms!;
        params.push({ implicit: f.make(l.index, 'weights', block(lw, 'weights', n, () => filled(n, 0)), [n]) });
        break;
      }
      default:
        params.push(undefined);
    }
  }
  return { params, initialised, variables: f.variables };
}

/** Read the variables back as darknet weight blocks (for serializeWeights). */
export function paramsToDarknet(net: Network, params: (LayerParams | undefined)[]): DarknetWeights {
  const layers: (LayerWeights | undefined)[] = [];
  let total = 0;
  const data = (v: tf.Variable) => v.dataSync() as Float32Array;
  for (const l of net.layers) {
    const p = params[l.index];
    const a = l.attrs;
    let blocks: LayerWeights['blocks'] | undefined;
    if (l.weightFloats === 0 || !p) blocks = undefined;
    else if (p.conv && p.conv.owner === l.index) {
      const [k, , cg, n] = p.conv.kernel.shape;
      blocks = { biases: data(p.conv.biases).slice(), weights: hwioToDarknet(data(p.conv.kernel), n, cg, k) };
      if (p.conv.scales && !a.dontloadscales) {
        blocks.scales = data(p.conv.scales).slice();
        blocks.rolling_mean = data(p.conv.rollingMean!).slice();
        blocks.rolling_variance = data(p.conv.rollingVariance!).slice();
      }
    } else if (p.batchnorm) {
      blocks = { biases: data(p.batchnorm.biases).slice(), scales: data(p.batchnorm.scales).slice(),
        rolling_mean: data(p.batchnorm.rollingMean).slice(), rolling_variance: data(p.batchnorm.rollingVariance).slice() };
    } else if (p.connected) {
      const [nin, n] = p.connected.weights.shape;
      const t = data(p.connected.weights), w = new Float32Array(n * nin);
      for (let o = 0; o < n; o++) for (let i = 0; i < nin; i++) w[o * nin + i] = t[i * n + o];
      blocks = { biases: data(p.connected.biases).slice(), weights: w };
      if (p.connected.scales && !a.dontloadscales) {
        blocks.scales = data(p.connected.scales).slice();
        blocks.rolling_mean = data(p.connected.rollingMean!).slice();
        blocks.rolling_variance = data(p.connected.rollingVariance!).slice();
      }
    } else if (p.shortcut) blocks = { weights: data(p.shortcut).slice() };
    else if (p.implicit) blocks = { weights: data(p.implicit).slice() };
    if (blocks) {
      layers.push({ layer: l.index, blocks });
      total += Object.values(blocks).reduce((s, b) => s + b.length, 0);
    } else layers.push(undefined);
  }
  return { header: { major: 0, minor: 2, revision: 5, seen: 0n }, layers, totalFloats: total };
}
