// Layer pruning (docs/pruning.md §Layer pruning, generalised): a residual unit is the block of layers
// between a shortcut's `from` source j and the shortcut s. With the block's convs at γ = β = 0 the
// unit adds the constant f(β) of its last conv, so removing the unit turns the shortcut into the
// identity on x = output of j, and that constant is folded into the consumers downstream ('offset'
// mode). Candidates are verified structurally (not assumed to be [1×1, 3×3, shortcut]); score = mean
// |γ| of the conv right before the shortcut; the N lowest go. Every reference (route layers, shortcut
// from, sam/scale_channels from, share_index, embedding_layer…; absolute or relative) is rewritten.

import { analyseText } from '../cfg/analyse';
import type { Layer, Network } from '../cfg/network';
import { isChannelSource, isResidualAdd } from '../layers';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { isLinear } from './activation';
import { checkCompact, type PrunedModel } from './channel';
import { applyCompensation, propagateConstants } from './compensate';
import { applyEdits, offsetOf, type TextEdit } from './compact';
import { PruneError } from './plan';

export interface ResidualUnit {
  shortcut: number;
  /** The shortcut's identity input j. */
  from: number;
  /** The conv right before the shortcut (scored). */
  conv: number;
  /** Layers removed with the unit: j+1 … s. */
  layers: number[];
  /** Mean |γ| of `conv`; undefined when no weights were given. */
  score?: number;
}

export interface UnitCandidates {
  units: ResidualUnit[];
  /** Shortcuts that are not removable units, with the reason. */
  rejected: { shortcut: number; reason: string }[];
}

export function residualUnits(net: Network, weights?: DarknetWeights): UnitCandidates {
  const units: ResidualUnit[] = [];
  const rejected: UnitCandidates['rejected'] = [];
  // who reads each layer (through any reference key, not only data sources)
  const readers: number[][] = net.layers.map(() => []);
  for (const l of net.layers) {
    for (const s of l.sources) readers[s].push(l.index);
    for (const r of l.refs) if (r.valid && !l.sources.includes(r.target)) readers[r.target].push(l.index);
  }
  for (const s of net.layers) {
    if (!isResidualAdd(s)) continue;
    const reject = (reason: string) => rejected.push({ shortcut: s.index, reason });
    const froms = s.refs.filter((r) => r.key === 'from');
    if (froms.length !== 1) {
      reject(`${froms.length} from layers (a unit has one)`);
      continue;
    }
    if (s.attrs.weightsType !== 'none') {
      reject('weighted shortcut');
      continue;
    }
    if (!isLinear(s.attrs.activation)) {
      reject(`activation ${s.attrs.activation} (removing the unit would not leave the identity)`);
      continue;
    }
    const j = froms[0].target;
    if (j >= s.index - 1) {
      reject('no layers between the from layer and the shortcut');
      continue;
    }
    const block = new Set<number>();
    for (let k = j + 1; k < s.index; k++) block.add(k);
    const last = net.layers[s.index - 1];
    if (!isChannelSource(last) || !last.attrs.batchNormalize) {
      reject(
        `layer ${last.index} before it is ${isChannelSource(last) ? 'a conv without' : `[${last.type}], not a conv with`} batch_normalize (its γ scores the unit)`,
      );
      continue;
    }
    const src = net.layers[j],
      out = s.output!,
      xs = src.output!;
    if (xs[0] !== out[0] || xs[1] !== out[1] || xs[2] !== out[2]) {
      reject(`from layer ${j} is ${xs.join('×')}, the shortcut ${out.join('×')}`);
      continue;
    }
    let why: string | undefined;
    for (const k of block) {
      const l: Layer = net.layers[k];
      const badSrc = [...l.sources, ...l.refs.map((r) => r.target)].find((t) => t !== j && !block.has(t));
      if (badSrc !== undefined) {
        why = `layer ${k} inside the unit reads layer ${badSrc} outside it`;
        break;
      }
      const outside = readers[k].find((r) => !block.has(r) && r !== s.index);
      if (outside !== undefined) {
        why = `layer ${k} inside the unit is read by layer ${outside} outside it`;
        break;
      }
      if (k === s.index - 1 ? readers[k].some((r) => r !== s.index) : readers[k].includes(s.index)) {
        why = `the shortcut does not read only layer ${s.index - 1} of the unit`;
        break;
      }
    }
    if (why) {
      reject(why);
      continue;
    }
    let score: number | undefined;
    const g = weights?.layers[last.index]?.blocks.scales;
    if (g) {
      let sum = 0;
      for (const [c, v] of g.entries()) {
        if (!Number.isFinite(v))
          throw new PruneError(`layer ${last.index} (convolutional, line ${last.section.line + 1}): γ of channel ${c} is ${v}`);
        sum += Math.abs(v);
      }
      score = Math.fround(sum / g.length);
    }
    units.push({ shortcut: s.index, from: j, conv: last.index, layers: [...block, s.index], score });
  }
  return { units, rejected };
}

