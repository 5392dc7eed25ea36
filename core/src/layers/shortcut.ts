// [shortcut] (shortcut_layer.c; docs/network.md §Layer semantics): the previous layer plus the `from` layers,
// optionally weighted, then an activation. Layer pruning removes the residual branches ending here.

import type * as TF from '@tensorflow/tfjs-core';
import { f32, imul } from './geometry';
import { act, int, refs } from './keys';
import type { LayerSpec } from './spec';

/** Per-input weights for a weighted shortcut: [n+1, 1] (per_feature) or [n+1, c] (per_channel), normalised. */
function shortcutWeights(tf: typeof TF, w: TF.Tensor, inputs: number, normalization: string): TF.Tensor2D {
  const m = w.reshape([inputs, -1]) as TF.Tensor2D;
  if (normalization === 'relu' || normalization === 'avg_relu') {
    const r = tf.relu(m);
    return tf.div(r, tf.add(tf.sum(r, 0, true), 0.0001));
  }
  if (normalization === 'softmax') {
    const e = tf.exp(tf.sub(m, tf.max(m, 0, true)));
    return tf.div(e, tf.add(tf.sum(e, 0, true), 0.0001));
  }
  return m;
}

/** The same normalisation on the stored floats [inputs][per] (per = 1 or channels). */
function normalisedWeights(raw: Float32Array, inputs: number, norm: string): { per: number; w: Float32Array } {
  const per = raw.length / inputs;
  const w = new Float32Array(raw.length);
  for (let j = 0; j < per; j++) {
    const col = Array.from({ length: inputs }, (_, i) => raw[i * per + j]);
    let v = col;
    if (norm === 'relu' || norm === 'avg_relu') {
      const r = col.map((x) => Math.max(0, x)),
        s = r.reduce((p, q) => p + q, 0);
      v = r.map((x) => x / (0.0001 + s));
    } else if (norm === 'softmax') {
      const mx = col.reduce((m, x) => Math.max(m, x), -Infinity),
        e = col.map((x) => Math.exp(x - mx)),
        s = e.reduce((p, q) => p + q, 0);
      v = e.map((x) => x / (0.0001 + s));
    }
    v.forEach((x, i) => {
      w[i * per + j] = x;
    });
  }
  return { per, w };
}

const fromCount = (l: { refs: { key: string }[] }) => l.refs.filter((r) => r.key === 'from').length;

