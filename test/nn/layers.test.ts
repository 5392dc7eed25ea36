// Layer semantics of the tfjs network against direct CHW implementations of docs/network.md §Layer
// semantics, §Activations, §Heads. Each layer is checked from its own inputs (our outputs of the
// layers it reads), so errors do not compound.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Layer, Network } from '../../core/src/cfg/network';
import { synthesizeWeights } from '../../core/src/weights/synth';
import type { DarknetWeights } from '../../core/src/weights/read';
import { activate } from '../../core/src/nn/activations';
import { buildNetwork, chwToNHWC, NetworkBuildError } from '../../core/src/nn/model';
import { darknetLayout } from '../../core/src/nn/heads';
import { analyse, maxAbsDiff, ramp, toCHW, useBackend } from './helpers';

before(async () => {
  await useBackend('infer');
});

interface Img {
  w: number;
  h: number;
  c: number;
  d: Float32Array;
}
const at = (t: Img, ch: number, y: number, x: number) => t.d[(ch * t.h + y) * t.w + x];
const img = (w: number, h: number, c: number): Img => ({ w, h, c, d: new Float32Array(w * h * c) });
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function refAct(v: number, name: string): number {
  switch (name) {
    case 'linear':
      return v;
    case 'leaky':
      return v > 0 ? v : 0.1 * v;
    case 'relu':
      return v > 0 ? v : 0;
    case 'relu6':
      return Math.min(Math.max(v, 0), 6);
    case 'logistic':
      return sigmoid(v);
    case 'loggy':
      return 2 / (1 + Math.exp(-v)) - 1;
    case 'tanh':
      return 2 / (1 + Math.exp(-2 * v)) - 1;
    case 'elu':
      return v >= 0 ? v : Math.exp(v) - 1;
    case 'selu':
      return v >= 0 ? 1.0507 * v : 1.0507 * 1.6732 * (Math.exp(v) - 1);
    case 'gelu':
      return 0.5 * v * (1 + Math.tanh(0.797885 * v + 0.035677 * v ** 3));
    case 'relie':
      return v > 0 ? v : 0.01 * v;
    case 'ramp':
      return v * (v > 0 ? 1 : 0) + 0.1 * v;
    case 'plse':
      return v < -4 ? 0.01 * (v + 4) : v > 4 ? 0.01 * (v - 4) + 1 : 0.125 * v + 0.5;
    case 'hardtan':
      return Math.min(1, Math.max(-1, v));
    case 'lhtan':
      return v < 0 ? 0.001 * v : v > 1 ? 0.001 * (v - 1) + 1 : v;
    case 'stair': {
      const n = Math.floor(v);
      return n % 2 === 0 ? Math.floor(v / 2) : v - n + Math.floor(v / 2);
    }
    case 'swish':
      return v * sigmoid(v);
    case 'mish': {
      const sp = v > 20 ? v : v < -20 ? Math.exp(v) : Math.log1p(Math.exp(v));
      return v * Math.tanh(sp);
    }
    case 'hard_mish':
      return v > 0 ? v : v > -2 ? (v * v) / 2 + v : 0;
    default:
      throw new Error(name);
  }
}

test('every darknet activation follows its formula (§7), including the ones CPU darknet zeroes', () => {
  const xs = Array.from({ length: 121 }, (_, i) => -30 + i * 0.5 + 0.013);
  for (const name of [
    'linear',
    'leaky',
    'relu',
    'relu6',
    'logistic',
    'loggy',
    'tanh',
    'elu',
    'selu',
    'gelu',
    'relie',
    'ramp',
    'plse',
    'hardtan',
    'lhtan',
    'stair',
    'swish',
    'mish',
    'hard_mish',
  ]) {
    const got = tf.tidy(() => activate(tf.tensor1d(xs), name).dataSync());
    const want = xs.map((v) => refAct(v, name));
    assert.ok(maxAbsDiff(got, want) < 2e-5 * 30, `${name}: max diff ${maxAbsDiff(got, want)}`);
  }
  // every activation is differentiable (training uses them all)
  for (const name of [
    'leaky',
    'relu6',
    'selu',
    'gelu',
    'relie',
    'plse',
    'lhtan',
    'stair',
    'swish',
    'mish',
    'hard_mish',
    'normalize_channels_softmax',
  ]) {
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(activate(x, name)))(tf.tensor1d(xs))
        .dataSync(),
    );
    assert.ok(g.every(Number.isFinite), `${name}: gradient not finite`);
  }
  // unknown names are relu, as in darknet
  assert.deepEqual([...tf.tidy(() => activate(tf.tensor1d([-1, 2]), 'leaky#x').dataSync())], [0, 2]);
  // normalize_channels: per pixel over the last axis
  const nc = tf.tidy(() =>
    activate(
      tf.tensor2d([
        [1, -1, 3],
        [0, 0, 0],
      ]),
      'normalize_channels',
    ).arraySync(),
  ) as number[][];
  assert.ok(Math.abs(nc[0][0] - 1 / 4.0001) < 1e-6 && nc[0][1] === 0 && Math.abs(nc[0][2] - 3 / 4.0001) < 1e-6);
  const ns = tf.tidy(() => activate(tf.tensor2d([[1, 2]]), 'normalize_channels_softmax_maxval').arraySync()) as number[][];
  const e = [Math.exp(-1), 1];
  assert.ok(Math.abs(ns[0][0] - e[0] / (e[0] + e[1] + 0.0001)) < 1e-6);
});

