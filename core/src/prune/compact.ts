// The compact model: new cfg text made by editing the original text (only `filters=` values change
// for channel pruning; sections are deleted and references rewritten for layer pruning), so
// comments, formatting and anchors stay exactly as written; and weights sliced [out][in].

import { spliceText, type OffsetEdit } from '../cfg/edits';
import { findOption, type CfgDocument, type Range } from '../cfg/parse';
import type { Network } from '../cfg/network';
import { isChannelSource } from '../layers';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { PruneError } from './plan';

export type TextEdit = OffsetEdit;

export const offsetOf = (doc: CfgDocument, p: Range['start']): number => doc.lineOffsets[p.line] + p.character;

export function applyEdits(text: string, edits: TextEdit[]): string {
  return spliceText(text, edits, () => new PruneError('internal: overlapping cfg edits'));
}

/** Edits setting `filters=` of each conv whose kept count differs from its filters. */
export function filtersEdits(net: Network, kept: number[]): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const l of net.layers) {
    if (!isChannelSource(l) || kept[l.index] === l.attrs.filters) continue;
    const opt = findOption(l.section, 'filters');
    if (!opt) throw new PruneError(`layer ${l.index} (line ${l.section.line + 1}): no filters= to change`);
    edits.push({ start: offsetOf(net.doc, opt.valueRange.start), end: offsetOf(net.doc, opt.valueRange.end), text: String(kept[l.index]) });
  }
  return edits;
}

const indicesOf = (m: Uint8Array): Int32Array => {
  const out: number[] = [];
  m.forEach((v, k) => {
    if (v) out.push(k);
  });
  return Int32Array.from(out);
};

function take(src: Float32Array, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = src[idx[k]];
  return out;
}

/**
 * Slice every conv to its kept output channels and the kept channels of its input.
 * `keep[i]` is layer i's output keep mask; convs with groups > 1 never have sliced inputs.
 */
export function sliceWeights(net: Network, weights: DarknetWeights, keep: Uint8Array[]): DarknetWeights {
  const layers: (LayerWeights | undefined)[] = [];
  let total = 0;
  for (const l of net.layers) {
    const lw = weights.layers[l.index];
    if (!lw) {
      layers.push(undefined);
      continue;
    }
    if (!isChannelSource(l)) {
      layers.push(lw);
      for (const b of Object.values(lw.blocks)) total += b!.length;
      continue;
    }
    const a = l.attrs;
    const out = indicesOf(keep[l.index]);
    const inMask = l.index > 0 ? keep[l.index - 1] : new Uint8Array(net.net.channels).fill(1);
    const ins = indicesOf(inMask);
    const cin = l.input![2],
      G = a.groups!,
      kk = a.size! * a.size!;
    if (G > 1 && (ins.length !== cin || out.length !== a.filters))
      throw new PruneError(`layer ${l.index}: a grouped convolution cannot be sliced`);
    const blocks: LayerWeights['blocks'] = {};
    for (const name of ['biases', 'scales', 'rolling_mean', 'rolling_variance'] as const) {
      const b = lw.blocks[name];
      if (b) blocks[name] = out.length === b.length ? b : take(b, out);
    }
    const W = lw.blocks.weights!;
    if (G > 1 || (ins.length === cin && out.length === a.filters)) blocks.weights = W;
    else {
      blocks.weights = sliceConv(W, out, ins, cin, kk);
    }
    for (const b of Object.values(blocks)) total += b!.length;
    layers.push({ layer: l.index, blocks });
  }
  return { header: weights.header, layers, totalFloats: total };
}

function sliceConv(W: Float32Array, out: Int32Array, ins: Int32Array, cin: number, kk: number): Float32Array {
  const nw = new Float32Array(out.length * ins.length * kk);
  let pos = 0;
  for (let a = 0; a < out.length; a++) {
    const oBase = out[a] * cin;
    for (let b = 0; b < ins.length; b++) {
      const base = (oBase + ins[b]) * kk;
      for (let t = 0; t < kk; t++) nw[pos++] = W[base + t];
    }
  }
  return nw;
}
