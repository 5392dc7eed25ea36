// ONNX export of an analysed darknet network (no tfjs): one graph node group per darknet layer, BN
// folded into the conv in float64 (ε 1e-5, as darknet's fuse_conv_batchnorm), NCHW throughout.
// Outputs: each head's input tensor (`head_<layer>`, what enters [yolo]/[region]), or with `decode`
// the concatenated decoded boxes (decode-graph.ts).

import type { Layer, Network } from '../cfg/network';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { addDecode, DECODE_OUTPUTS } from './decode-graph';
import { GraphBuilder, OnnxExportError, type Dim } from './onnx-graph';

export { OnnxExportError };
import { activation, darknetActivation, ONNX_ACTIVATIONS, poolPads, sliceChannels, type MishForm } from './onnx-ops';

export const DEFAULT_OPSET = 18;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
const BN_EPS = 1e-5;
const HEADS = new Set(['yolo', 'Gaussian_yolo', 'region']);

export interface OnnxExportOptions {
  opset?: number;
  /** Decoded boxes instead of the raw head inputs. */
  decode?: boolean;
  /** Fixed batch size; default a symbolic `batch` dimension. */
  batch?: number;
  /** Extra outputs: these layers' outputs, NCHW, named `layer_<i>` (debugging, per-layer comparison). */
  layers?: number[];
  /** Mish as the Mish op (default at opset ≥ 18), Softplus·Tanh·Mul (default below), or the faster exp form. */
  mish?: MishForm;
}

export interface OnnxOutput {
  name: string;
  /** NCHW for heads, [N, K, …] for decoded outputs; -1 = batch. */
  shape: number[];
  layer?: number;
}

export interface HeadInfo {
  layer: number;
  type: string;
  output: string;
  grid: [number, number];
  classes: number;
  mask: number[];
  anchors: number[];
  scaleXY: number;
  newCoords: boolean;
}

export interface OnnxExport {
  bytes: Uint8Array;
  opset: number;
  input: { name: string; shape: number[] };
  outputs: OnnxOutput[];
  heads: HeadInfo[];
  nodes: number;
}

function blocksOf(net: Network, w: DarknetWeights, l: Layer): LayerWeights['blocks'] {
  const owner = l.type === 'convolutional' && l.attrs.shareIndex !== undefined ? net.layers[l.attrs.shareIndex] : l;
  if (!owner || owner.type !== l.type) throw new OnnxExportError(`share_index=${l.attrs.shareIndex} does not name a ${l.type} layer`, l);
  const lw = w.layers[owner.index];
  if (!lw) throw new OnnxExportError(`no weights for layer ${owner.index} in the .weights file (dontload?)`, l);
  return lw.blocks;
}

function need(b: LayerWeights['blocks'], name: keyof LayerWeights['blocks'], n: number, l: Layer): Float32Array {
  const v = b[name];
  if (!v || v.length !== n) throw new OnnxExportError(`${name}: expected ${n} values, weights hold ${v?.length ?? 0}`, l);
  return v;
}

/** BN-folded weights/bias (float64 arithmetic, rounded once): w·γ/√(var+ε), β − γ·mean/√(var+ε). */
export function foldBatchNorm(weights: Float32Array, perOut: number, biases: Float32Array, bn?: { scales: Float32Array; mean: Float32Array; variance: Float32Array }): { w: Float32Array; b: Float32Array } {
  if (!bn) return { w: weights, b: biases };
  const n = biases.length;
  const w = new Float32Array(weights.length), b = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const f = bn.scales[o] / Math.sqrt(bn.variance[o] + BN_EPS);
    for (let i = o * perOut; i < (o + 1) * perOut; i++) w[i] = weights[i] * f;
    b[o] = biases[o] - bn.mean[o] * f;
  }
  return { w, b };
}

function bnBlocks(b: LayerWeights['blocks'], n: number, l: Layer) {
  if (!l.attrs.batchNormalize) return undefined;
  if (l.attrs.dontloadscales) return { scales: new Float32Array(n).fill(1), mean: new Float32Array(n), variance: new Float32Array(n).fill(1) };
  return { scales: need(b, 'scales', n, l), mean: need(b, 'rolling_mean', n, l), variance: need(b, 'rolling_variance', n, l) };
}

