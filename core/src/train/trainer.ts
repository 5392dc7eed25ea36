// One optimiser step as darknet takes it (train_network): `subdivisions` mini-batches of
// batch/subdivisions images, each a training-mode forward (BN batch statistics, rolling statistics
// updated 0.99/0.01 after it), darknet's head deltas and their back-propagation accumulated into the
// update buffers; then the update with the rate for this step. Optional L1 sparsity on BN γ.

import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../cfg/network';
import { chwToNHWC, type BatchStats, type DarknetModel } from '../nn/model';
import { computeHeadLoss, headLossSetup, surrogateLoss, type HeadLoss, type HeadLossSetup } from './head-loss';
import { learningRate, type TrainSettings } from './lr-policy';
import { DarknetOptimizer } from './optimizer';
import type { TrainBatch } from './batches';
import type { LossParts, YoloLossStats } from './yolo-loss';

export interface Sparsity {
  /** s: γ's gradient gets s·sign(γ) per image of every mini-batch (see docs/training.md). */
  s: number;
  /** Layers whose γ are regularised (the prune method's set). */
  layers: number[];
}

export interface TrainerOptions {
  settings: TrainSettings;
  sparsity?: Sparsity;
  /** Fine-tuning warm-up (the seed's): for step < warmupSteps, lr = 1e-6 + (lr − 1e-6)·step/(2·stepsPerEpoch). */
  warmup?: { steps: number; stepsPerEpoch: number };
}

export interface StepResult {
  /** Optimiser steps done, this one included (darknet's iteration number). */
  iteration: number;
  /** darknet's printed loss: per image, the mean over heads of ‖delta‖². */
  loss: number;
  lr: number;
  heads: YoloLossStats[];
  /** `loss` split into box, objectness and class terms (same normalisation). */
  parts: LossParts;
}

export class Trainer {
  readonly optimizer: DarknetOptimizer;
  readonly setup: HeadLossSetup;
  iteration = 0;
  seen = 0;
  private readonly trainable: tf.Variable[];
  private readonly sparseGammas: { name: string; gamma: tf.Variable }[];

  constructor(
    readonly model: DarknetModel,
    readonly net: Network,
    readonly opts: TrainerOptions,
  ) {
    this.setup = headLossSetup(net);
    this.trainable = model.trainableVariables();
    this.optimizer = new DarknetOptimizer(this.trainable, opts.settings);
    const set = new Set(opts.sparsity?.layers ?? []);
    this.sparseGammas = model
      .gammas()
      .filter((g) => set.has(g.layer))
      .map((g) => ({ name: g.gamma.name, gamma: g.gamma }));
  }

  /** The rate of the step about to be taken. */
  rate(): number {
    const n = this.iteration + 1;
    let lr = learningRate(this.opts.settings, n);
    const w = this.opts.warmup;
    if (w && this.iteration < w.steps) lr = 1e-6 + ((lr - 1e-6) * this.iteration) / (2 * w.stepsPerEpoch);
    return lr;
  }

  /** One optimiser step on `batch` (settings.batch images). */
  step(batch: TrainBatch): StepResult {
    const { settings } = this.opts;
    const { width: W, height: H, channels: C } = this.net.net;
    const per = W * H * C;
    const n = batch.boxes.length;
    if (n !== settings.batch) throw new Error(`a step takes ${settings.batch} images, got ${n}`);
    const mini = n / settings.subdivisions;
    const lr = this.rate();
    let cost = 0;
    const heads: YoloLossStats[] = [];
    for (let s = 0; s < settings.subdivisions; s++) {
      const x = chwToNHWC(batch.images.subarray(s * mini * per, (s + 1) * mini * per), W, H, C);
      const truths = batch.boxes.slice(s * mini, (s + 1) * mini);
      const stats = new Map<number, BatchStats>();
      let hl: HeadLoss | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const raw = this.model.forward(x, { training: true, heads: 'raw', bnStats: stats });
        hl = computeHeadLoss(this.net, this.setup, raw, truths, this.seen + (s + 1) * mini);
        return surrogateLoss(raw, hl.deltas);
      }, this.trainable);
      value.dispose();
      x.dispose();
      if (this.opts.sparsity) {
        const k = this.opts.sparsity.s * mini;
        for (const { name, gamma } of this.sparseGammas) {
          const g = grads[name];
          if (!g) continue;
          grads[name] = tf.tidy(() => tf.add(g, tf.mul(tf.sign(gamma), k)));
          g.dispose();
        }
      }
      this.optimizer.accumulate(grads);
      for (const g of Object.values(grads)) g?.dispose();
      this.model.updateRollingStats(stats);
      hl!.heads.forEach((h, i) => {
        cost += h.cost;
        const acc = (heads[i] ??= { cost: 0, count: 0, avgIou: 0, recall50: 0, recall75: 0, parts: { box: 0, obj: 0, cls: 0 } });
        acc.cost += h.cost;
        acc.parts.box += h.parts.box;
        acc.parts.obj += h.parts.obj;
        acc.parts.cls += h.parts.cls;
        acc.avgIou += h.avgIou * h.count;
        acc.recall50 += h.recall50 * h.count;
        acc.recall75 += h.recall75 * h.count;
        acc.count += h.count;
      });
    }
    for (const h of heads)
      if (h.count) {
        h.avgIou /= h.count;
        h.recall50 /= h.count;
        h.recall75 /= h.count;
      }
    this.optimizer.step(lr, n);
    this.iteration++;
    this.seen += n;
    const norm = this.setup.configs.length * n;
    const parts: LossParts = { box: 0, obj: 0, cls: 0 };
    for (const h of heads) {
      parts.box += h.parts.box / norm;
      parts.obj += h.parts.obj / norm;
      parts.cls += h.parts.cls / norm;
    }
    return { iteration: this.iteration, loss: cost / norm, lr, heads, parts };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
