// Which conv outputs can lose channels, and which must lose the same ones (docs/pruning.md
// §Populations, §Channel groups), derived from the analysed graph rather than from yolov3/v4 index
// patterns.
//
// Every output channel of every layer is traced to its origin: the conv (and channel) that produced
// it, through channel-preserving layers (maxpool, upsample, dropout, route slices, shortcut, reorg3d…).
// A union-find over convs then records the constraints:
//  - a shortcut adds channels elementwise, so the convs meeting there are joined (a "channel group",
//    whose masks are OR-merged) when their channels line up, and pinned otherwise;
//  - every consumer that cannot take a sliced input (yolo/region heads, route groups, sam,
//    scale_channels, weighted shortcuts, grouped/shared/flipped convs, connected…) pins the convs
//    its input channels come from, as does the network output;
//  - the reference rules c1–c3 pin the SPP input, route-groups feeders and the conv before upsample.
// A group that contains a pinned conv is pinned as a whole.

import { findOption } from '../cfg/parse';
import type { Layer, Network } from '../cfg/network';
import { CROSS_CHANNEL_ACTIVATIONS } from './activation';

export interface ChannelStructure {
  net: Network;
  /** Per layer and output channel: the conv the channel comes from, or -1 (no conv controls it). */
  originLayer: Int32Array[];
  /** Per layer and output channel: the channel of that conv. */
  originChannel: Int32Array[];
  /** Convs with batch_normalize, in index order (the reference's CBL list). */
  bnConvs: number[];
  /** Reference exclusions c1–c3 (docs/pruning.md §Populations), with the rule. */
  referenceExcluded: Map<number, string>;
  /** Every BN conv that is not prunable, with the reason. */
  excluded: Map<number, string>;
  /** Mode-1 set (S1): BN convs whose output channels can be pruned. */
  prunable: number[];
  /** Mode-0 set (S0): prunable convs not joined to anything by a shortcut. */
  prunableNoShortcut: number[];
  /** Channel groups of prunable convs that meet in shortcuts (including one-member groups), by first member. */
  groups: number[][];
  /** conv → index into `groups`. */
  groupOf: Map<number, number>;
}

const PASS_THROUGH = new Set(['maxpool', 'local_avgpool', 'avgpool', 'dropout', 'empty', 'upsample', 'activation']);

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) { this.parent = Int32Array.from({ length: n }, (_, i) => i); }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) { p[x] = p[p[x]]; x = p[x]; }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function channelOrigins(net: Network): { originLayer: Int32Array[]; originChannel: Int32Array[] } {
  const originLayer: Int32Array[] = [], originChannel: Int32Array[] = [];
  const fresh = (c: number) => ({ l: new Int32Array(c).fill(-1), ch: Int32Array.from({ length: c }, (_, k) => k) });
  for (const layer of net.layers) {
    const c = layer.output?.[2] ?? 0;
    const i = layer.index;
    let o: { l: Int32Array; ch: Int32Array };
    const prev = i > 0 ? { l: originLayer[i - 1], ch: originChannel[i - 1] } : undefined;
    if (layer.type === 'convolutional') {
      o = { l: new Int32Array(c).fill(i), ch: Int32Array.from({ length: c }, (_, k) => k) };
    } else if ((PASS_THROUGH.has(layer.type) && !layer.attrs.maxpoolDepth) || layer.type === 'shortcut') {
      o = prev && prev.l.length === c ? { l: prev.l.slice(), ch: prev.ch.slice() } : fresh(c);
    } else if (layer.type === 'route') {
      const g = layer.attrs.groups ?? 1, gid = layer.attrs.groupId ?? 0;
      const l: number[] = [], ch: number[] = [];
      for (const r of layer.refs) {
        const n = originLayer[r.target].length, part = Math.trunc(n / g);
        for (let k = gid * part; k < (gid + 1) * part; k++) { l.push(originLayer[r.target][k]); ch.push(originChannel[r.target][k]); }
      }
      o = l.length === c ? { l: Int32Array.from(l), ch: Int32Array.from(ch) } : fresh(c);
    } else if (layer.type === 'reorg3d' && !layer.attrs.reverse && prev) {
      const cin = prev.l.length;
      o = { l: new Int32Array(c), ch: new Int32Array(c) };
      for (let k = 0; k < c; k++) { o.l[k] = prev.l[k % cin]; o.ch[k] = prev.ch[k % cin]; }
    } else {
      o = fresh(c);
    }
    originLayer.push(o.l);
    originChannel.push(o.ch);
  }
  return { originLayer, originChannel };
}

const isConv = (l: Layer | undefined): l is Layer => l?.type === 'convolutional';