export const shortcut = {
  name: 'shortcut',
  aliases: [],
  role: 'merge',
  doc: 'Residual add of the previous layer and the `from` layers.',
  keys: {
    from: refs("Layers added to the previous layer's output."),
    activation: act('linear', 'Activation after the sum.'),
    weights_type: {
      type: 'enum',
      default: 'none',
      doc: 'Learned weights for the sum.',
      values: ['none', 'per_feature', 'per_layer', 'per_channel'],
    },
    weights_normalization: {
      type: 'enum',
      default: 'none',
      doc: 'Normalisation of the sum weights.',
      values: ['none', 'relu', 'avg_relu', 'softmax'],
    },
    stream: int('-1', 'GPU stream.'),
    wait_stream: int('-1', 'GPU stream to wait for.'),
  },
  refs: [{ key: 'from' }],
  analysis: {
    run({ layer, o, a, input, prev, refLayers }) {
      a.activation = o.str('activation');
      a.weightsType = o.str('weights_type');
      a.weightsNormalization = o.str('weights_normalization');
      if (!input) return;
      const n = fromCount(layer);
      layer.output = [...input];
      const wt = a.weightsType === 'per_feature' || a.weightsType === 'per_layer' ? 1 : a.weightsType === 'per_channel' ? 2 : 0;
      a.nweights = wt === 1 ? n + 1 : wt === 2 ? (n + 1) * input[2] : 0;
      layer.weightFloats = a.nweights;
      layer.params = a.nweights;
      layer.bflops = f32((imul(input[0], input[1], input[2], n) / 1e9) * (wt ? 2 : 1));
      const rfs = [prev.rf, ...refLayers.map((l) => l.rf)];
      layer.rf = rfs.every((r) => r) ? { size: rfs.reduce((m, r) => Math.max(m, r!.size), -Infinity), stride: prev.rf!.stride } : undefined;
    },
    check({ net, layer, push }) {
      const input = layer.input;
      if (!input) return;
      for (const r of layer.refs.filter((x) => x.valid)) {
        const o = net.layers[r.target].output;
        if (!o) continue;
        if (o[0] !== input[0] || o[1] !== input[1]) {
          push({
            range: r.range,
            severity: 'error',
            code: 'shortcut-shape',
            layer: layer.index,
            message: `Shortcut adds layer ${r.target} (${o[0]}×${o[1]}×${o[2]}) to layer ${layer.index - 1} (${input[0]}×${input[1]}×${input[2]}): W×H differ (darknet aborts)`,
          });
        } else if (o[2] !== input[2]) {
          push({
            range: r.range,
            severity: 'information',
            code: 'shortcut-shape',
            layer: layer.index,
            message: `Shortcut adds layer ${r.target} (${o[2]} channels) to layer ${layer.index - 1} (${input[2]} channels): darknet adds only the first ${Math.min(o[2], input[2])} channels`,
          });
        }
      }
    },
  },
  blocks: (l) => [{ name: 'weights', length: l.weightFloats }],
  forward: {
    check(l, net) {
      const input = l.input!;
      for (const s of l.sources.slice(1)) {
        const o = net.layers[s].output!;
        if (o[0] !== input[0] || o[1] !== input[1])
          return `from layer ${s} is ${o[0]}×${o[1]}, the input is ${input[0]}×${input[1]} (darknet aborts here)`;
      }
      return undefined;
    },
    run({ tf, ops, layer: l, x, src, params }) {
      // out = w₀·in + Σ wᵢ·fromᵢ (a from layer adds to the first min(Cᵢ, c) channels), then the activation.
      const froms = l.sources.slice(1).map(src);
      const c = x.shape[3];
      const weights = params?.shortcut;
      const wn = weights ? shortcutWeights(tf, weights, froms.length + 1, l.attrs.weightsNormalization ?? 'none') : undefined;
      const wOf = (i: number) => tf.reshape(tf.slice(wn!, [i, 0], [1, -1]), [-1]);
      let out: TF.Tensor = wn ? tf.mul(x, wOf(0)) : x;
      froms.forEach((f, i) => {
        let term: TF.Tensor4D = f;
        const cf = f.shape[3];
        if (cf > c) term = tf.slice(f, [0, 0, 0, 0], [-1, -1, -1, c]);
        else if (cf < c)
          term = tf.pad(f, [
            [0, 0],
            [0, 0],
            [0, 0],
            [0, c - cf],
          ]);
        out = tf.add(out, wn ? tf.mul(term, wOf(i + 1)) : term);
      });
      return ops.activate(out, l.attrs.activation ?? 'linear') as TF.Tensor4D;
    },
    params({ layer: l, variable, block, initialised }) {
      const n = l.attrs.nweights;
      if (!n) return undefined;
      initialised();
      // darknet initialises shortcut weights to 1 (make_shortcut_layer).
      return {
        shortcut: variable(
          'weights',
          block('weights', n, () => new Float32Array(n).fill(1)),
          [n],
        ),
      };
    },
    toBlocks: (p, _l, data) => (p.shortcut ? { weights: data(p.shortcut).slice() } : undefined),
  },
  onnx({ g, net, layer: l, x, out, act, blocks, need, sliceChannels, fail }) {
    const c = l.input![2];
    const froms = l.sources.slice(1);
    for (const s of froms) {
      const o = net.layers[s].output!;
      if (o[0] !== l.input![0] || o[1] !== l.input![1])
        fail(`from layer ${s} is ${o[0]}×${o[1]}, the input is ${l.input![0]}×${l.input![1]} (darknet aborts here)`);
    }
    const nw = l.attrs.nweights;
    const wts = nw ? normalisedWeights(need(blocks(), 'weights', nw), froms.length + 1, l.attrs.weightsNormalization ?? 'none') : undefined;
    const weigh = (t: string, i: number) => {
      if (!wts) return t;
      const v = wts.w.subarray(i * wts.per, (i + 1) * wts.per);
      return g.op('Mul', [t, g.floatTensor(`l${l.index}_w${i}`, v.slice(), wts.per === 1 ? [] : [1, wts.per, 1, 1])]);
    };
    let sum = weigh(x, 0);
    froms.forEach((s, i) => {
      const cf = net.layers[s].output![2];
      let t = out(s);
      // A from layer with fewer channels adds into the first cf channels; extra channels are ignored.
      if (cf > c) t = sliceChannels(t, 0, c);
      else if (cf < c) t = g.op('Pad', [t, g.ints([0, 0, 0, 0, 0, c - cf, 0, 0])], { mode: 'constant' });
      sum = g.op('Add', [sum, weigh(t, i + 1)], {}, `l${l.index}_shortcut`);
    });
    return act(sum, 'linear');
  },
  prune: {
    channels: 'custom',
    residual: true,
    origins: ({ prev, c, fresh }) => (prev && prev.l.length === c ? { l: prev.l.slice(), ch: prev.ch.slice() } : fresh()),
    constrain({ layer, at, originLayer, originChannel, pin, pinInputs, union, touch }) {
      const i = layer.index;
      const inputs = [i - 1, ...layer.refs.filter((r) => r.key === 'from').map((r) => r.target)];
      const c = originLayer[i - 1]?.length ?? 0;
      if (layer.attrs.weightsType !== 'none') {
        pinInputs(`feeds weighted ${at}`);
        return;
      }
      if (inputs.some((s) => originLayer[s].length !== c)) {
        pinInputs(`feeds ${at} whose inputs differ in channels`);
        return;
      }
      const pl = originLayer[i - 1],
        pc = originChannel[i - 1];
      for (const s of inputs) for (const k of new Set(originLayer[s])) if (k >= 0) touch(k);
      for (const s of inputs.slice(1)) {
        const fl = originLayer[s],
          fc = originChannel[s];
        for (let k = 0; k < c; k++) {
          const x = pl[k],
            y = fl[k];
          if (x < 0 && y < 0) continue;
          if (x < 0 || y < 0 || pc[k] !== fc[k]) {
            pin(x, `channels of ${at} do not line up`);
            pin(y, `channels of ${at} do not line up`);
            continue;
          }
          union(x, y);
        }
      }
    },
    constants({ layer, c, mode, prev, values, keep, any, lost, activationFn, isLinear }) {
      const a = layer.attrs;
      const ins = [prev, ...layer.refs.filter((r) => r.key === 'from').map((r) => values[r.target])];
      if (!ins.some(any)) return undefined;
      if (a.weightsType !== 'none') {
        lost('weighted shortcut');
        return undefined;
      }
      const out = new Float64Array(c);
      for (const v of ins) if (v) for (let k = 0; k < Math.min(c, v.length); k++) out[k] += v[k];
      if (!isLinear(a.activation)) {
        if (mode === 'offset') {
          lost(`activation ${a.activation} is not linear`);
          return undefined;
        }
        const f = activationFn(a.activation);
        for (let k = 0; k < c; k++) if (!keep![layer.index][k]) out[k] = f(out[k]);
      }
      return out;
    },
    recount(l, _cin, cout) {
      const n = fromCount(l);
      return { bflops: f32((imul(l.output![0], l.output![1], cout, n) / 1e9) * (l.attrs.weightsType !== 'none' ? 2 : 1)) };
    },
  },
  diffLabel: 'short',
  graph: { edge: 'shortcut' },
  // relative `from` survives layer pruning (whole units go); absolute targets shift
  diffKey: (l) => [l.attrs.activation, l.attrs.weightsType, l.refs.map((r) => (r.raw < 0 ? r.raw : 'abs')).join(',')],
} satisfies LayerSpec<'shortcut'>;
