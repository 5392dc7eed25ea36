// [route] (route_layer.c; docs/network.md §Layer semantics): concatenation of the listed layers along
// channels, or one channel group of each.

import { findOption } from '../cfg/parse';
import { int, refs } from './keys';
import type { LayerSpec } from './spec';

export const route = {
  name: 'route',
  aliases: [],
  role: 'merge',
  doc: 'Concatenates the outputs of the listed layers along channels (or takes one channel group of them).',
  keys: {
    layers: refs('Layers to concatenate: negative = relative to this layer, otherwise absolute index.'),
    groups: int('1', 'Split each input into this many channel groups…', { min: 1 }),
    group_id: int('0', '…and take this group.', { min: 0 }),
    stream: int('-1', 'GPU stream.'),
    wait_stream: int('-1', 'GPU stream to wait for.'),
  },
  refs: [{ key: 'layers' }],
  analysis: {
    readsPrevious: false,
    setsOutputs: true,
    run({ layer, o, a, refLayers }) {
      a.groups = Math.max(1, o.int('groups'));
      a.groupId = o.int('group_id');
      layer.input = undefined;
      if (refLayers.length === 0 || refLayers.length !== layer.refs.filter((r) => r.key === 'layers').length) return;
      if (refLayers.some((l) => !l.output)) return;
      const first = refLayers[0].output!;
      let c = 0,
        outputs = 0;
      for (const l of refLayers) {
        c += l.output![2];
        outputs += l.outputs;
      }
      layer.input = [first[0], first[1], c];
      layer.output = [first[0], first[1], Math.trunc(c / a.groups)];
      layer.outputs = Math.trunc(outputs / a.groups);
      const rfs = refLayers.map((l) => l.rf);
      layer.rf = rfs.every((r) => r) ? { size: rfs.reduce((m, r) => Math.max(m, r!.size), -Infinity), stride: rfs[0]!.stride } : undefined;
    },
    check({ net, layer, push }) {
      const at = (i: number) => net.layers[i];
      const groups = layer.attrs.groups ?? 1;
      const gid = layer.attrs.groupId ?? 0;
      const known = layer.refs.filter((r) => r.valid && at(r.target).output);
      const first = known[0] && at(known[0].target).output!;
      for (const r of known) {
        const o = at(r.target).output!;
        if (o[0] !== first[0] || o[1] !== first[1]) {
          push({
            range: r.range,
            severity: 'error',
            code: 'route-size-mismatch',
            layer: layer.index,
            message: `Route input layer ${r.target} is ${o[0]}×${o[1]}, but layer ${known[0].target} is ${first[0]}×${first[1]}: all inputs must have the same W×H`,
          });
        }
        if (o[2] % groups !== 0) {
          push({
            range: r.range,
            severity: 'error',
            code: 'route-groups',
            layer: layer.index,
            message: `groups=${groups} does not divide the ${o[2]} channels of layer ${r.target}`,
          });
        }
      }
      if (gid >= groups || gid < 0) {
        const opt = findOption(layer.section, 'group_id');
        push({
          range: opt?.valueRange ?? layer.section.headerRange,
          severity: 'error',
          code: 'route-groups',
          layer: layer.index,
          message: `group_id=${gid} must be in 0…${groups - 1}`,
        });
      }
    },
  },
  forward: {
    check(l, net) {
      const g = l.attrs.groups ?? 1;
      for (const s of l.sources) {
        const o = net.layers[s].output!;
        if (o[2] % g) return `layer ${s} has ${o[2]} channels, not divisible into groups=${g}`;
        if (o[0] !== l.output![0] || o[1] !== l.output![1])
          return `layer ${s} is ${o[0]}×${o[1]}, layer ${l.sources[0]} is ${l.output![0]}×${l.output![1]}`;
      }
      return undefined;
    },
    run({ tf, layer: l, src }) {
      // Channel slice [gid·C/G, (gid+1)·C/G) of each input, concatenated in order.
      const g = l.attrs.groups ?? 1,
        gid = l.attrs.groupId ?? 0;
      const parts = l.sources.map((s) => {
        const x = src(s);
        if (g === 1) return x;
        const c = x.shape[3] / g;
        return tf.slice(x, [0, 0, 0, gid * c], [-1, -1, -1, c]);
      });
      return parts.length === 1 ? parts[0] : tf.concat(parts, 3);
    },
  },
  onnx({ g, net, layer: l, out, sliceChannels, fail }) {
    const groups = l.attrs.groups ?? 1,
      gid = l.attrs.groupId ?? 0;
    const parts = l.sources.map((s) => {
      const c = net.layers[s].output![2];
      if (c % groups) fail(`layer ${s} has ${c} channels, not divisible into groups=${groups}`);
      const o = net.layers[s].output!;
      if (o[0] !== l.output![0] || o[1] !== l.output![1])
        fail(`layer ${s} is ${o[0]}×${o[1]}, layer ${l.sources[0]} is ${l.output![0]}×${l.output![1]}`);
      return groups === 1 ? out(s) : sliceChannels(out(s), (gid * c) / groups, ((gid + 1) * c) / groups);
    });
    return parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 1 }, `l${l.index}_route`);
  },
  prune: {
    channels: 'custom',
    origins({ layer, c, originLayer, originChannel, fresh }) {
      const g = layer.attrs.groups ?? 1,
        gid = layer.attrs.groupId ?? 0;
      const l: number[] = [],
        ch: number[] = [];
      for (const r of layer.refs) {
        const n = originLayer[r.target].length,
          part = Math.trunc(n / g);
        for (let k = gid * part; k < (gid + 1) * part; k++) {
          l.push(originLayer[r.target][k]);
          ch.push(originChannel[r.target][k]);
        }
      }
      return l.length === c ? { l: Int32Array.from(l), ch: Int32Array.from(ch) } : fresh();
    },
    constrain: ({ layer, at, pinInputs }) => {
      if ((layer.attrs.groups ?? 1) > 1) pinInputs(`feeds ${at} with groups=${layer.attrs.groups}`);
    },
    constants({ net, layer, c, values, any }) {
      const g = layer.attrs.groups ?? 1,
        gid = layer.attrs.groupId ?? 0;
      if (!layer.refs.some((r) => any(values[r.target]))) return undefined;
      const out = new Float64Array(c);
      let pos = 0;
      for (const r of layer.refs) {
        const n = net.layers[r.target].output![2],
          part = Math.trunc(n / g),
          v = values[r.target];
        if (v) out.set(v.subarray(gid * part, (gid + 1) * part), pos);
        pos += part;
      }
      return out;
    },
  },
  diffKey: (l) => [l.refs.length, l.attrs.groups, l.attrs.groupId],
  graph: {
    edge: 'route',
    label: (l, short) => ((l.attrs.groups ?? 1) > 1 ? `${short} g${l.attrs.groupId ?? 0}/${l.attrs.groups}` : short),
  },
} satisfies LayerSpec<'route'>;