class Exporter {
  readonly g = new GraphBuilder();
  private readonly outs: string[] = [];

  constructor(readonly net: Network, readonly weights: DarknetWeights, readonly opset: number, readonly mish?: MishForm) {}

  private act(l: Layer, x: string, fallback: string): string {
    const name = darknetActivation(l.attrs.activation, fallback);
    if (!ONNX_ACTIVATIONS.has(name)) throw new OnnxExportError(`activation=${name} has no ONNX equivalent here`, l);
    return activation(this.g, x, name, this.opset, this.mish);
  }

  /** Darknet's antialiasing blur: depthwise 3×3 [1 2 1]ᵀ[1 2 1]/16 pad 1 (or 2×2 box pad 0) at the layer's strides. */
  private blur(l: Layer, x: string, c: number): string {
    const kind = l.attrs.antialiasing!;
    const k = kind === 2 ? 2 : 3;
    const taps = kind === 2 ? [0.25, 0.25, 0.25, 0.25] : [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16);
    const w = new Float32Array(c * k * k);
    for (let ch = 0; ch < c; ch++) w.set(taps, ch * k * k);
    const p = kind === 2 ? 0 : 1;
    return this.g.op('Conv', [x, this.g.floatTensor(`l${l.index}_blur`, w, [c, 1, k, k])], {
      kernel_shape: [k, k], strides: [l.attrs.strideY!, l.attrs.strideX!], pads: [p, p, p, p], group: c,
    }, `l${l.index}_blur`);
  }

  private conv(l: Layer, x: string): string {
    const a = l.attrs, input = l.input!;
    if (a.xnor) throw new OnnxExportError('xnor (binary) convolutions are not supported', l);
    const n = a.filters!, k = a.size!, g = a.groups!, d = a.dilation!;
    if (n % g || input[2] % g) throw new OnnxExportError(`groups=${g} does not divide the ${input[2]} input channels and ${n} filters`, l);
    const cg = input[2] / g, p = a.padding! * d;
    const aa = a.antialiasing ?? 0;
    const sx = aa ? 1 : a.strideX!, sy = aa ? 1 : a.strideY!;
    const ow = Math.floor((input[0] + 2 * p - (d * (k - 1) + 1)) / sx) + 1;
    const oh = Math.floor((input[1] + 2 * p - (d * (k - 1) + 1)) / sy) + 1;
    if (!aa && (ow !== l.output![0] || oh !== l.output![1])) {
      throw new OnnxExportError(`size=${k} dilation=${d} padding=${a.padding} samples ${ow}×${oh}, darknet allocates ${l.output![0]}×${l.output![1]} (use pad=1 with an odd size)`, l);
    }
    const b = blocksOf(this.net, this.weights, l);
    const owner = a.shareIndex !== undefined ? this.net.layers[a.shareIndex] : l;
    let raw = need(b, 'weights', n * cg * k * k, l);
    if (owner.attrs.flipped) {
      // flipped=1 files store [ci·k·k][o]
      const t = new Float32Array(raw.length), kk = cg * k * k;
      for (let o = 0; o < n; o++) for (let i = 0; i < kk; i++) t[o * kk + i] = raw[i * n + o];
      raw = t;
    }
    const folded = foldBatchNorm(raw, cg * k * k, need(b, 'biases', n, l), bnBlocks(b, n, owner));
    const W = this.g.floatTensor(`l${l.index}_weight`, folded.w, [n, cg, k, k]);
    const B = this.g.floatTensor(`l${l.index}_bias`, folded.b, [n]);
    let y = this.g.op('Conv', [x, W, B], {
      kernel_shape: [k, k], strides: [sy, sx], pads: [p, p, p, p], dilations: [d, d], group: g,
    }, `l${l.index}_conv`);
    y = this.act(l, y, 'logistic');
    return aa ? this.blur(l, y, n) : y;
  }