// ---------------------------------------------------------------- reference layers (CHW)

function refConv(x: Img, l: Layer, lw: DarknetWeights['layers'][number]): Img {
  const a = l.attrs;
  const n = a.filters!,
    k = a.size!,
    g = a.groups!,
    d = a.dilation!,
    cg = x.c / g,
    ng = n / g;
  const sx = a.antialiasing ? 1 : a.strideX!,
    sy = a.antialiasing ? 1 : a.strideY!;
  const p = a.padding! * d;
  const ow = Math.floor((x.w + 2 * p - (d * (k - 1) + 1)) / sx) + 1,
    oh = Math.floor((x.h + 2 * p - (d * (k - 1) + 1)) / sy) + 1;
  const out = img(ow, oh, n);
  const W = lw!.blocks.weights!,
    B = lw!.blocks;
  for (let o = 0; o < n; o++) {
    const grp = Math.floor(o / ng);
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let s = 0;
        for (let ci = 0; ci < cg; ci++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = y * sy - p + ky * d,
                ix = xx * sx - p + kx * d;
              if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
              s += W[((o * cg + ci) * k + ky) * k + kx] * at(x, grp * cg + ci, iy, ix);
            }
        if (a.batchNormalize) s = ((s - B.rolling_mean![o]) / Math.sqrt(B.rolling_variance![o] + 1e-5)) * B.scales![o] + B.biases![o];
        else s += B.biases![o];
        out.d[(o * oh + y) * ow + xx] = refAct(s, a.activation!);
      }
  }
  if (!a.antialiasing) return out;
  const taps = [1, 2, 1, 2, 4, 2, 1, 2, 1];
  const bw = Math.floor((ow + 2 - 3) / a.strideX!) + 1,
    bh = Math.floor((oh + 2 - 3) / a.strideY!) + 1;
  const blur = img(bw, bh, n);
  for (let ch = 0; ch < n; ch++)
    for (let y = 0; y < bh; y++)
      for (let xx = 0; xx < bw; xx++) {
        let s = 0;
        for (let ky = 0; ky < 3; ky++)
          for (let kx = 0; kx < 3; kx++) {
            const iy = y * a.strideY! - 1 + ky,
              ix = xx * a.strideX! - 1 + kx;
            if (iy >= 0 && ix >= 0 && iy < oh && ix < ow) s += (taps[ky * 3 + kx] / 16) * at(out, ch, iy, ix);
          }
        blur.d[(ch * bh + y) * bw + xx] = s;
      }
  return blur;
}

function refPool(x: Img, l: Layer, avg: boolean): Img {
  const a = l.attrs;
  const [ow, oh] = l.output!;
  const off = Math.floor(a.padding! / 2);
  const out = img(ow, oh, x.c);
  for (let ch = 0; ch < x.c; ch++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let m = -Infinity,
          s = 0,
          cnt = 0;
        for (let i = 0; i < a.size!; i++)
          for (let j = 0; j < a.size!; j++) {
            const iy = y * a.strideY! - off + i,
              ix = xx * a.strideX! - off + j;
            if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
            const v = at(x, ch, iy, ix);
            m = Math.max(m, v);
            s += v;
            cnt++;
          }
        out.d[(ch * oh + y) * ow + xx] = avg ? s / cnt : m;
      }
  return out;
}

