// Darknet weight blocks ↔ tfjs variables, through each layer record's `forward.params` /
// `forward.toBlocks` (core/src/layers). Conv kernels are stored HWIO [k, k, c/groups, n]
// (darknet: [o][ci][ky][kx]); BN γ, β, rolling mean and variance are [n] each. Layers without
// stored weights (dontload, or no file) get darknet's own initialisation: weights U(−s, s),
// s = sqrt(2 / fan_in), biases 0, γ 1, mean 0, variance 1 (drawn from a seeded xorshift32 so a
// build is reproducible).

import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../cfg/network';
import { specOf } from '../layers';
import { isExcluded, type LayerParams, type ParamsContext } from '../layers/spec';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { XorShift32 } from '../weights/synth';

export type { LayerParams } from '../layers/spec';

export interface ParamsBuild {
  params: (LayerParams | undefined)[];
  /** Layers whose parameters were initialised because the weights held none for them. */
  initialised: number[];
  variables: tf.Variable[];
}

let modelCounter = 0;

/** Create the variables of every layer that has parameters. */
export function buildParams(net: Network, weights: DarknetWeights | undefined, trainable: boolean): ParamsBuild {
  const prefix = `darknet${++modelCounter}`;
  const rng = new XorShift32(0x5eed1234);
  const variables: tf.Variable[] = [];
  const params: (LayerParams | undefined)[] = [];
  const initialised: number[] = [];
  for (const l of net.layers) {
    const fwd = specOf(l)?.forward;
    if (!fwd || isExcluded(fwd) || !fwd.params) {
      params.push(undefined);
      continue;
    }
    const lw = weights?.layers[l.index];
    const ctx: ParamsContext = {
      layer: l,
      lw,
      built: params,
      variable(name, data, shape, isTrainable = trainable) {
        const init = tf.tensor(data, shape, 'float32');
        const v = tf.variable(init, isTrainable, `${prefix}/l${l.index}/${name}`);
        init.dispose();
        variables.push(v);
        return v;
      },
      block(name, n, init) {
        const b = lw?.blocks[name];
        if (b && b.length !== n) throw new Error(`layer ${lw!.layer}: ${name} holds ${b.length} values, expected ${n}`);
        return b ? b : init();
      },
      uniform(n, scale) {
        const a = new Float32Array(n);
        for (let i = 0; i < n; i++) a[i] = scale * (2 * ((rng.next() >>> 8) / 16777216) - 1);
        return a;
      },
      initialised() {
        if (!lw) initialised.push(l.index);
      },
    };
    params.push(fwd.params(ctx));
  }
  return { params, initialised, variables };
}

/** Read the variables back as darknet weight blocks (for serializeWeights). */
export function paramsToDarknet(net: Network, params: (LayerParams | undefined)[]): DarknetWeights {
  const layers: (LayerWeights | undefined)[] = [];
  let total = 0;
  const data = (v: tf.Variable) => v.dataSync() as Float32Array;
  for (const l of net.layers) {
    const p = params[l.index];
    const fwd = specOf(l)?.forward;
    const blocks = l.weightFloats === 0 || !p || !fwd || isExcluded(fwd) ? undefined : fwd.toBlocks?.(p, l, data);
    if (blocks) {
      layers.push({ layer: l.index, blocks });
      total += Object.values(blocks).reduce((s, b) => s + b.length, 0);
    } else layers.push(undefined);
  }
  return { header: { major: 0, minor: 2, revision: 5, seen: 0n }, layers, totalFloats: total };
}