  private maxpool(l: Layer, x: string): string {
    const a = l.attrs, [w, h, c] = l.input!;
    if (a.maxpoolDepth) {
      // out[g] = max over channels g, g + oc, g + 2·oc, …
      const oc = a.outChannels!, m = Math.ceil(c / oc);
      let t = x;
      if (m * oc !== c) t = this.g.op('Pad', [x, this.g.ints([0, 0, 0, 0, 0, m * oc - c, 0, 0]), this.g.scalar(-Infinity)], { mode: 'constant' });
      const r = this.g.op('Reshape', [t, this.g.ints([0, m, oc, h, w])]);
      return this.opset >= 18 ? this.g.op('ReduceMax', [r, this.g.ints([1])], { keepdims: 0 }) : this.g.op('ReduceMax', [r], { axes: [1], keepdims: 0 });
    }
    const aa = a.antialiasing ?? 0;
    const pads = poolPads(a.padding!);
    if (pads[0] >= a.size! || pads[2] >= a.size!) throw new OnnxExportError(`padding=${a.padding} is not smaller than size=${a.size} on each side; ONNX MaxPool rejects it`, l);
    const y = this.g.op('MaxPool', [x], { kernel_shape: [a.size!, a.size!], strides: aa ? [1, 1] : [a.strideY!, a.strideX!], pads }, `l${l.index}_maxpool`);
    return aa ? this.blur(l, y, c) : y;
  }

  private route(l: Layer): string {
    const groups = l.attrs.groups ?? 1, gid = l.attrs.groupId ?? 0;
    const parts = l.sources.map((s) => {
      const c = this.net.layers[s].output![2];
      if (c % groups) throw new OnnxExportError(`layer ${s} has ${c} channels, not divisible into groups=${groups}`, l);
      const o = this.net.layers[s].output!;
      if (o[0] !== l.output![0] || o[1] !== l.output![1]) throw new OnnxExportError(`layer ${s} is ${o[0]}×${o[1]}, layer ${l.sources[0]} is ${l.output![0]}×${l.output![1]}`, l);
      return groups === 1 ? this.outs[s] : sliceChannels(this.g, this.outs[s], gid * c / groups, (gid + 1) * c / groups);
    });
    return parts.length === 1 ? parts[0] : this.g.op('Concat', parts, { axis: 1 }, `l${l.index}_route`);
  }

  /** Normalised shortcut weights [inputs][per] (per = 1 or channels), as darknet computes them. */
  private shortcutWeights(l: Layer, inputs: number): { per: number; w: Float32Array } | undefined {
    const a = l.attrs;
    if (!a.nweights) return undefined;
    const raw = need(blocksOf(this.net, this.weights, l), 'weights', a.nweights, l);
    const per = a.nweights / inputs;
    const w = new Float32Array(raw.length);
    const norm = a.weightsNormalization ?? 'none';
    for (let j = 0; j < per; j++) {
      const col = Array.from({ length: inputs }, (_, i) => raw[i * per + j]);
      let v = col;
      if (norm === 'relu' || norm === 'avg_relu') {
        const r = col.map((x) => Math.max(0, x)), s = r.reduce((p, q) => p + q, 0);
        v = r.map((x) => x / (0.0001 + s));
      } else if (norm === 'softmax') {
        const mx = col.reduce((m, x) => Math.max(m, x), -Infinity), e = col.map((x) => Math.exp(x - mx)), s = e.reduce((p, q) => p + q, 0);
        v = e.map((x) => x / (0.0001 + s));
      }
      v.forEach((x, i) => { w[i * per + j] = x; });
    }
    return { per, w };
  }

