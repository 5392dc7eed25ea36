// The detection loss of a whole network in TensorFlow.js: darknet's deltas of every [yolo] head
// (yolo-loss.ts) on the heads' activated outputs, fed back as the gradient of the head inputs.
// darknet back-propagates `delta` unchanged into the head's input (backward_yolo_layer), so the
// scalar −Σ stop_gradient(delta)·input has exactly darknet's gradient; its value is meaningless.
// The reported loss is darknet's: Σ over heads of ‖delta‖² (see darknetLoss).

import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../cfg/network';
import { activateHead } from '../nn/heads';
import { LossConfigError, yoloLoss, yoloLossConfig, type Truth, type YoloLossConfig, type YoloLossStats } from './yolo-loss';
import { isDecodedHead } from '../layers';

export interface HeadLossSetup {
  configs: YoloLossConfig[];
}

/** Loss settings of every head; throws LossConfigError for a head without a training loss. */
export function headLossSetup(net: Network): HeadLossSetup {
  const heads = net.layers.filter(isDecodedHead);
  if (heads.length === 0) throw new LossConfigError('no detection head ([yolo]) to train: darknet-pruner trains detectors only');
  return { configs: heads.map((l) => yoloLossConfig(l)) };
}

/** NHWC [n, h, w, c] data → darknet [n][c][h][w]. */
export function nhwcToDarknet(d: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++) {
    const o = b * h * w * c;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[o + (ch * h + y) * w + x] = d[o + (y * w + x) * c + ch];
  }
  return out;
}

/** darknet [n][c][h][w] → NHWC. */
export function darknetToNhwc(d: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(d.length);
  for (let b = 0; b < n; b++) {
    const o = b * h * w * c;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) out[o + (y * w + x) * c + ch] = d[o + (ch * h + y) * w + x];
  }
  return out;
}

export interface HeadLoss {
  /** Per head: darknet's l.cost (‖delta‖² over the batch) and assignment statistics. */
  heads: YoloLossStats[];
  /** Deltas in NHWC, per head layer index (kept; dispose with disposeDeltas). */
  deltas: Map<number, tf.Tensor4D>;
}

/** darknet's deltas for raw (pre-activation) head outputs, NHWC. */
export function computeHeadLoss(
  net: Network,
  setup: HeadLossSetup,
  raw: Map<number, tf.Tensor4D>,
  truths: readonly (readonly Truth[])[],
): HeadLoss {
  const heads: YoloLossStats[] = [];
  const deltas = new Map<number, tf.Tensor4D>();
  for (const cfg of setup.configs) {
    const t = raw.get(cfg.layer);
    if (!t) throw new Error(`head ${cfg.layer} missing from the forward pass`);
    const layer = net.layers[cfg.layer];
    const act = tf.tidy(() => activateHead(t, layer));
    const shape = act.shape;
    const out = nhwcToDarknet(act.dataSync() as Float32Array, shape);
    act.dispose();
    const r = yoloLoss(cfg, { w: shape[2], h: shape[1], netW: net.net.width, netH: net.net.height }, out, truths);
    heads.push({ cost: r.cost, count: r.count, avgIou: r.avgIou, recall50: r.recall50, recall75: r.recall75, parts: r.parts });
    deltas.set(cfg.layer, tf.tensor4d(darknetToNhwc(r.delta, shape), shape as [number, number, number, number]));
  }
  return { heads, deltas };
}

/** The scalar whose gradient with respect to each head input is −delta (use inside a gradient tape). */
export function surrogateLoss(raw: Map<number, tf.Tensor4D>, deltas: Map<number, tf.Tensor4D>): tf.Scalar {
  let s: tf.Scalar = tf.scalar(0);
  for (const [layer, d] of deltas) s = tf.sub(s, tf.sum(tf.mul(raw.get(layer)!, d))) as tf.Scalar;
  return s;
}

export function disposeDeltas(l: HeadLoss): void {
  for (const d of l.deltas.values()) d.dispose();
  l.deltas.clear();
}

/** Σ over heads of ‖delta‖² for one mini-batch. */
export const deltaCost = (l: Pick<HeadLoss, 'heads'>): number => l.heads.reduce((s, h) => s + h.cost, 0);
