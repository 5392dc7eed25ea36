// Keep-size compensation (docs/pruning.md §Compensation, generalised). A channel whose γ is zeroed emits the
// constant f(β) for its own activation f. Removing it removes Σ W·f(β) from every pixel of each
// consumer conv's pre-BN sum, so that amount is subtracted from the consumer's BN rolling_mean (or
// added to its bias when it has no BN). The constants flow through the graph first, as each layer
// record's `prune.constants` says (core/src/layers): shortcut sums, route concatenations and slices,
// upsample (×scale), maxpool/avgpool of a constant, dropout, reorg3d.
// Exact for 1×1 consumers and interior pixels of larger kernels (zero padding does not carry it).
//
// Two semantics of the per-channel value A:
//  - 'channel': the channel is entirely constant (channel pruning), so a non-linear elementwise
//    layer (shortcut or [activation] with an activation) maps it to f(A);
//  - 'offset': A is added to a live channel (layer pruning: a removed residual branch leaves x + A
//    behind), which only linear layers carry exactly; anything else is reported and dropped.

import type { Layer, Network } from '../cfg/network';
import { isChannelSource, specOf } from '../layers';
import { OPAQUE } from '../layers/common';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { activationFn, isLinear } from './activation';

export type ConstantMode = 'channel' | 'offset';

export interface Constants {
  /** Per layer output: the constant each channel carries where a removed channel was (undefined: none). */
  values: (Float64Array | undefined)[];
  warnings: string[];
}

const any = (a: Float64Array | undefined): a is Float64Array => a !== undefined && a.some((v) => v !== 0);

/**
 * @param removedConvs per conv: 1 marks a channel whose γ is zero (channel pruning: not kept;
 *   layer pruning: every channel of the removed unit's convs)
 * @param keep per layer output channel keep mask ('channel' mode: where f applies)
 */
export function propagateConstants(
  net: Network,
  weights: DarknetWeights,
  removedConvs: (Uint8Array | undefined)[],
  mode: ConstantMode,
  keep?: Uint8Array[],
): Constants {
  const values: (Float64Array | undefined)[] = [];
  const warnings: string[] = [];
  const lost = (l: Layer, why: string) =>
    warnings.push(
      `layer ${l.index} (${l.type}, line ${l.section.line + 1}): ${why}; the constant of removed channels is not compensated past it`,
    );
  for (const l of net.layers) {
    const i = l.index,
      c = l.output?.[2] ?? 0;
    const prev = i > 0 ? values[i - 1] : undefined;
    const flow = specOf(l)?.prune ?? OPAQUE;
    let out: Float64Array | undefined;
    if (flow.constants) {
      out = flow.constants({
        net,
        layer: l,
        c,
        mode,
        prev,
        values,
        keep,
        removed: removedConvs[i],
        weights,
        any,
        lost: (why) => lost(l, why),
        activationFn,
        isLinear,
      });
    } else if (flow.channels === 'pass') {
      if (any(prev)) out = prev.slice();
    } else {
      const srcs = [...l.sources, ...l.refs.map((r) => r.target)];
      if (srcs.some((s) => any(values[s]))) lost(l, 'this layer type cannot absorb a constant input');
    }
    values.push(out);
  }
  const last = values[values.length - 1];
  if (any(last) && !isChannelSource(net.layers[values.length - 1])) lost(net.layers[values.length - 1], 'network output');
  return { values, warnings };
}

/**
 * Fold each conv's constant input into its rolling_mean (BN) or bias, on copies of those blocks.
 * Returns the weights with the copies in place (other blocks still share the source buffers).
 */
export function applyCompensation(
  net: Network,
  weights: DarknetWeights,
  constants: Constants,
  skip?: Set<number>,
  keep?: Uint8Array[],
): DarknetWeights {
  const layers = weights.layers.map((lw) => (lw ? { layer: lw.layer, blocks: { ...lw.blocks } } : undefined));
  for (const l of net.layers) {
    if (!isChannelSource(l) || l.index === 0 || skip?.has(l.index)) continue;
    const A = constants.values[l.index - 1];
    if (!any(A)) continue;
    const lw = layers[l.index];
    if (!lw) {
      constants.warnings.push(
        `layer ${l.index} (convolutional, line ${l.section.line + 1}): no weights of its own (share_index or dontload); constant input not compensated`,
      );
      continue;
    }
    if (l.attrs.flipped) {
      constants.warnings.push(
        `layer ${l.index} (convolutional, line ${l.section.line + 1}): flipped weights; constant input not compensated`,
      );
      continue;
    }
    foldOffsets(lw.blocks, l, A, keep?.[l.index]);
  }
  return { header: weights.header, layers, totalFloats: weights.totalFloats };
}

/** Folds the constant input's contribution into the layer's rolling mean (BN) or bias. Its own
 * function so that V8 deoptimising its rarely taken bias branch does not drop the caller's loop
 * (and the inlined offsets loop) back to the interpreter for the layers after it. */
function foldOffsets(blocks: LayerWeights['blocks'], l: Layer, A: Float64Array, outKeep?: Uint8Array): void {
  const a = l.attrs,
    n = a.filters!,
    G = a.groups!,
    cg = Math.trunc(l.input![2] / G);
  // output channels the compact model drops need no offset (their value is f(β) either way)
  const offset = constantOffsets(blocks.weights!, A, n, cg, Math.trunc(n / G), G, a.size! * a.size!, outKeep);
  if (a.batchNormalize && blocks.rolling_mean) blocks.rolling_mean = blocks.rolling_mean.map((v, o) => v - offset[o]);
  else blocks.biases = blocks.biases!.map((v, o) => v + offset[o]);
}

/** offset[o] = Σ_ci (Σ_k W[o][ci][k]) · A[group(o)·cg + ci], visiting only channels with A ≠ 0. */
function constantOffsets(
  W: Float32Array,
  A: Float64Array,
  n: number,
  cg: number,
  ng: number,
  G: number,
  kk: number,
  outKeep?: Uint8Array,
): Float64Array {
  const offset = new Float64Array(n);
  const live: number[][] = [];
  for (let g = 0; g < G; g++) {
    const idx: number[] = [];
    for (let ci = 0; ci < cg; ci++) if (A[g * cg + ci] !== 0) idx.push(ci);
    live.push(idx);
  }
  for (let o = 0; o < n; o++) {
    if (outKeep && !outKeep[o]) continue;
    const g = Math.min(Math.trunc(o / Math.max(ng, 1)), G - 1);
    const idx = live[g],
      aBase = g * cg,
      oBase = o * cg;
    let acc = 0;
    for (let j = 0; j < idx.length; j++) {
      const ci = idx[j];
      const base = (oBase + ci) * kk;
      let wsum = 0;
      for (let t = 0; t < kk; t++) wsum += W[base + t];
      acc += wsum * A[aBase + ci];
    }
    offset[o] = acc;
  }
  return offset;
}