  private shortcut(l: Layer, x: string): string {
    const c = l.input![2];
    const froms = l.sources.slice(1);
    for (const s of froms) {
      const o = this.net.layers[s].output!;
      if (o[0] !== l.input![0] || o[1] !== l.input![1]) throw new OnnxExportError(`from layer ${s} is ${o[0]}×${o[1]}, the input is ${l.input![0]}×${l.input![1]} (darknet aborts here)`, l);
    }
    const wts = this.shortcutWeights(l, froms.length + 1);
    const weigh = (t: string, i: number) => {
      if (!wts) return t;
      const v = wts.w.subarray(i * wts.per, (i + 1) * wts.per);
      return this.g.op('Mul', [t, this.g.floatTensor(`l${l.index}_w${i}`, v.slice(), wts.per === 1 ? [] : [1, wts.per, 1, 1])]);
    };
    let sum = weigh(x, 0);
    froms.forEach((s, i) => {
      const cf = this.net.layers[s].output![2];
      let t = this.outs[s];
      // A from layer with fewer channels adds into the first cf channels; extra channels are ignored.
      if (cf > c) t = sliceChannels(this.g, t, 0, c);
      else if (cf < c) t = this.g.op('Pad', [t, this.g.ints([0, 0, 0, 0, 0, c - cf, 0, 0])], { mode: 'constant' });
      sum = this.g.op('Add', [sum, weigh(t, i + 1)], {}, `l${l.index}_shortcut`);
    });
    return this.act(l, sum, 'linear');
  }

  private upsample(l: Layer, x: string): string {
    const { stride, scale = 1 } = l.attrs;
    const [w, h] = l.input!;
    let y: string;
    if (stride! > 0) {
      y = this.g.op('Resize', [x, '', this.g.floatTensor('scales', new Float32Array([1, 1, stride!, stride!]), [4])], {
        mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor',
      }, `l${l.index}_upsample`);
    } else {
      const s = -stride!;
      if (w % s || h % s) throw new OnnxExportError(`downsampling ${w}×${h} by ${s} is not exact (darknet scrambles rows here)`, l);
      // Sum of each s×s block = average × s².
      y = this.g.op('Mul', [this.g.op('AveragePool', [x], { kernel_shape: [s, s], strides: [s, s] }), this.g.scalar(s * s)]);
    }
    return scale === 1 ? y : this.g.op('Mul', [y, this.g.scalar(scale)]);
  }

  private reorg(l: Layer, x: string): string {
    const [w, h, c] = l.input!, s = l.attrs.stride!;
    if (l.attrs.reverse) throw new OnnxExportError('reverse=1 is not supported (darknet\'s CPU reverse reorg is not the inverse)', l);
    if (w % s || h % s) throw new OnnxExportError(`input ${w}×${h} is not divisible by stride ${s}`, l);
    if (l.type === 'reorg3d') return this.g.op('SpaceToDepth', [x], { blocksize: s });
    // Legacy reorg (docs/network.md §Layer semantics): the CHW buffer read as [c/s², h·s, w·s],
    // space-to-depth, read back as the output.
    if (c % (s * s)) throw new OnnxExportError(`${c} channels are not divisible by stride² = ${s * s}`, l);
    const v = this.g.op('Reshape', [x, this.g.ints([0, c / (s * s), h * s, w * s])]);
    const y = this.g.op('SpaceToDepth', [v], { blocksize: s });
    const [ow, oh, oc] = l.output!;
    return this.g.op('Reshape', [y, this.g.ints([0, oc, oh, ow])]);
  }

  private multiplyFrom(l: Layer, x: string): string {
    const input = l.input!, from = this.net.layers[l.sources[1]]?.output;
    if (!from) throw new OnnxExportError('the from layer has no output', l);
    const ok = l.type === 'sam' ? input.every((v, i) => v === from[i])
      : l.attrs.scaleWH ? input[0] === from[0] && input[1] === from[1] && input[2] === 1
        : input[0] === 1 && input[1] === 1 && input[2] === from[2];
    if (!ok) throw new OnnxExportError(`input ${input.join('×')} does not fit the from layer ${from.join('×')}`, l);
    return this.act(l, this.g.op('Mul', [x, this.outs[l.sources[1]]]), 'linear');
  }

