// BN-γ statistics over a set of conv layers (docs/pruning.md §Threshold, §Masks): per-layer |γ|
// summaries on shared histogram bins, the global ascending |γ| of the set (float32, in layer order,
// as gather_bn_weights + torch.sort), the slim threshold for a global percent and the layers that
// threshold would empty (strict `>`, as slim_prune) or push under a layer_keep floor.
// Only the γ views of the weights are touched: no copy of the payload.

import type { Network } from '../cfg/network';
import { isChannelSource } from '../layers';
import type { DarknetWeights } from '../weights/read';
import { describeLayer } from '../weights/format';
import { countBelow, thresholdIndex as planThresholdIndex } from './threshold';
import { UserError } from '../errors';

export class GammaError extends UserError {
  /** `weights`: the data is bad (e.g. a NaN γ); `options`: the request is (layer set, percent, bins), a usage error (exit 2). */
  constructor(
    message: string,
    readonly origin: 'options' | 'weights' = 'options',
  ) {
    super(message, origin === 'weights' ? 1 : 2);
  }
}

export interface GammaOptions {
  /** Layer indices of the set (default: every conv with batch_normalize, see `bnLayers`). */
  layers?: readonly number[];
  /** Number of shared linear bins over [0, max |γ|] (default 50). */
  bins?: number;
  /** Global percent as a fraction in [0, 1): thr = sorted[trunc(N·p)]. */
  percent?: number;
  /** slim_prune's layer_keep in [0, 1]: each layer keeps at least max(1, trunc(C·layer_keep)). */
  layerKeep?: number;
}

export interface LayerGamma {
  index: number;
  channels: number;
  min: number;
  max: number;
  mean: number;
  /** Counts of this layer's |γ| on the shared bins. */
  counts: number[];
  /** With a percent: channels with |γ| > thr (what slim keeps before the layer_keep floor). */
  kept?: number;
  /** With a percent: fraction of channels at or under the threshold (|γ| ≤ thr, i.e. pruned by slim's strict >). */
  fractionBelowThreshold?: number;
}

export interface GammaStats {
  layers: LayerGamma[];
  /** Shared bin edges (bins + 1 values, linear from 0 to the set's max |γ|). */
  edges: number[];
  /** Counts of the whole set on the shared bins. */
  counts: number[];
  /** Global ascending |γ| of the set (float32). */
  sorted: Float32Array;
  /** min over layers of max |γ| (prune.py's "highest_thre"; printed by the reference tools, never enforced). */
  highestThreshold: number;
  /** Smallest percent at which some layer is emptied under strict `>` (k/N with k the first index whose value ≥ highestThreshold). */
  emptyingPercent: number;
  percent?: number;
  threshold?: number;
  /** Index k = trunc(N·p) of the threshold in `sorted`. */
  thresholdIndex?: number;
  /** Layers with no |γ| > thr. */
  emptied: number[];
  /** With layerKeep: layers whose kept count is under max(1, trunc(C·layer_keep)) (emptied layers included). */
  floored: number[];
}

/** Every conv with batch_normalize (the CBL list of docs/pruning.md §Populations). */
export function bnLayers(net: Network): number[] {
  return net.layers.filter((l) => isChannelSource(l) && l.attrs.batchNormalize && !l.attrs.dontloadscales).map((l) => l.index);
}

/** slim's threshold: sorted[trunc(N·p)] with the double product truncated as Python int() does. */
export function thresholdIndex(n: number, p: number): number {
  if (!(p >= 0 && p < 1)) throw new GammaError(`percent must be a fraction in [0, 1), got ${p}`);
  if (n === 0) throw new GammaError('the γ set is empty: no threshold');
  return planThresholdIndex(n, p);
}

export function thresholdFor(sorted: Float32Array, p: number): number {
  return sorted[thresholdIndex(sorted.length, p)];
}

/** The γ (scales) view of a layer of the set, checked. */
function scalesOf(net: Network, weights: DarknetWeights, index: number): Float32Array {
  const layer = net.layers[index];
  if (!layer) throw new GammaError(`layer ${index} does not exist (the cfg has ${net.layers.length} layers)`);
  const g = weights.layers[index]?.blocks.scales;
  if (!isChannelSource(layer) || !g) throw new GammaError(`${describeLayer(layer)} has no batch-norm γ`);
  return g;
}