function refLayer(l: Layer, ins: Img[], lw: DarknetWeights['layers'][number]): Img {
  const a = l.attrs;
  const [ow, oh, oc] = l.output!;
  const x = ins[0];
  const out = img(ow, oh, oc);
  switch (l.type) {
    case 'convolutional':
      return refConv(x, l, lw);
    case 'maxpool':
      if (a.maxpoolDepth) {
        for (let g = 0; g < oc; g++)
          for (let p = 0; p < ow * oh; p++) {
            let m = -Infinity;
            for (let k = g; k < x.c; k += oc) m = Math.max(m, x.d[k * ow * oh + p]);
            out.d[g * ow * oh + p] = m;
          }
        return out;
      }
      return refPool(x, l, false);
    case 'local_avgpool':
      return refPool(x, l, true);
    case 'avgpool':
      for (let ch = 0; ch < x.c; ch++) {
        let s = 0;
        for (let p = 0; p < x.w * x.h; p++) s += x.d[ch * x.w * x.h + p];
        out.d[ch] = s / (x.w * x.h);
      }
      return out;
    case 'route': {
      let pos = 0;
      for (const t of ins) {
        const len = t.d.length / a.groups!;
        out.d.set(t.d.subarray(a.groupId! * len, (a.groupId! + 1) * len), pos);
        pos += len;
      }
      return out;
    }
    case 'shortcut': {
      const n = ins.length - 1,
        c = x.c,
        hw = x.w * x.h;
      const wt = lw?.blocks.weights;
      const L = wt ? wt.length / (n + 1) : 0;
      for (let j = 0; j < x.d.length; j++) {
        const ch = Math.floor(j / hw);
        const wi = (i: number) => (wt ? wt[i * L + (L === 1 ? 0 : ch)] : 1);
        let sum = 1,
          mx = -Infinity;
        const norm = a.weightsNormalization;
        if (wt && norm === 'softmax') for (let i = 0; i <= n; i++) mx = Math.max(mx, wi(i));
        if (wt && (norm === 'relu' || norm === 'softmax')) {
          sum = 0.0001;
          for (let i = 0; i <= n; i++) sum += norm === 'relu' ? Math.max(0, wi(i)) : Math.exp(wi(i) - mx);
        }
        const wf = (i: number) =>
          !wt ? 1 : norm === 'relu' ? Math.max(0, wi(i)) / sum : norm === 'softmax' ? Math.exp(wi(i) - mx) / sum : wi(i);
        let v = x.d[j] * wf(0);
        for (let i = 1; i <= n; i++) if (j < ins[i].d.length) v += ins[i].d[j] * wf(i);
        out.d[j] = refAct(v, a.activation!);
      }
      void c;
      return out;
    }
    case 'upsample': {
      const s = Math.abs(a.stride!);
      for (let ch = 0; ch < oc; ch++)
        for (let y = 0; y < oh; y++)
          for (let xx = 0; xx < ow; xx++) {
            let v = 0;
            if (a.stride! > 0) v = at(x, ch, Math.floor(y / s), Math.floor(xx / s));
            else for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) v += at(x, ch, y * s + i, xx * s + j);
            out.d[(ch * oh + y) * ow + xx] = v * a.scale!;
          }
      return out;
    }
    case 'reorg3d': {
      const s = a.stride!;
      for (let dy = 0; dy < s; dy++)
        for (let dx = 0; dx < s; dx++)
          for (let ch = 0; ch < x.c; ch++)
            for (let y = 0; y < oh; y++)
              for (let xx = 0; xx < ow; xx++) {
                out.d[(((dy * s + dx) * x.c + ch) * oh + y) * ow + xx] = at(x, ch, y * s + dy, xx * s + dx);
              }
      return out;
    }
    case 'reorg': {
      // docs/network.md §Layer semantics (legacy reorg), verbatim (W, H, C = input size)
      const s = a.stride!,
        W = x.w,
        H = x.h,
        C = x.c,
        C2 = Math.trunc(C / (s * s));
      for (let k = 0; k < C; k++)
        for (let j = 0; j < H; j++)
          for (let i = 0; i < W; i++) {
            const c2 = k % C2,
              off = Math.trunc(k / C2);
            out.d[i + W * (j + H * k)] = x.d[i * s + (off % s) + W * s * (j * s + Math.trunc(off / s) + H * s * c2)];
          }
      return out;
    }
    case 'sam':
      for (let j = 0; j < out.d.length; j++) out.d[j] = refAct(x.d[j] * ins[1].d[j], a.activation!);
      return out;
    case 'scale_channels': {
      const from = ins[1],
        hw = from.w * from.h;
      for (let j = 0; j < out.d.length; j++)
        out.d[j] = refAct((a.scaleWH ? x.d[j % hw] : x.d[Math.floor(j / hw)]) * from.d[j], a.activation!);
      return out;
    }
    case 'connected': {
      const n = a.output!,
        nin = x.d.length;
      for (let o = 0; o < n; o++) {
        let s = 0;
        for (let i = 0; i < nin; i++) s += lw!.blocks.weights![o * nin + i] * x.d[i];
        out.d[o] = refAct(s + lw!.blocks.biases![o], a.activation!);
      }
      return out;
    }
    default:
      throw new Error(`no reference for ${l.type}`);
  }
}

