// darknet's parameter update (update_convolutional_layer and friends), on tfjs variables.
//
// Each variable has an update buffer u that accumulates the negative gradient of the summed
// (not averaged) loss over every mini-batch of an optimiser step (darknet's `batch`/`subdivisions`).
// SGD at a step with rate lr, B = batch·subdivisions images (darknet's a.batch):
//   weights (conv kernels, connected and shortcut weights): u ← u − decay·B·w;  w ← w + lr/B·u;  u ← momentum·u
//   biases, β, γ:                                           w ← w + lr/B·u;  u ← momentum·u
// Adam (`adam=1` or --adam; darknet's adam_update): m ← B1·m + (1−B1)·d, v ← B2·v + (1−B2)·d²,
// w ← w + lr·m̂/(√v̂ + eps), d = u (− decay·B·w for weights), u ← 0.

import * as tf from '@tensorflow/tfjs-core';

export interface OptimizerSettings {
  momentum: number;
  decay: number;
  adam: boolean;
  b1: number;
  b2: number;
  eps: number;
}

export interface OptimizerState {
  /** Per variable name: update buffer, and Adam's m and v. */
  buffers: Record<string, { u: Float32Array; m?: Float32Array; v?: Float32Array }>;
  /** Adam's t (steps taken). */
  t: number;
}

/** Weight decay applies to conv kernels and weight matrices (…/kernel, …/weights), never to γ, β or biases. */
export const decays = (v: tf.Variable): boolean => v.name.endsWith('/kernel') || v.name.endsWith('/weights');

export class DarknetOptimizer {
  private readonly u = new Map<string, tf.Variable>();
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private t = 0;

  constructor(
    readonly variables: tf.Variable[],
    readonly settings: OptimizerSettings,
  ) {
    for (const x of variables) {
      this.u.set(x.name, tf.variable(tf.zerosLike(x), false));
      if (settings.adam) {
        this.m.set(x.name, tf.variable(tf.zerosLike(x), false));
        this.v.set(x.name, tf.variable(tf.zerosLike(x), false));
      }
    }
  }

  /** u ← u − g for every variable with a gradient (gradients of the summed loss). */
  accumulate(grads: Record<string, tf.Tensor>): void {
    tf.tidy(() => {
      for (const [name, g] of Object.entries(grads)) {
        const u = this.u.get(name);
        if (u) u.assign(tf.sub(u, g));
      }
    });
  }

  /** One update with rate `lr` for an optimiser step of `images` images. */
  step(lr: number, images: number): void {
    const { momentum, decay, adam, b1, b2, eps } = this.settings;
    this.t++;
    tf.tidy(() => {
      for (const x of this.variables) {
        const u = this.u.get(x.name)!;
        let d: tf.Tensor = u;
        if (decays(x)) d = tf.sub(u, tf.mul(x, decay * images));
        if (adam) {
          const m = this.m.get(x.name)!,
            v = this.v.get(x.name)!;
          m.assign(tf.add(tf.mul(m, b1), tf.mul(d, 1 - b1)));
          v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(d), 1 - b2)));
          const mhat = tf.div(m, 1 - Math.pow(b1, this.t)),
            vhat = tf.div(v, 1 - Math.pow(b2, this.t));
          x.assign(tf.add(x, tf.div(tf.mul(mhat, lr), tf.add(tf.sqrt(vhat), eps))));
          u.assign(tf.zerosLike(u));
        } else {
          x.assign(tf.add(x, tf.mul(d, lr / images)));
          u.assign(tf.mul(d, momentum));
        }
      }
    });
  }

  state(): OptimizerState {
    const buffers: OptimizerState['buffers'] = {};
    for (const x of this.variables) {
      buffers[x.name] = { u: this.u.get(x.name)!.dataSync() as Float32Array };
      if (this.settings.adam) {
        buffers[x.name].m = this.m.get(x.name)!.dataSync() as Float32Array;
        buffers[x.name].v = this.v.get(x.name)!.dataSync() as Float32Array;
      }
    }
    return { buffers, t: this.t };
  }

  restore(s: OptimizerState): void {
    this.t = s.t;
    for (const x of this.variables) {
      const b = s.buffers[x.name];
      if (!b) throw new Error(`checkpoint has no optimiser state for ${x.name}`);
      const set = (target: tf.Variable | undefined, data: Float32Array | undefined) => {
        if (!target || !data) return;
        if (data.length !== target.size)
          throw new Error(`checkpoint optimiser state for ${x.name} holds ${data.length} values, expected ${target.size}`);
        target.assign(tf.tensor(data, target.shape));
      };
      set(this.u.get(x.name), b.u);
      set(this.m.get(x.name), b.m);
      set(this.v.get(x.name), b.v);
    }
  }

  dispose(): void {
    for (const map of [this.u, this.m, this.v]) for (const x of map.values()) x.dispose();
  }
}
