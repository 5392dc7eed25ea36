// What the [yolo], [Gaussian_yolo] and [region] loss tests share: a one-head network on a 2×2 grid,
// darknet's entry index on it, seeded raw outputs, central differences and the located-refusal check.
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import type { Layer, Network } from '../../core/src/cfg/network';
import { LossConfigError } from '../../core/src/train/head-loss-common';
import { boxMeasure, type Box, type IouKind } from '../../core/src/train/box-iou';
import { XorShift32 } from '../../core/src/weights/synth';

export const W = 2,
  H = 2,
  S = W * H;

/** darknet's entry index on the 2×2 grid with `per` entries per anchor: anchor slot a, entry e, row j, column i. */
export const entryAt = (per: number) => (a: number, e: number, j: number, i: number) => (a * per + e) * S + j * W + i;

/** A 64×64 net: one 1×1 stride-32 conv (`filters`) into the head section `head` (its text from the `[name]` line). */
export const oneHeadNet = (filters: number, head: string): Network =>
  analyseText(
    `[net]\nwidth=64\nheight=64\nchannels=3\n\n[convolutional]\nfilters=${filters}\nsize=1\nstride=32\nactivation=linear\n\n${head}`,
  );

/** A [yolo]-family head (`per` entries per anchor): anchor slots `mask` of `num` (16×16, 40×24, 24×40), two classes, nothing ignored. */
export const yoloFamilyHead = (section: string, per: number, extra: string, mask: string, num: number): Layer =>
  oneHeadNet(
    per * mask.split(',').length,
    `[${section}]\nmask=${mask}\nanchors=16,16, 40,24${num > 2 ? ', 24,40' : ''}\nclasses=2\nnum=${num}\nignore_thresh=1\n${extra}`,
  ).layers[1];

/** `length` raw values uniform in [−1.5, 1.5) from seed. */
export function rawValues(length: number, seed: number): Float32Array {
  const z = new Float32Array(length);
  new XorShift32(seed).fill(z, -1.5, 1.5);
  return z;
}

/** max over k of |−∂E/∂v_k − got[k]|, ∂E/∂v_k by central differences with step `step`. */
export function maxGradientError(E: (v: Float64Array) => number, v: Float64Array, step: number, got: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < v.length; k++) {
    const p = v.slice(),
      m = v.slice();
    p[k] += step;
    m[k] -= step;
    worst = Math.max(worst, Math.abs(-(E(p) - E(m)) / (2 * step) - got[k]));
  }
  return worst;
}

/** ∂ measure(p, t)/∂p[key] by central differences (step 1e-6). */
export function measurePartial(p: Box, t: Box, kind: IouKind, key: keyof Box): number {
  const h = 1e-6;
  return (boxMeasure({ ...p, [key]: p[key] + h }, t, kind) - boxMeasure({ ...p, [key]: p[key] - h }, t, kind)) / (2 * h);
}

/** `f` throws a LossConfigError whose message matches `what` (the located line). */
export const assertRefused = (f: () => unknown, what: RegExp) =>
  assert.throws(f, (e: Error) => e instanceof LossConfigError && what.test(e.message));
