// [convolutional] (convolutional_layer.c; docs/network.md §Layer semantics): conv, optional BN, activation,
// optional antialiasing blur. The only layer whose output channels pruning removes (docs/pruning.md §Populations).

import type * as TF from '@tensorflow/tfjs-core';
import type { Layer } from '../cfg/network';
import { findOption } from '../cfg/parse';
import { CROSS_CHANNEL_ACTIVATIONS } from '../prune/activation';
import { BN_EPSILON, bnBlocks, bnVariables } from './common';
import { antialiasBlur, convOut, f32, rfThrough } from './geometry';
import { act, flag, float, int } from './keys';
import type { LayerWeights } from '../weights/read';
import type { ConvParams, ForwardContext, LayerSpec, T4 } from './spec';

/** Darknet [o][ci][ky][kx] (or flipped [ci·k·k][o]) → HWIO. */
function darknetToHWIO(w: Float32Array, n: number, cg: number, k: number, flipped = false): Float32Array {
  const out = new Float32Array(w.length);
  const kk = k * k;
  for (let o = 0; o < n; o++) {
    for (let ci = 0; ci < cg; ci++) {
      for (let t = 0; t < kk; t++) {
        const src = flipped ? (ci * kk + t) * n + o : (o * cg + ci) * kk + t;
        out[(t * cg + ci) * n + o] = w[src];
      }
    }
  }
  return out;
}

/** HWIO → darknet [o][ci][ky][kx]. */
function hwioToDarknet(w: Float32Array, n: number, cg: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  const kk = k * k;
  for (let o = 0; o < n; o++) {
    for (let ci = 0; ci < cg; ci++) {
      for (let t = 0; t < kk; t++) out[(o * cg + ci) * kk + t] = w[(t * cg + ci) * n + o];
    }
  }
  return out;
}

/** Output size the kernel actually samples (darknet allocates by its own formula, docs/cfg-format.md §Shapes). */
function sampled(l: Layer): { ow: number; oh: number; sx: number; sy: number; p: number } {
  const a = l.attrs,
    input = l.input!;
  const k = a.size!,
    d = a.dilation!,
    p = a.padding! * d;
  const sx = a.antialiasing ? 1 : a.strideX!,
    sy = a.antialiasing ? 1 : a.strideY!;
  return {
    ow: Math.floor((input[0] + 2 * p - (d * (k - 1) + 1)) / sx) + 1,
    oh: Math.floor((input[1] + 2 * p - (d * (k - 1) + 1)) / sy) + 1,
    sx,
    sy,
    p,
  };
}

function convForward({ tf, ops, layer: l, x, params, training, batchNorm }: ForwardContext): T4 {
  const a = l.attrs,
    p = params!.conv!;
  const act = ops.resolveActivation(a.activation, 'logistic');
  const aa = a.antialiasing ?? 0;
  const sx = aa ? 1 : a.strideX!,
    sy = aa ? 1 : a.strideY!;
  const d = a.dilation!,
    g = a.groups!;
  const padded = ops.padForConv(x, d * (a.size! - 1) + 1, d > 1 ? 1 : sy, d > 1 ? 1 : sx, a.padding! * d);
  const pad = padded.mode;
  x = padded.x;
  let y: T4;
  const fused = ops.fusedActivation(act);
  if (!training && g === 1 && d === 1) {
    // Inference fast path: BN folded into the kernel (as darknet's fuse_conv_batchnorm), bias and
    // activation fused into the conv.
    let kernel: T4 = p.kernel as TF.Variable<TF.Rank.R4>,
      bias: TF.Tensor1D = p.biases as TF.Variable<TF.Rank.R1>;
    if (p.scales) {
      const scale = tf.div(p.scales, tf.sqrt(tf.add(p.rollingVariance!, BN_EPSILON)));
      kernel = tf.mul(kernel, scale) as T4;
      bias = tf.sub(p.biases, tf.mul(p.rollingMean!, scale)) as TF.Tensor1D;
    }
    y = tf.fused.conv2d({
      x,
      filter: kernel,
      strides: [sy, sx],
      pad,
      bias,
      activation: fused?.activation ?? 'linear',
      leakyreluAlpha: fused?.alpha,
    });
    if (!fused) y = ops.activate(y, act) as T4;
  } else {
    const kernel = p.kernel as TF.Variable<TF.Rank.R4>;
    if (d > 1 && (sx > 1 || sy > 1)) {
      // tfjs convs take strides or dilation, not both: dilated conv at stride 1, then subsample.
      const full = ops.conv2d(x, kernel, { strides: 1, pad, dilation: d, groups: g });
      y = tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, sy, sx, 1]) as T4;
    } else {
      y = ops.conv2d(x, kernel, { strides: [sy, sx], pad, dilation: d, groups: g });
    }
    y = p.scales ? batchNorm(y, p.scales, p.biases, p.rollingMean!, p.rollingVariance!) : tf.add(y, p.biases);
    y = ops.activate(y, act) as T4;
  }
  if (aa) y = ops.antialias(y, aa, a.strideX!, a.strideY!);
  return y;
}

