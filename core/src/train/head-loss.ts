// The detection loss of a whole network in TensorFlow.js: darknet's deltas of every head — the
// loss its record names (HeadSpec.loss: [yolo] yolo-loss.ts, [region] region-loss.ts,
// [Gaussian_yolo] gaussian-yolo-loss.ts) — fed back as the gradient of the head inputs. darknet
// back-propagates `delta` into the head's input (backward_yolo_layer copies it; the region layer
// scales some entries by σ′ first, region-loss.ts), so the scalar −Σ stop_gradient(grad)·input has
// exactly darknet's gradient; its value is meaningless. The reported loss is darknet's: Σ over heads
// of ‖delta‖² (see deltaCost).

import * as tf from '@tensorflow/tfjs-core';
import type { Layer, Network } from '../cfg/network';
import { activateHead } from '../nn/heads';
import { LossConfigError, yoloLoss, yoloLossConfig, type HeadGeometry, type Truth, type YoloLossStats } from './yolo-loss';
import { regionLoss, regionLossConfig } from './region-loss';
import { gaussianYoloLoss, gaussianYoloLossConfig } from './gaussian-yolo-loss';
import { headOf, isDecodedHead } from '../layers';
import type { HeadSpec } from '../layers/spec';

/** One head's loss, its settings read: what it computes from the head's output in darknet's layout. */
export interface HeadLossPlan {
  layer: number;
  /** The loss reads the head's activated output (darknet's l.output); otherwise its raw input. */
  activated: boolean;
  /** darknet's cost and statistics, and −∂loss/∂(head input) in darknet's layout. */
  compute(
    geo: HeadGeometry,
    out: Float32Array,
    truths: readonly (readonly Truth[])[],
    seen: number,
  ): { stats: YoloLossStats; grad: Float32Array };
}

export interface HeadLossSetup {
  configs: HeadLossPlan[];
}

type LossRun = (...args: Parameters<HeadLossPlan['compute']>) => YoloLossStats & { delta: Float32Array; grad?: Float32Array };

/** A plan from a loss function; its `grad` where it has one ([region]), else its delta fed back unchanged. */
function plan(l: Layer, activated: boolean, run: LossRun): HeadLossPlan {
  return {
    layer: l.index,
    activated,
    compute(geo, out, truths, seen) {
      const { delta, grad, ...stats } = run(geo, out, truths, seen);
      return { stats, grad: grad ?? delta };
    },
  };
}

/** The losses core/src/train implements, by the name a layer record gives in HeadSpec.loss. */
const LOSSES: Record<NonNullable<HeadSpec['loss']>, (l: Layer) => HeadLossPlan> = {
  yolo(l) {
    const cfg = yoloLossConfig(l);
    return plan(l, true, (geo, out, truths) => yoloLoss(cfg, geo, out, truths));
  },
  region(l) {
    const cfg = regionLossConfig(l);
    return plan(l, false, (geo, out, truths, seen) => regionLoss(cfg, geo, out, truths, seen));
  },
  gaussian_yolo(l) {
    const cfg = gaussianYoloLossConfig(l);
    return plan(l, true, (geo, out, truths) => gaussianYoloLoss(cfg, geo, out, truths));
  },
};

/** Loss settings of every head; throws LossConfigError for a head without a training loss. */
export function headLossSetup(net: Network): HeadLossSetup {
  const heads = net.layers.filter(isDecodedHead);
  if (heads.length === 0)
    throw new LossConfigError('no detection head ([yolo], [region], [Gaussian_yolo]) to train: darknet-pruner trains detectors only');
  return {
    configs: heads.map((l) => {
      const kind = headOf(l)?.loss;
      if (!kind)
        throw new LossConfigError(`layer ${l.index} [${l.section.name}] (line ${l.section.line + 1}): this head has no training loss here`);
      return LOSSES[kind](l);
    }),
  };
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
  /** −∂loss/∂(head input) in NHWC, per head layer index (kept; dispose with disposeDeltas). */
  deltas: Map<number, tf.Tensor4D>;
}

/**
 * darknet's deltas for raw (pre-activation) head outputs, NHWC. `seen`: the images darknet has
 * counted when this mini-batch runs (net.seen, incremented before the forward; the [region] loss
 * reads it).
 */
export function computeHeadLoss(
  net: Network,
  setup: HeadLossSetup,
  raw: Map<number, tf.Tensor4D>,
  truths: readonly (readonly Truth[])[],
  seen = 0,
): HeadLoss {
  const heads: YoloLossStats[] = [];
  const deltas = new Map<number, tf.Tensor4D>();
  for (const cfg of setup.configs) {
    const t = raw.get(cfg.layer);
    if (!t) throw new Error(`head ${cfg.layer} missing from the forward pass`);
    const layer = net.layers[cfg.layer];
    const act = cfg.activated ? tf.tidy(() => activateHead(t, layer)) : t;
    const shape = act.shape;
    const out = nhwcToDarknet(act.dataSync() as Float32Array, shape);
    if (act !== t) act.dispose();
    const r = cfg.compute({ w: shape[2], h: shape[1], netW: net.net.width, netH: net.net.height }, out, truths, seen);
    heads.push(r.stats);
    deltas.set(cfg.layer, tf.tensor4d(darknetToNhwc(r.grad, shape), shape as [number, number, number, number]));
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
