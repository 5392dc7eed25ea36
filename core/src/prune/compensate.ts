// Keep-size compensation (docs/pruning.md §Compensation, generalised). A channel whose γ is zeroed emits the
// constant f(β) for its own activation f. Removing it removes Σ W·f(β) from every pixel of each
// consumer conv's pre-BN sum, so that amount is subtracted from the consumer's BN rolling_mean (or
// added to its bias when it has no BN). The constants flow through the graph first: shortcut sums,
// route concatenations and slices, upsample (×scale), maxpool/avgpool of a constant, dropout, reorg3d.
// Exact for 1×1 consumers and interior pixels of larger kernels (zero padding does not carry it).
//
// Two semantics of the per-channel value A:
//  - 'channel': the channel is entirely constant (channel pruning), so a non-linear elementwise
//    layer (shortcut or [activation] with an activation) maps it to f(A);
//  - 'offset': A is added to a live channel (layer pruning: a removed residual branch leaves x + A
//    behind), which only linear layers carry exactly; anything else is reported and dropped.

import type { Layer, Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
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
export function propagateConstants(net: Network, weights: DarknetWeights, removedConvs: (Uint8Array | undefined)[], mode: ConstantMode, keep?: Uint8Array[]): Constants {
  const values: (Float64Array | undefined)[] = [];
  const warnings: string[] = [];
  const lost = (l: Layer, why: string) => warnings.push(`layer ${l.index} (${l.type}, line ${l.section.line + 1}): ${why}; the constant of removed channels is not compensated past it`);
  for (const l of net.layers) {
    const i = l.index, c = l.output?.[2] ?? 0, a = l.attrs;
    const prev = i > 0 ? values[i - 1] : undefined;
    let out: Float64Array | undefined;
    switch (l.type) {
      case 'convolutional': {
        const rm = removedConvs[i];
        if (rm && rm.some((v) => v)) {
          const beta = weights.layers[i]!.blocks.biases!;
          const f = activationFn(a.activation);
          out = new Float64Array(c);
          for (let k = 0; k < c; k++) if (rm[k]) out[k] = Math.fround(f(beta[k]));
        }
        break;
      }
      case 'shortcut': {
        const ins = [prev, ...l.refs.filter((r) => r.key === 'from').map((r) => values[r.target])];
        if (!ins.some(any)) break;
        if (a.weightsType !== 'none') { lost(l, 'weighted shortcut'); break; }
        out = new Float64Array(c);
        for (const v of ins) if (v) for (let k = 0; k < Math.min(c, v.length); k++) out[k] += v[k];
        if (!isLinear(a.activation)) {
          if (mode === 'offset') { lost(l, `activation ${a.activation} is not linear`); out = undefined; break; }
          const f = activationFn(a.activation);
          for (let k = 0; k < c; k++) if (!keep![i][k]) out[k] = f(out[k]);
        }
        break;
      }
      case 'route': {
        const g = a.groups ?? 1, gid = a.groupId ?? 0;
        if (!l.refs.some((r) => any(values[r.target]))) break;
        out = new Float64Array(c);
        let pos = 0;
        for (const r of l.refs) {
          const n = net.layers[r.target].output![2], part = Math.trunc(n / g), v = values[r.target];
          if (v) out.set(v.subarray(gid * part, (gid + 1) * part), pos);
          pos += part;
        }
        break;
      }
      case 'upsample':
        if (any(prev)) {
          const s = Math.abs(a.stride!), factor = a.scale! * (a.stride! < 0 ? s * s : 1);
          out = prev.map((v) => v * factor);
        }
        break;
      case 'maxpool':
      case 'local_avgpool':
      case 'avgpool':
      case 'dropout':
      case 'empty':
        if (any(prev)) {
          if (a.maxpoolDepth) lost(l, 'maxpool_depth mixes channels');
          else out = prev.slice();
        }
        break;
      case 'activation':
        if (any(prev)) {
          if (isLinear(a.activation)) out = prev.slice();
          else if (mode === 'offset') lost(l, `activation ${a.activation} is not linear`);
          else { const f = activationFn(a.activation); out = prev.map((v, k) => (keep![i][k] ? 0 : f(v))); }
        }
        break;
      case 'reorg3d':
        if (any(prev) && !a.reverse) out = Float64Array.from({ length: c }, (_, k) => prev[k % prev.length]);
        else if (any(prev)) lost(l, 'reverse reorg');
        break;
      default: {
        const srcs = [...l.sources, ...l.refs.map((r) => r.target)];
        if (srcs.some((s) => any(values[s]))) lost(l, 'this layer type cannot absorb a constant input');
      }
    }
    values.push(out);
  }
  const last = values[values.length - 1];
  if (any(last) && net.layers[values.length - 1].type !== 'convolutional') lost(net.layers[values.length - 1], 'network output');
  return { values, warnings };
}

/**
 * Fold each conv's constant input into its rolling_mean (BN) or bias, on copies of those blocks.
 * Returns the weights with the copies in place (other blocks still share the source buffers).
 */
export function applyCompensation(net: Network, weights: DarknetWeights, constants: Constants, skip?: Set<number>, keep?: Uint8Array[]): DarknetWeights {
  const layers = weights.layers.map((lw) => (lw ? { layer: lw.layer, blocks: { ...lw.blocks } } : undefined));
  for (const l of net.layers) {
    if (l.type !== 'convolutional' || l.index === 0 || skip?.has(l.index)) continue;
    const A = constants.values[l.index - 1];
    if (!any(A)) continue;
    const lw = layers[l.index];
    if (!lw) { constants.warnings.push(`layer ${l.index} (convolutional, line ${l.section.line + 1}): no weights of its own (share_index or dontload); constant input not compensated`); continue; }
    if (l.attrs.flipped) { constants.warnings.push(`layer ${l.index} (convolutional, line ${l.section.line + 1}): flipped weights; constant input not compensated`); continue; }
    const a = l.attrs, W = lw.blocks.weights!, n = a.filters!, cin = l.input![2], G = a.groups!, cg = Math.trunc(cin / G), ng = Math.trunc(n / G), kk = a.size! * a.size!;
    // output channels the compact model drops need no offset (their value is f(β) either way)
    const offset = constantOffsets(W, A, n, cg, ng, G, kk, keep?.[l.index]);
    const bn = a.batchNormalize && lw.blocks.rolling_mean;
    const target = (bn ? lw.blocks.rolling_mean! : lw.blocks.biases!).slice();
    for (let o = 0; o < n; o++) target[o] = bn ? target[o] - offset[o] : target[o] + offset[o];
    if (bn) lw.blocks.rolling_mean = target; else lw.blocks.biases = target;
  }
  return { header: weights.header, layers, totalFloats: weights.totalFloats };
}

/** offset[o] = Σ_ci (Σ_k W[o][ci][k]) · A[group(o)·cg + ci], visiting only channels with A ≠ 0. */
function constantOffsets(W: Float32Array, A: Float64Array, n: number, cg: number, ng: number, G: number, kk: number, outKeep?: Uint8Array): Float64Array {
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
    const idx = live[g], aBase = g * cg, oBase = o * cg;
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