/** Bin of v on linear edges 0..hi (last bin closed), corrected against the edge values themselves. */
function binOf(v: number, edges: number[], scale: number): number {
  const n = edges.length - 1;
  let b = Math.min(n - 1, Math.floor(v * scale));
  while (b > 0 && v < edges[b]) b--;
  while (b < n - 1 && v >= edges[b + 1]) b++;
  return b;
}

export function gammaStats(net: Network, weights: DarknetWeights, opts: GammaOptions = {}): GammaStats {
  const indices = opts.layers ? [...opts.layers] : bnLayers(net);
  const nbins = opts.bins ?? 50;
  if (!Number.isInteger(nbins) || nbins < 1) throw new GammaError(`bins must be a positive integer, got ${nbins}`);
  if (opts.layerKeep !== undefined && !(opts.layerKeep >= 0 && opts.layerKeep <= 1))
    throw new GammaError(`layer_keep must be in [0, 1], got ${opts.layerKeep}`);
  if (new Set(indices).size !== indices.length) throw new GammaError('the layer set lists a layer twice');

  // Pass 1: gather |γ| (float32, layer order) and per-layer min/max/mean.
  const views = indices.map((i) => scalesOf(net, weights, i));
  const n = views.reduce((s, g) => s + g.length, 0);
  if (n === 0) throw new GammaError('the γ set is empty (no conv with batch_normalize selected)');
  const all = new Float32Array(n);
  const layers: LayerGamma[] = [];
  let pos = 0,
    globalMax = 0;
  views.forEach((g, k) => {
    let min = Infinity,
      max = -Infinity,
      sum = 0;
    for (let c = 0; c < g.length; c++) {
      const v = Math.abs(g[c]);
      if (!Number.isFinite(v)) throw new GammaError(`${describeLayer(net.layers[indices[k]])}: γ[${c}] is ${g[c]}`, 'weights');
      all[pos + c] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    pos += g.length;
    if (max > globalMax) globalMax = max;
    layers.push({ index: indices[k], channels: g.length, min, max, mean: sum / g.length, counts: [] });
  });

  // Shared linear bins over [0, max]; a set of zeros still gets a non-empty range.
  const hi = globalMax > 0 ? globalMax : 1;
  const edges = Array.from({ length: nbins + 1 }, (_, i) => (i === nbins ? hi : (hi * i) / nbins));
  const scale = nbins / hi;
  const counts = new Array<number>(nbins).fill(0);
  pos = 0;
  for (const lg of layers) {
    const lc = new Array<number>(nbins).fill(0);
    for (let c = 0; c < lg.channels; c++) lc[binOf(all[pos + c], edges, scale)]++;
    for (let b = 0; b < nbins; b++) counts[b] += lc[b];
    lg.counts = lc;
    pos += lg.channels;
  }

  const sorted = all.sort();
  const highestThreshold = layers.reduce((m, l) => Math.min(m, l.max), Infinity);
  const stats: GammaStats = {
    layers,
    edges,
    counts,
    sorted,
    highestThreshold,
    emptyingPercent: countBelow(sorted, highestThreshold) / n,
    emptied: [],
    floored: [],
  };
  if (opts.percent === undefined) return stats;

  const k = thresholdIndex(n, opts.percent);
  const thr = sorted[k];
  Object.assign(stats, { percent: opts.percent, threshold: thr, thresholdIndex: k });
  views.forEach((g, j) => {
    let kept = 0;
    for (let c = 0; c < g.length; c++) if (Math.abs(g[c]) > thr) kept++;
    const lg = layers[j];
    lg.kept = kept;
    lg.fractionBelowThreshold = (g.length - kept) / g.length;
    if (kept === 0) stats.emptied.push(lg.index);
    if (opts.layerKeep !== undefined && kept < Math.max(1, Math.trunc(g.length * opts.layerKeep))) stats.floored.push(lg.index);
  });
  return stats;
}