const PROBE = `[net]
width=12
height=10
channels=3

[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=3
stride=2

[route]
layers=0

[maxpool]
size=2
stride=1

[maxpool]
size=5
stride=1

[local_avgpool]
size=3
stride=2

[route]
layers=0,3
groups=2
group_id=1

[maxpool]
size=2
stride_x=2
stride_y=1

[route]
layers=-8

[maxpool]
maxpool_depth=1
out_channels=3

[route]
layers=0

[reorg3d]
stride=2

[route]
layers=0

[reorg]
stride=2

[route]
layers=0

[upsample]
stride=2
scale=0.5

[upsample]
stride=-2

[shortcut]
from=0,2
weights_type=per_channel
weights_normalization=softmax
activation=linear

[convolutional]
filters=4
size=1
activation=linear

[shortcut]
from=0
activation=swish

[route]
layers=0

[shortcut]
from=18
weights_type=per_feature
weights_normalization=relu

[convolutional]
batch_normalize=1
filters=8
size=3
pad=1
groups=2
activation=mish

[convolutional]
filters=8
size=3
pad=1
groups=8
activation=logistic

[convolutional]
filters=6
size=3
pad=1
dilation=2
stride=2
activation=relu

[convolutional]
batch_normalize=1
filters=5
size=3
pad=1
stride_x=2
stride_y=1
activation=hard_mish

[convolutional]
filters=5
size=1
activation=logistic

[sam]
from=25

[avgpool]

[scale_channels]
from=27

[convolutional]
filters=1
size=1
activation=logistic

[scale_channels]
from=29
scale_wh=1

[convolutional]
filters=4
size=3
stride=2
pad=1
antialiasing=1
activation=linear

[connected]
output=7
activation=leaky
`;

function runAll(net: Network, w: DarknetWeights, input: Float32Array) {
  const m = buildNetwork(net, w, { trainable: false });
  const x = chwToNHWC(input, net.net.width, net.net.height, net.net.channels);
  const outs = m.forward(x, { outputs: 'all' });
  const chw = new Map<number, Img>();
  for (const [i, t] of outs) {
    const [, h, ww, c] = t.shape;
    chw.set(i, { w: ww, h, c, d: toCHW(t) });
    t.dispose();
  }
  x.dispose();
  m.dispose();
  return chw;
}

test('probe network: every layer matches its darknet definition from its own inputs', () => {
  const net = analyse(PROBE);
  const w = synthesizeWeights(net);
  const input = ramp(12 * 10 * 3, 11, 0, 1);
  const outs = runAll(net, w, input);
  const inputImg: Img = { w: 12, h: 10, c: 3, d: input };
  const covered = new Set<string>();
  for (const l of net.layers) {
    const got = outs.get(l.index)!;
    assert.deepEqual([got.w, got.h, got.c], l.output, `layer ${l.index} ${l.type} shape`);
    const ins = l.index === 0 ? [inputImg] : l.sources.map((s) => outs.get(s)!);
    const want = refLayer(l, ins, w.layers[l.index]);
    const diff = maxAbsDiff(got.d, want.d);
    assert.ok(diff < 1e-5, `layer ${l.index} ${l.type}: max abs diff ${diff}`);
    covered.add(l.type);
  }
  assert.equal(covered.size, 12);
});

