// Which conv outputs can lose channels, and which must lose the same ones (docs/pruning.md
// §Populations, §Channel groups), derived from the analysed graph rather than from yolov3/v4 index
// patterns.
//
// Every output channel of every layer is traced to its origin: the conv (and channel) that produced
// it, through channel-preserving layers (maxpool, upsample, dropout, route slices, shortcut, reorg3d…),
// as each layer record's `prune` flow says (core/src/layers).
// A union-find over convs then records the constraints:
//  - a shortcut adds channels elementwise, so the convs meeting there are joined (a "channel group",
//    whose masks are OR-merged) when their channels line up, and pinned otherwise;
//  - every consumer that cannot take a sliced input (yolo/region heads, route groups, sam,
//    scale_channels, weighted shortcuts, grouped/shared/flipped convs, connected…) pins the convs
//    its input channels come from, as does the network output;
//  - the reference rules c1–c3 pin the SPP input, route-groups feeders and the conv before upsample.
// A group that contains a pinned conv is pinned as a whole.

import type { Layer, Network } from '../cfg/network';
import { isChannelSource, specOf } from '../layers';
import { OPAQUE, passOrigins } from '../layers/common';
import type { ConstrainContext, Origins } from '../layers/spec';

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

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a),
      rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Origin of every output channel of every layer, as each layer's record passes them on. */
function channelOrigins(net: Network): { originLayer: Int32Array[]; originChannel: Int32Array[] } {
  const originLayer: Int32Array[] = [],
    originChannel: Int32Array[] = [];
  for (const layer of net.layers) {
    const c = layer.output?.[2] ?? 0;
    const i = layer.index;
    const fresh = () => ({ l: new Int32Array(c).fill(-1), ch: Int32Array.from({ length: c }, (_, k) => k) });
    const prev = i > 0 ? { l: originLayer[i - 1], ch: originChannel[i - 1] } : undefined;
    const flow = specOf(layer)?.prune ?? OPAQUE;
    let o: Origins;
    if (flow.channels === 'source') o = { l: new Int32Array(c).fill(i), ch: Int32Array.from({ length: c }, (_, k) => k) };
    else if (flow.channels === 'pass') o = passOrigins({ net, layer, c, prev, originLayer, originChannel, fresh });
    else if (flow.origins) o = flow.origins({ net, layer, c, prev, originLayer, originChannel, fresh });
    else o = fresh();
    originLayer.push(o.l);
    originChannel.push(o.ch);
  }
  return { originLayer, originChannel };
}

const isConv = (l: Layer | undefined): l is Layer => isChannelSource(l);

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
  const pinInputsOf = (layer: Layer, reason: string) => {
    const srcs = new Set([...layer.sources, ...layer.refs.filter((r) => r.valid).map((r) => r.target)]);
    for (const s of srcs) pinOutputOf(s, reason);
  };

  const ctx: Omit<ConstrainContext, 'layer' | 'at' | 'pinInputs'> = {
    net,
    originLayer,
    originChannel,
    pin,
    pinOutputOf,
    referenceExcluded,
    union: (x, y) => uf.union(x, y),
    touch: (conv) => {
      touched.add(conv);
    },
  };
  for (const layer of net.layers) {
    const at = `layer ${layer.index} (${layer.type})`;
    const flow = specOf(layer)?.prune ?? OPAQUE;
    const pinInputs = (reason: string) => pinInputsOf(layer, reason);
    if (flow.constrain) flow.constrain({ ...ctx, layer, at, pinInputs });
    else if (flow.channels === 'opaque') pinInputs(`feeds ${at}`);
  }
  if (n > 0) pinOutputOf(n - 1, 'network output');
  for (const [conv, rule] of referenceExcluded) pin(conv, `reference rule ${rule}`);

  // A channel group needs one mask for all members: members with different widths cannot share it.
  for (let changed = true; changed;) {
    changed = false;
    const width = new Map<number, number>();
    for (const l of net.layers) {
      if (!isConv(l) || uf.find(l.index) === uf.find(FIXED)) continue;
      const r = uf.find(l.index),
        w = width.get(r);
      if (w === undefined) width.set(r, l.attrs.filters!);
      else if (w !== l.attrs.filters) {
        pin(l.index, 'joined by a shortcut to a conv with a different number of filters');
        changed = true;
      }
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
  for (const i of prunable)
    if (touched.has(i)) {
      const r = uf.find(i);
      if (!byRoot.has(r)) byRoot.set(r, []);
      byRoot.get(r)!.push(i);
    }
  const groups = [...byRoot.values()].sort((x, y) => x[0] - y[0]);
  const groupOf = new Map<number, number>();
  groups.forEach((g, k) => g.forEach((m) => groupOf.set(m, k)));
  return {
    net,
    originLayer,
    originChannel,
    bnConvs,
    referenceExcluded,
    excluded,
    prunable,
    prunableNoShortcut: prunable.filter((i) => !touched.has(i)),
    groups,
    groupOf,
  };
}