export function analyseChannelStructure(net: Network): ChannelStructure {
  const n = net.layers.length;
  const FIXED = n;
  const uf = new UnionFind(n + 1);
  const { originLayer, originChannel } = channelOrigins(net);
  const reasons = new Map<number, string>();
  const referenceExcluded = new Map<number, string>();
  const touched = new Set<number>();

  const pin = (conv: number, reason: string) => {
    if (conv < 0) return;
    if (!reasons.has(conv)) reasons.set(conv, reason);
    uf.union(conv, FIXED);
  };
  const pinOutputOf = (layer: number, reason: string) => {
    for (const c of new Set(originLayer[layer])) pin(c, reason);
  };
  const pinInputs = (layer: Layer, reason: string) => {
    const srcs = new Set([...layer.sources, ...layer.refs.filter((r) => r.valid).map((r) => r.target)]);
    for (const s of srcs) pinOutputOf(s, reason);
  };

  for (const layer of net.layers) {
    const i = layer.index, a = layer.attrs;
    const at = `layer ${i} (${layer.type})`;
    switch (layer.type) {
      case 'convolutional': {
        const why = (a.groups ?? 1) > 1 ? 'grouped convolution' : a.flipped ? 'flipped weights' : a.xnor || findOption(layer.section, 'binary') ? 'binary/xnor convolution'
          : a.shareIndex !== undefined ? 'shares weights (share_index)' : a.dontload ? 'dontload=1' : undefined;
        if (why) {
          if (i > 0) pinOutputOf(i - 1, `feeds ${at}: ${why}`);
          pin(i, why);
          if (a.shareIndex !== undefined && a.shareIndex >= 0 && a.shareIndex < n) {
            pin(a.shareIndex, `its weights are shared by layer ${i}`);
            if (a.shareIndex > 0) pinOutputOf(a.shareIndex - 1, `feeds layer ${a.shareIndex}, whose weights layer ${i} shares`);
          }
        }
        if (!a.batchNormalize) pin(i, 'no batch_normalize (no γ)');
        else if (a.dontloadscales) pin(i, 'dontloadscales=1 (no γ in the weights)');
        if (CROSS_CHANNEL_ACTIVATIONS.has(a.activation ?? '')) pin(i, `activation ${a.activation} mixes channels`);
        const next = net.layers[i + 1], next2 = net.layers[i + 2];
        if (a.batchNormalize) {
          if (next?.type === 'maxpool' && next2?.type === 'route') referenceExcluded.set(i, 'c1: SPP input (conv → maxpool → route)');
          else if (next?.type === 'route' && findOption(next.section, 'groups')) referenceExcluded.set(i, 'c2: feeds a route with groups');
        }
        break;
      }
      case 'upsample': {
        const prev = net.layers[i - 1];
        if (isConv(prev) && prev.attrs.batchNormalize && !referenceExcluded.has(prev.index)) referenceExcluded.set(prev.index, 'c3: conv before [upsample]');
        break;
      }
      case 'route':
        if ((a.groups ?? 1) > 1) pinInputs(layer, `feeds ${at} with groups=${a.groups}`);
        break;
      case 'shortcut': {
        const inputs = [i - 1, ...layer.refs.filter((r) => r.key === 'from').map((r) => r.target)];
        const c = originLayer[i - 1]?.length ?? 0;
        if (a.weightsType !== 'none') { pinInputs(layer, `feeds weighted ${at}`); break; }
        if (inputs.some((s) => originLayer[s].length !== c)) { pinInputs(layer, `feeds ${at} whose inputs differ in channels`); break; }
        const pl = originLayer[i - 1], pc = originChannel[i - 1];
        for (const s of inputs) for (const k of new Set(originLayer[s])) if (k >= 0) touched.add(k);
        for (const s of inputs.slice(1)) {
          const fl = originLayer[s], fc = originChannel[s];
          for (let k = 0; k < c; k++) {
            const x = pl[k], y = fl[k];
            if (x < 0 && y < 0) continue;
            if (x < 0 || y < 0 || pc[k] !== fc[k]) { pin(x, `channels of ${at} do not line up`); pin(y, `channels of ${at} do not line up`); continue; }
            uf.union(x, y);
          }
        }
        break;
      }
      case 'maxpool':
        if (a.maxpoolDepth) pinInputs(layer, `feeds ${at} with maxpool_depth`);
        break;
      case 'reorg3d':
        if (a.reverse) pinInputs(layer, `feeds ${at} with reverse=1`);
        break;
      default:
        if (!PASS_THROUGH.has(layer.type)) pinInputs(layer, `feeds ${at}`);
    }
  }
  if (n > 0) pinOutputOf(n - 1, 'network output');
  for (const [conv, rule] of referenceExcluded) pin(conv, `reference rule ${rule}`);

  // A channel group needs one mask for all members: members with different widths cannot share it.
  for (let changed = true; changed;) {
    changed = false;
    const width = new Map<number, number>();
    for (const l of net.layers) {
      if (!isConv(l) || uf.find(l.index) === uf.find(FIXED)) continue;
      const r = uf.find(l.index), w = width.get(r);
      if (w === undefined) width.set(r, l.attrs.filters!);
      else if (w !== l.attrs.filters) { pin(l.index, 'joined by a shortcut to a conv with a different number of filters'); changed = true; }
    }
  }

  const bnConvs = net.layers.filter((l) => isConv(l) && l.attrs.batchNormalize).map((l) => l.index);
  const excluded = new Map<number, string>();
  const prunable: number[] = [];
  for (const i of bnConvs) {
    if (uf.find(i) === uf.find(FIXED)) excluded.set(i, reasons.get(i) ?? 'joined by a shortcut to a conv that cannot be pruned');
    else prunable.push(i);
  }
  const byRoot = new Map<number, number[]>();
  for (const i of prunable) if (touched.has(i)) {
    const r = uf.find(i);
    if (!byRoot.has(r)) byRoot.set(r, []);
    byRoot.get(r)!.push(i);
  }
  const groups = [...byRoot.values()].sort((x, y) => x[0] - y[0]);
  const groupOf = new Map<number, number>();
  groups.forEach((g, k) => g.forEach((m) => groupOf.set(m, k)));
  return {
    net, originLayer, originChannel, bnConvs, referenceExcluded, excluded, prunable,
    prunableNoShortcut: prunable.filter((i) => !touched.has(i)), groups, groupOf,
  };
}