test('heads: yolo scale_x_y, new_coords, Gaussian_yolo and region in darknet layout', () => {
  const cfg = (head: string) =>
    `[net]\nwidth=8\nheight=6\nchannels=3\n[convolutional]\nfilters=${head.includes('Gaussian') ? 2 * 11 : head.includes('region') ? 2 * 8 : 2 * 7}\nsize=1\nactivation=linear\n${head}`;
  const cases = [
    '[yolo]\nmask=0,1\nanchors=10,14,23,27,37,58\nnum=3\nclasses=2\nscale_x_y=1.2',
    '[yolo]\nmask=1,2\nanchors=10,14,23,27,37,58\nnum=3\nclasses=2\nscale_x_y=2.0\nnew_coords=1',
    '[Gaussian_yolo]\nmask=0,1\nanchors=10,14,23,27\nnum=2\nclasses=2\nscale_x_y=1.1',
    '[region]\nanchors=1,1,2,2\nnum=2\nclasses=3\ncoords=4\nsoftmax=1',
  ];
  for (const head of cases) {
    const net = analyse(cfg(head));
    const w = synthesizeWeights(net);
    const m = buildNetwork(net, w, { trainable: false });
    const x = chwToNHWC(ramp(8 * 6 * 3, 3, 0, 1), 8, 6, 3);
    const outs = m.forward(x, { outputs: [0, 1] });
    const raw = toCHW(outs.get(0)!); // conv output, CHW = [a][e][y][x]
    const l = net.layers[1];
    const t = outs.get(1)!;
    const got = darknetLayout(l, t.dataSync() as Float32Array, t.shape);
    const hw = 48;
    const s = Math.fround(l.attrs.scaleXY ?? 1),
      b = Math.fround(-0.5 * (s - 1));
    const want = new Float32Array(raw.length);
    if (l.type === 'region') {
      const per = 8;
      for (let p = 0; p < hw; p++)
        for (let n = 0; n < 2; n++) {
          const v = (e: number) => raw[(n * per + e) * hw + p];
          const base = (p * 2 + n) * per;
          for (let e = 0; e < 4; e++) want[base + e] = v(e);
          want[base + 4] = sigmoid(v(4));
          const ex = [5, 6, 7].map((e) => Math.exp(v(e)));
          const sum = ex.reduce((q, r) => q + r, 0);
          for (let k = 0; k < 3; k++) want[base + 5 + k] = ex[k] / sum;
        }
    } else {
      const per = l.type === 'yolo' ? 7 : 11;
      for (let i = 0; i < raw.length; i++) {
        const e = Math.floor(i / hw) % per;
        let v = raw[i];
        const gauss = l.type === 'Gaussian_yolo';
        const sig = gauss ? e !== 4 && e !== 6 : !l.attrs.newCoords && e !== 2 && e !== 3;
        if (sig) v = sigmoid(v);
        if (gauss ? e === 0 || e === 2 : e < 2) v = Math.fround(Math.fround(v * s) + b);
        want[i] = v;
      }
    }
    const diff = maxAbsDiff(got, want);
    assert.ok(diff < 2e-6, `${head.split('\n')[0]}: ${diff}`);
    for (const o of outs.values()) o.dispose();
    x.dispose();
    m.dispose();
  }
});

test('layers the builder cannot express fail with the layer named, before any compute', () => {
  const net = analyse('[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=4\nsize=3\npad=1\n[lrn]\n');
  assert.throws(
    () => buildNetwork(net, synthesizeWeights(net)),
    (e: Error) => e instanceof NetworkBuildError && /layer 1 \[lrn\] \(line 9\): layer type \[lrn\] is not supported/.test(e.message),
  );
  const rev = analyse('[net]\nwidth=8\nheight=8\nchannels=8\n[reorg3d]\nstride=2\nreverse=1\n');
  assert.throws(() => buildNetwork(rev, undefined), /layer 0 \[reorg3d\].*reverse=1 is not supported/);
});

test('weights round-trip through the variables (HWIO ↔ darknet layout, grouped convs, shortcut weights)', () => {
  const net = analyse(PROBE);
  const w = synthesizeWeights(net);
  const m = buildNetwork(net, w);
  const back = m.toDarknetWeights();
  for (const l of net.layers) {
    for (const [name, data] of Object.entries(w.layers[l.index]?.blocks ?? {})) {
      assert.deepEqual(back.layers[l.index]!.blocks[name as 'weights'], data, `layer ${l.index} ${name}`);
    }
  }
  assert.equal(back.totalFloats, net.totals.weightFloats);
  assert.equal(m.gammas().length, 3);
  m.dispose();
});