/** The N lowest-scoring units (stable: equal scores keep index order). */
export function selectUnits(units: ResidualUnit[], n: number): ResidualUnit[] {
  if (!Number.isInteger(n) || n < 0) throw new PruneError(`--shortcuts must be a non-negative integer, got ${n}`);
  if (n > units.length) throw new PruneError(`--shortcuts ${n} is larger than the ${units.length} removable residual unit(s)`);
  return [...units].sort((a, b) => a.score! - b.score! || a.shortcut - b.shortcut).slice(0, n);
}

export interface LayerPruneResult extends PrunedModel {
  candidates: UnitCandidates;
  removedUnits: ResidualUnit[];
  /** Original indices removed, ascending. */
  removed: number[];
  /** pruned index → original index. */
  prunedToOriginal: number[];
  /** Reference rewrites, for the report. */
  remapped: { layer: number; key: string; from: string; to: string }[];
}

/** Text edits removing `removed` and rewriting the references of every surviving layer. */
export function removalEdits(
  net: Network,
  removed: Set<number>,
  alias: (t: number) => number,
): { edits: TextEdit[]; remapped: LayerPruneResult['remapped'] } {
  const below = new Int32Array(net.layers.length + 1);
  for (let k = 0; k < net.layers.length; k++) below[k + 1] = below[k] + (removed.has(k) ? 1 : 0);
  const newIndex = (k: number) => k - below[k];
  const edits: TextEdit[] = [];
  const remapped: LayerPruneResult['remapped'] = [];
  const text = net.doc.text;
  for (const l of net.layers) {
    if (removed.has(l.index)) {
      // the section from its header to its last line, plus the line break(s) after it
      let start = offsetOf(net.doc, l.section.headerRange.start);
      while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
      let end = offsetOf(net.doc, l.section.range.end);
      while (end < text.length && (text[end] === '\r' || text[end] === '\n')) end++;
      edits.push({ start, end, text: '' });
      continue;
    }
    for (const r of l.refs) {
      if (!r.valid) continue;
      const t = alias(r.target);
      if (removed.has(t)) throw new PruneError(`internal: layer ${l.index} refers to removed layer ${r.target}`);
      const value = r.raw < 0 ? newIndex(t) - newIndex(l.index) : newIndex(t);
      if (value !== r.raw) {
        edits.push({ start: offsetOf(net.doc, r.range.start), end: offsetOf(net.doc, r.range.end), text: String(value) });
        remapped.push({ layer: l.index, key: r.key, from: String(r.raw), to: String(value) });
      }
    }
  }
  return { edits, remapped };
}

/** Why `n` units cannot be removed: every shortcut that is not a unit, with its reason. */
function tooFewUnits(net: Network, c: UnitCandidates, n: number): string {
  const head = `--shortcuts ${n} is larger than the ${c.units.length} removable residual unit(s)`;
  if (c.rejected.length === 0) return `${head}: the cfg has ${c.units.length ? 'no other' : 'no'} [shortcut] layer`;
  const why = c.rejected.map((r) => `[shortcut] ${r.shortcut} (line ${net.layers[r.shortcut].section.line + 1}): ${r.reason}`);
  return `${head}; ${c.rejected.length} [shortcut](s) are not removable: ${why.join('; ')}`;
}

export function pruneLayers(net: Network, weights: DarknetWeights, shortcuts: number): LayerPruneResult {
  const candidates = residualUnits(net, weights);
  if (shortcuts > candidates.units.length) throw new PruneError(tooFewUnits(net, candidates, shortcuts));
  return removeUnits(net, weights, selectUnits(candidates.units, shortcuts), candidates);
}

/** Remove the given units (from `residualUnits`), compensating and remapping. */
export function removeUnits(net: Network, weights: DarknetWeights, chosen: ResidualUnit[], candidates: UnitCandidates): LayerPruneResult {
  const removed = new Set(chosen.flatMap((u) => u.layers));
  const aliasOf = new Map(chosen.map((u) => [u.shortcut, u.from]));
  const alias = (t: number): number => {
    while (aliasOf.has(t)) t = aliasOf.get(t)!;
    return t;
  };

  const zero: (Uint8Array | undefined)[] = net.layers.map(() => undefined);
  for (const u of chosen)
    for (const k of u.layers) if (isChannelSource(net.layers[k])) zero[k] = new Uint8Array(net.layers[k].attrs.filters!).fill(1);
  const constants = propagateConstants(net, weights, zero, 'offset');
  const compensated = applyCompensation(net, weights, constants, removed);
  const { edits, remapped } = removalEdits(net, removed, alias);
  const cfgText = applyEdits(net.doc.text, edits);
  const compactNet = analyseText(cfgText);
  const prunedToOriginal = net.layers.filter((l) => !removed.has(l.index)).map((l) => l.index);
  const layers: (LayerWeights | undefined)[] = [];
  let total = 0;
  prunedToOriginal.forEach((orig, k) => {
    const lw = compensated.layers[orig];
    if (!lw) {
      layers.push(undefined);
      return;
    }
    layers.push({ layer: k, blocks: lw.blocks });
    for (const b of Object.values(lw.blocks)) total += b!.length;
  });
  const model = { cfgText, net: compactNet, weights: { header: weights.header, layers, totalFloats: total }, warnings: constants.warnings };
  checkCompact(model, 'layer-pruned');
  return { ...model, candidates, removedUnits: chosen, removed: [...removed].sort((a, b) => a - b), prunedToOriginal, remapped };
}