  private connected(l: Layer, x: string): string {
    const n = l.attrs.output!;
    const nin = l.input![0] * l.input![1] * l.input![2];
    const b = blocksOf(this.net, this.weights, l);
    const folded = foldBatchNorm(need(b, 'weights', n * nin, l), nin, need(b, 'biases', n, l), bnBlocks(b, n, l));
    const flat = this.g.op('Flatten', [x], { axis: 1 });
    const y = this.g.op('Gemm', [flat, this.g.floatTensor(`l${l.index}_weight`, folded.w, [n, nin]), this.g.floatTensor(`l${l.index}_bias`, folded.b, [n])], { transB: 1 });
    return this.g.op('Reshape', [this.act(l, y, 'logistic'), this.g.ints([0, n, 1, 1])]);
  }

  private batchnorm(l: Layer, x: string): string {
    const c = l.output![2];
    const b = blocksOf(this.net, this.weights, l);
    const scales = need(b, 'scales', c, l), mean = need(b, 'rolling_mean', c, l), variance = need(b, 'rolling_variance', c, l);
    const folded = foldBatchNorm(new Float32Array(c).fill(1), 1, need(b, 'biases', c, l), { scales, mean, variance });
    const m = this.g.op('Mul', [x, this.g.floatTensor(`l${l.index}_scale`, folded.w, [1, c, 1, 1])]);
    return this.g.op('Add', [m, this.g.floatTensor(`l${l.index}_shift`, folded.b, [1, c, 1, 1])]);
  }

  private softmax(l: Layer, x: string): string {
    const groups = l.attrs.softmaxGroups ?? 1, t = l.attrs.temperature ?? 1;
    const total = l.input![0] * l.input![1] * l.input![2];
    if (total % groups) throw new OnnxExportError(`${total} inputs are not divisible into groups=${groups}`, l);
    let y = this.g.op('Reshape', [x, this.g.ints([0, groups, total / groups])]);
    if (t !== 1) y = this.g.op('Div', [y, this.g.scalar(t)]);
    y = this.g.op('Softmax', [y], { axis: -1 });
    return this.g.op('Reshape', [y, this.g.ints([0, total, 1, 1])]);
  }

  layer(l: Layer, x: string): string {
    if (!l.output || (l.index > 0 && !l.input)) throw new OnnxExportError('its output shape is unknown (run darknet-pruner check)', l);
    const bad = l.refs.find((r) => !r.valid && r.key !== 'share_index');
    if (bad) throw new OnnxExportError(`${bad.key}=${bad.raw} refers to layer ${bad.target}, outside 0…${l.index - 1}`, l);
    switch (l.type) {
      case 'convolutional': return this.conv(l, x);
      case 'maxpool': return this.maxpool(l, x);
      case 'local_avgpool': {
        const a = l.attrs;
        return this.g.op('AveragePool', [x], { kernel_shape: [a.size!, a.size!], strides: [a.strideY!, a.strideX!], pads: poolPads(a.padding!), count_include_pad: 0 });
      }
      case 'avgpool': return this.g.op('GlobalAveragePool', [x]);
      case 'route': return this.route(l);
      case 'shortcut': return this.shortcut(l, x);
      case 'upsample': return this.upsample(l, x);
      case 'reorg3d': case 'reorg': return this.reorg(l, x);
      case 'sam': case 'scale_channels': return this.multiplyFrom(l, x);
      case 'connected': return this.connected(l, x);
      case 'batchnorm': return this.batchnorm(l, x);
      case 'activation': return this.act(l, x, 'linear');
      case 'softmax': return this.softmax(l, x);
      case 'dropout': case 'empty': case 'cost': case 'yolo': case 'Gaussian_yolo': case 'region':
        return x;
      default:
        throw new OnnxExportError(`layer type [${l.section.name}] cannot be expressed in the ONNX export`, l);
    }
  }

  build(input: string): void {
    for (const l of this.net.layers) this.outs[l.index] = this.layer(l, l.index === 0 ? input : this.outs[l.index - 1]);
  }

  out(i: number): string { return this.outs[i]; }
}

/** [w, h, c] of a layer's tensor here; softmax/cost carry `outputs` values in a 0×0×0 darknet shape. */
function tensorShape(l: Layer): [number, number, number] {
  const o = l.output!;
  return o[0] * o[1] * o[2] === 0 && l.outputs > 0 ? [1, 1, l.outputs] : o;
}