export const convolutional = {
  name: 'convolutional',
  aliases: ['conv'],
  role: 'conv',
  doc: 'Convolution, optionally followed by batch normalisation, then an activation.',
  keys: {
    filters: int('1', 'Number of output channels.', { min: 1 }),
    size: int('1', 'Square kernel size.', { min: 1 }),
    stride: int('1', 'Stride for any axis without a valid stride_x / stride_y.', { min: 1 }),
    stride_x: int('-1', 'Horizontal stride (≥ 1 overrides `stride`).'),
    stride_y: int('-1', 'Vertical stride (≥ 1 overrides `stride`).'),
    pad: flag('If non-zero, padding = size/2 (overrides `padding`).'),
    padding: int('0', 'Explicit padding per side, used when pad=0.', { min: 0 }),
    groups: int('1', 'Grouped convolution: number of groups (depthwise when groups = channels).', { min: 1 }),
    dilation: int('1', 'Dilation (forced to 1 when size=1).', { min: 1 }),
    activation: act('logistic', "Activation after the convolution (darknet's default is logistic, not linear)."),
    batch_normalize: flag('Batch normalisation after the convolution (no conv bias then; BN β plays its role).'),
    cbn: flag('Cross-iteration batch norm (also enables batch_normalize).'),
    share_index: { type: 'ref', doc: 'Reuse the weights of another convolutional layer; this layer then reads nothing from .weights.' },
    antialiasing: int('0', 'Run at stride 1 and blur-downsample afterwards (1: 3×3 blur, 2: 2×2 box).', { min: 0, max: 2 }),
    binary: flag('Binary weights.'),
    xnor: flag('XNOR convolution (BFLOPs / 32).'),
    bin_output: flag('Binary output.'),
    flipped: flag('Weights stored transposed in .weights.'),
    dot: float('0', 'Training: dot-product regularisation.'),
    sway: flag('Sway (rotation-invariant) kernels.'),
    rotate: flag('Rotation-invariant kernels.'),
    stretch: flag('Stretch-invariant kernels.'),
    stretch_sway: flag('Stretch and sway kernels.'),
    angle: float('15', 'Angle for sway/rotate kernels.'),
    grad_centr: flag('Gradient centralisation.'),
    reverse: flag('Reverse (for sway kernels).'),
    coordconv: flag('Add coordinate channels.'),
    assisted_excitation: float('0', 'Training: assisted excitation.'),
    stream: int('-1', 'GPU stream.'),
    wait_stream: int('-1', 'GPU stream to wait for.'),
    deform: flag('Deformable kernels.'),
  },
  refs: [{ key: 'share_index' }],

  analysis: {
    run({ layer, o, a, input, prev, fail }) {
      a.filters = o.int('filters');
      a.size = o.int('size');
      const stride = o.int('stride');
      let sx = o.int('stride_x'),
        sy = o.int('stride_y');
      if (sx < 1) sx = stride;
      if (sy < 1) sy = stride;
      a.padding = o.int('pad') ? Math.trunc(a.size / 2) : o.int('padding');
      a.groups = Math.max(1, o.int('groups'));
      a.dilation = a.size === 1 ? 1 : o.int('dilation');
      a.activation = o.str('activation');
      a.batchNormalize = o.int('batch_normalize') !== 0 || o.int('cbn') !== 0;
      a.antialiasing = o.int('antialiasing');
      a.xnor = o.int('xnor') !== 0;
      if (a.xnor) a.groups = 1;
      a.flipped = o.int('flipped') !== 0;
      a.dontloadscales = o.int('dontloadscales') !== 0;
      const share = layer.refs.find((r) => r.key === 'share_index');
      a.shareIndex = share?.target;
      a.strideX = sx;
      a.strideY = sy;
      if (!input) return;
      const n = a.filters,
        k = a.size,
        c = input[2];
      const runSx = a.antialiasing ? 1 : sx,
        runSy = a.antialiasing ? 1 : sy;
      if (n < 1 || k < 1 || runSx < 1 || runSy < 1) {
        fail('filters, size and stride must be ≥ 1');
        return;
      }
      a.nweights = Math.trunc(c / a.groups) * n * k * k;
      let out: [number, number, number] = [convOut(input[0], a.padding, k, runSx), convOut(input[1], a.padding, k, runSy), n];
      if (out[0] < 1 || out[1] < 1) {
        fail(`output ${out[0]}×${out[1]} is empty (input ${input[0]}×${input[1]}, size ${k}, padding ${a.padding})`);
        return;
      }
      let bf = (2.0 * a.nweights * out[1] * out[0]) / 1e9;
      if (a.xnor) bf /= 32;
      layer.bflops = f32(bf);
      if (a.antialiasing) out = antialiasBlur(out, a.antialiasing, sx, sy);
      layer.output = out;
      layer.rf = rfThrough(prev.rf, a.dilation * (k - 1) + 1, sx);
      layer.params = share ? 0 : a.nweights + n + (a.batchNormalize ? n : 0);
      layer.weightFloats = share ? 0 : n + (a.batchNormalize && !a.dontloadscales ? 3 * n : 0) + a.nweights;
    },
  },

  blocks(l) {
    const a = l.attrs,
      n = a.filters!;
    return [
      { name: 'biases', length: n },
      ...(a.batchNormalize && !a.dontloadscales ? bnBlocks(n) : []),
      { name: 'weights', length: a.nweights! },
    ];
  },
  fanIn: (l) => l.attrs.size! * l.attrs.size! * Math.trunc(l.input![2] / l.attrs.groups!),

  forward: {
    check(l) {
      const a = l.attrs,
        input = l.input!;
      if (a.xnor) return 'xnor (binary) convolutions are not supported';
      const { ow, oh } = sampled(l);
      const want = a.antialiasing ? [ow, oh] : [l.output![0], l.output![1]];
      if (ow !== want[0] || oh !== want[1])
        return `size=${a.size} dilation=${a.dilation} padding=${a.padding} gives ${ow}×${oh} when sampled but darknet allocates ${want[0]}×${want[1]}; darknet's own geometry is inconsistent here (use pad=1 with an odd size)`;
      if (a.filters! % a.groups! !== 0 || input[2] % a.groups! !== 0)
        return `groups=${a.groups} does not divide the ${input[2]} input channels and ${a.filters} filters`;
      return undefined;
    },
    run: (ctx) => convForward(ctx),
    params({ layer: l, lw, built, variable, block, uniform, initialised }) {
      const a = l.attrs;
      if (a.shareIndex !== undefined) {
        const owner = built[a.shareIndex]?.conv;
        if (!owner) throw new Error(`layer ${l.index}: share_index=${a.shareIndex} does not name a convolutional layer`);
        return { conv: owner };
      }
      initialised();
      const n = a.filters!,
        k = a.size!,
        cg = Math.trunc(l.input![2] / a.groups!);
      const fanIn = k * k * cg;
      const raw = block('weights', n * cg * k * k, () => uniform(n * cg * k * k, Math.sqrt(2 / fanIn)));
      const p: ConvParams = {
        kernel: variable('kernel', darknetToHWIO(raw, n, cg, k, a.flipped && lw !== undefined), [k, k, cg, n]),
        biases: variable(
          'biases',
          block('biases', n, () => new Float32Array(n)),
          [n],
        ),
        owner: l.index,
      };
      if (a.batchNormalize) Object.assign(p, bnVariables({ variable, block }, n));
      return { conv: p };
    },
    toBlocks(p, l, data) {
      const c = p.conv;
      if (!c || c.owner !== l.index) return undefined;
      const [k, , cg, n] = c.kernel.shape;
      const blocks: LayerWeights['blocks'] = { biases: data(c.biases).slice(), weights: hwioToDarknet(data(c.kernel), n, cg, k) };
      if (c.scales && !l.attrs.dontloadscales) {
        blocks.scales = data(c.scales).slice();
        blocks.rolling_mean = data(c.rollingMean!).slice();
        blocks.rolling_variance = data(c.rollingVariance!).slice();
      }
      return blocks;
    },
  },

  onnx({ g, net, layer: l, x, act, blur, blocks, need, bn, fold, fail }) {
    const a = l.attrs,
      input = l.input!;
    if (a.xnor) fail('xnor (binary) convolutions are not supported');
    const n = a.filters!,
      k = a.size!,
      gr = a.groups!,
      d = a.dilation!;
    if (n % gr || input[2] % gr) fail(`groups=${gr} does not divide the ${input[2]} input channels and ${n} filters`);
    const cg = input[2] / gr;
    const { ow, oh, sx, sy, p } = sampled(l);
    if (!a.antialiasing && (ow !== l.output![0] || oh !== l.output![1])) {
      fail(
        `size=${k} dilation=${d} padding=${a.padding} samples ${ow}×${oh}, darknet allocates ${l.output![0]}×${l.output![1]} (use pad=1 with an odd size)`,
      );
    }
    const b = blocks();
    const owner = a.shareIndex !== undefined ? net.layers[a.shareIndex] : l;
    let raw = need(b, 'weights', n * cg * k * k);
    if (owner.attrs.flipped) {
      // flipped=1 files store [ci·k·k][o]
      const t = new Float32Array(raw.length),
        kk = cg * k * k;
      for (let o = 0; o < n; o++) for (let i = 0; i < kk; i++) t[o * kk + i] = raw[i * n + o];
      raw = t;
    }
    const folded = fold(raw, cg * k * k, need(b, 'biases', n), bn(b, n, owner));
    const W = g.floatTensor(`l${l.index}_weight`, folded.w, [n, cg, k, k]);
    const B = g.floatTensor(`l${l.index}_bias`, folded.b, [n]);
    let y = g.op(
      'Conv',
      [x, W, B],
      {
        kernel_shape: [k, k],
        strides: [sy, sx],
        pads: [p, p, p, p],
        dilations: [d, d],
        group: gr,
      },
      `l${l.index}_conv`,
    );
    y = act(y, 'logistic');
    return a.antialiasing ? blur(y, n) : y;
  },

  prune: {
    channels: 'source',
    constrain({ net, layer, at, pin, pinOutputOf, referenceExcluded }) {
      const i = layer.index,
        a = layer.attrs,
        n = net.layers.length;
      const why =
        (a.groups ?? 1) > 1
          ? 'grouped convolution'
          : a.flipped
            ? 'flipped weights'
            : a.xnor || findOption(layer.section, 'binary')
              ? 'binary/xnor convolution'
              : a.shareIndex !== undefined
                ? 'shares weights (share_index)'
                : a.dontload
                  ? 'dontload=1'
                  : undefined;
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
      // The reference implementation's exclusions c1, c2 (docs/pruning.md §Populations); c3 is in upsample.ts.
      const next = net.layers[i + 1],
        next2 = net.layers[i + 2];
      if (a.batchNormalize) {
        if (next?.type === 'maxpool' && next2?.type === 'route') referenceExcluded.set(i, 'c1: SPP input (conv → maxpool → route)');
        else if (next?.type === 'route' && findOption(next.section, 'groups')) referenceExcluded.set(i, 'c2: feeds a route with groups');
      }
    },
    constants({ layer, c, removed, weights, activationFn }) {
      if (!removed || !removed.some((v) => v)) return undefined;
      const beta = weights.layers[layer.index]!.blocks.biases!;
      const f = activationFn(layer.attrs.activation);
      const out = new Float64Array(c);
      for (let k = 0; k < c; k++) if (removed[k]) out[k] = Math.fround(f(beta[k]));
      return out;
    },
    recount(l, cin, nOut) {
      const a = l.attrs,
        k = a.size!;
      const nweights = Math.trunc(cin / a.groups!) * nOut * k * k;
      const shared = a.shareIndex !== undefined;
      // the conv runs at stride 1 under antialiasing: its BFLOPs use the pre-blur size
      const ow = a.antialiasing ? l.input![0] + 2 * a.padding! - k + 1 : l.output![0];
      const oh = a.antialiasing ? l.input![1] + 2 * a.padding! - k + 1 : l.output![1];
      let bf = (2.0 * nweights * oh * ow) / 1e9;
      if (a.xnor) bf /= 32;
      return {
        params: shared ? 0 : nweights + nOut + (a.batchNormalize ? nOut : 0),
        weightFloats: shared || a.dontload ? 0 : nOut + (a.batchNormalize && !a.dontloadscales ? 3 * nOut : 0) + nweights,
        bflops: f32(bf),
      };
    },
  },

  diffLabel: 'conv',
  graph: {
    short: 'conv',
    label: (l, short) => {
      const a = l.attrs,
        stride = (a.strideX ?? 1) > 1 ? `/${a.strideX}` : '';
      return `${short} ${a.filters ?? '?'} ${a.size ?? '?'}×${a.size ?? '?'}${stride}${(a.groups ?? 1) > 1 ? ` g${a.groups}` : ''}`;
    },
  },
  diffKey: (l) => {
    const a = l.attrs;
    return [a.size, a.strideX, a.strideY, a.dilation, a.batchNormalize, a.activation, (a.groups ?? 1) > 1];
  },
} satisfies LayerSpec<'convolutional'>;