function headInfo(l: Layer, output: string): HeadInfo {
  const a = l.attrs;
  return {
    layer: l.index, type: l.type, output, grid: [l.output![0], l.output![1]], classes: a.classes!,
    mask: l.type === 'region' ? Array.from({ length: a.num! }, (_, i) => i) : [...a.mask!],
    anchors: [...(a.anchors ?? [])], scaleXY: a.scaleXY ?? 1, newCoords: !!a.newCoords,
  };
}

export function exportOnnx(net: Network, weights: DarknetWeights, opts: OnnxExportOptions = {}): OnnxExport {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) throw new OnnxExportError(`opset ${opset} is not supported (use ${MIN_OPSET}…${MAX_OPSET})`);
  if (opts.mish === 'op' && opset < 18) throw new OnnxExportError(`the Mish op needs opset 18 or later (asked for ${opset})`);
  if (net.layers.length === 0) throw new OnnxExportError('the cfg has no layers');
  const heads = net.layers.filter((l) => HEADS.has(l.type));
  if (opts.decode && heads.length === 0) throw new OnnxExportError('--decode needs a [yolo] layer; the network has none');
  for (const i of opts.layers ?? []) {
    if (!Number.isInteger(i) || i < 0 || i >= net.layers.length) throw new OnnxExportError(`layer ${i} does not exist (0…${net.layers.length - 1})`);
  }
  const ex = new Exporter(net, weights, opset, opts.mish);
  const { width, height, channels } = net.net;
  const batch: Dim = opts.batch ? { value: opts.batch } : { param: 'batch' };
  const inputName = ex.g.input('input', [batch, { value: channels }, { value: height }, { value: width }]);
  ex.build(inputName);
  const B = opts.batch ?? -1;
  const outputs: OnnxOutput[] = [];
  const infos: HeadInfo[] = [];
  for (const l of heads) {
    const [w, h, c] = l.input!;
    const name = `head_${l.index}`;
    infos.push(headInfo(l, name));
    if (opts.decode) continue;
    ex.g.node('Identity', [ex.out(l.index)], {}, name, 1, true);
    ex.g.output(name, [batch, { value: c }, { value: h }, { value: w }]);
    outputs.push({ name, shape: [B, c, h, w], layer: l.index });
  }
  // A network without heads (a classifier) outputs its last layer.
  const extra = [...(opts.layers ?? []), ...(heads.length === 0 && !opts.layers?.length ? [net.layers.length - 1] : [])];
  for (const i of new Set(extra)) {
    const [w, h, c] = tensorShape(net.layers[i]);
    const name = `layer_${i}`;
    ex.g.node('Identity', [ex.out(i)], {}, name, 1, true);
    ex.g.output(name, [batch, { value: c }, { value: h }, { value: w }]);
    outputs.push({ name, shape: [B, c, h, w], layer: i });
  }
  if (opts.decode) {
    const d = addDecode(ex.g, net, heads.map((l) => ({ layer: l, value: ex.out(l.index) })));
    for (const o of DECODE_OUTPUTS) {
      const shape = o === 'objectness' ? [B, d.boxes] : [B, d.boxes, o === 'boxes' ? 4 : d.classes];
      ex.g.output(o, shape.map((v, i) => (i === 0 ? batch : { value: v })));
      outputs.push({ name: o, shape });
    }
  }
  const bytes = ex.g.encode({
    opset, producer: 'darknet-pruner', version: '0.1.0', graphName: 'darknet',
    doc: opts.decode
      ? 'Decoded darknet heads: boxes = (x, y, w, h) centre/size relative to the network input (0..1, before any letterbox correction); objectness = σ(t_o); class_probs = σ(t_c) (darknet prob = objectness·class_prob).'
      : 'Darknet heads: head_<layer> is the NCHW tensor entering that [yolo]/[region] layer (before its in-layer activation).',
    metadata: { darknet_heads: JSON.stringify(infos), darknet_input: JSON.stringify({ width, height, channels, letterBox: net.net.letterBox }) },
  });
  return { bytes, opset, input: { name: inputName, shape: [B, channels, height, width] }, outputs, heads: infos, nodes: ex.g.nodeCount };
}
