// ONNX export of an analysed darknet network (no tfjs): one graph node group per darknet layer, BN
// folded into the conv in float64 (ε 1e-5, as darknet's fuse_conv_batchnorm), NCHW throughout.
// Outputs: each head's input tensor (`head_<layer>`, what enters [yolo]/[region]), or with `decode`
// the concatenated decoded boxes (decode-graph.ts).

import type { Layer, Network } from '../cfg/network';
import { headOf, isDecodedHead, networkOutputs, specOf } from '../layers';
import type { DarknetWeights, LayerWeights } from '../weights/read';
import { addDecode, DECODE_OUTPUTS } from './decode-graph';
import { GraphBuilder, OnnxExportError, type Dim } from './onnx-graph';

export { OnnxExportError };
import { activation, darknetActivation, ONNX_ACTIVATIONS, poolPads, sliceChannels, type MishForm } from './onnx-ops';

export const DEFAULT_OPSET = 18;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
const BN_EPS = 1e-5;

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
  const owner = l.attrs.shareIndex !== undefined ? net.layers[l.attrs.shareIndex] : l;
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
export function foldBatchNorm(
  weights: Float32Array,
  perOut: number,
  biases: Float32Array,
  bn?: { scales: Float32Array; mean: Float32Array; variance: Float32Array },
): { w: Float32Array; b: Float32Array } {
  if (!bn) return { w: weights, b: biases };
  const n = biases.length;
  const w = new Float32Array(weights.length),
    b = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const f = bn.scales[o] / Math.sqrt(bn.variance[o] + BN_EPS);
    for (let i = o * perOut; i < (o + 1) * perOut; i++) w[i] = weights[i] * f;
    b[o] = biases[o] - bn.mean[o] * f;
  }
  return { w, b };
}

function bnBlocks(b: LayerWeights['blocks'], n: number, l: Layer) {
  if (!l.attrs.batchNormalize) return undefined;
  if (l.attrs.dontloadscales)
    return { scales: new Float32Array(n).fill(1), mean: new Float32Array(n), variance: new Float32Array(n).fill(1) };
  return { scales: need(b, 'scales', n, l), mean: need(b, 'rolling_mean', n, l), variance: need(b, 'rolling_variance', n, l) };
}

class Exporter {
  readonly g = new GraphBuilder();
  private readonly outs: string[] = [];

  constructor(
    readonly net: Network,
    readonly weights: DarknetWeights,
    readonly opset: number,
    readonly mish?: MishForm,
  ) {}

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
    return this.g.op(
      'Conv',
      [x, this.g.floatTensor(`l${l.index}_blur`, w, [c, 1, k, k])],
      {
        kernel_shape: [k, k],
        strides: [l.attrs.strideY!, l.attrs.strideX!],
        pads: [p, p, p, p],
        group: c,
      },
      `l${l.index}_blur`,
    );
  }

  /** One darknet layer as ONNX nodes: its record's emission (core/src/layers/<type>.ts). */
  layer(l: Layer, x: string): string {
    if (!l.output || (l.index > 0 && !l.input)) throw new OnnxExportError('its output shape is unknown (run darknet-pruner check)', l);
    const bad = l.refs.find((r) => !r.valid && r.key !== 'share_index');
    if (bad) throw new OnnxExportError(`${bad.key}=${bad.raw} refers to layer ${bad.target}, outside 0…${l.index - 1}`, l);
    const emit = specOf(l)?.onnx;
    if (!emit || typeof emit !== 'function')
      throw new OnnxExportError(`layer type [${l.section.name}] cannot be expressed in the ONNX export`, l);
    const fail = (message: string): never => {
      throw new OnnxExportError(message, l);
    };
    return emit({
      g: this.g,
      net: this.net,
      layer: l,
      x,
      out: (i) => this.outs[i],
      opset: this.opset,
      act: (t, fallback) => this.act(l, t, fallback),
      blur: (t, c) => this.blur(l, t, c),
      blocks: () => blocksOf(this.net, this.weights, l),
      need: (b, name, n) => need(b, name, n, l),
      bn: (b, n, owner = l) => bnBlocks(b, n, owner),
      fold: foldBatchNorm,
      poolPads,
      sliceChannels: (t, from, to) => sliceChannels(this.g, t, from, to),
      fail,
    });
  }

  build(input: string): void {
    for (const l of this.net.layers) this.outs[l.index] = this.layer(l, l.index === 0 ? input : this.outs[l.index - 1]);
  }

  out(i: number): string {
    return this.outs[i];
  }
}

/** [w, h, c] of a layer's tensor here; softmax/cost carry `outputs` values in a 0×0×0 darknet shape. */
function tensorShape(l: Layer): [number, number, number] {
  const o = l.output!;
  return o[0] * o[1] * o[2] === 0 && l.outputs > 0 ? [1, 1, l.outputs] : o;
}

function headInfo(l: Layer, output: string): HeadInfo {
  const a = l.attrs;
  return {
    layer: l.index,
    type: l.type,
    output,
    grid: [l.output![0], l.output![1]],
    classes: a.classes!,
    mask: [...headOf(l)!.anchorSlots!(l)],
    anchors: [...(a.anchors ?? [])],
    scaleXY: a.scaleXY ?? 1,
    newCoords: !!a.newCoords,
  };
}

export function exportOnnx(net: Network, weights: DarknetWeights, opts: OnnxExportOptions = {}): OnnxExport {
  const opset = opts.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new OnnxExportError(`opset ${opset} is not supported (use ${MIN_OPSET}…${MAX_OPSET})`);
  if (opts.mish === 'op' && opset < 18) throw new OnnxExportError(`the Mish op needs opset 18 or later (asked for ${opset})`);
  if (net.layers.length === 0) throw new OnnxExportError('the cfg has no layers');
  const heads = net.layers.filter(isDecodedHead);
  if (opts.decode && heads.length === 0) throw new OnnxExportError('--decode needs a [yolo] layer; the network has none');
  for (const i of opts.layers ?? []) {
    if (!Number.isInteger(i) || i < 0 || i >= net.layers.length)
      throw new OnnxExportError(`layer ${i} does not exist (0…${net.layers.length - 1})`);
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
  // A network without heads (a classifier) outputs its output layer.
  const extra = [...(opts.layers ?? []), ...(heads.length === 0 && !opts.layers?.length ? networkOutputs(net) : [])];
  for (const i of new Set(extra)) {
    const [w, h, c] = tensorShape(net.layers[i]);
    const name = `layer_${i}`;
    ex.g.node('Identity', [ex.out(i)], {}, name, 1, true);
    ex.g.output(name, [batch, { value: c }, { value: h }, { value: w }]);
    outputs.push({ name, shape: [B, c, h, w], layer: i });
  }
  if (opts.decode) {
    const d = addDecode(
      ex.g,
      net,
      heads.map((l) => ({ layer: l, value: ex.out(l.index) })),
    );
    for (const o of DECODE_OUTPUTS) {
      const shape = o === 'objectness' ? [B, d.boxes] : [B, d.boxes, o === 'boxes' ? 4 : d.classes];
      ex.g.output(
        o,
        shape.map((v, i) => (i === 0 ? batch : { value: v })),
      );
      outputs.push({ name: o, shape });
    }
  }
  const bytes = ex.g.encode({
    opset,
    producer: 'darknet-pruner',
    version: '0.1.0',
    graphName: 'darknet',
    doc: opts.decode
      ? 'Decoded darknet heads: boxes = (x, y, w, h) centre/size relative to the network input (0..1, before any letterbox correction); objectness = σ(t_o); class_probs = σ(t_c) (darknet prob = objectness·class_prob).'
      : 'Darknet heads: head_<layer> is the NCHW tensor entering that [yolo]/[region] layer (before its in-layer activation).',
    metadata: {
      darknet_heads: JSON.stringify(infos),
      darknet_input: JSON.stringify({ width, height, channels, letterBox: net.net.letterBox }),
    },
  });
  return { bytes, opset, input: { name: inputName, shape: [B, channels, height, width] }, outputs, heads: infos, nodes: ex.g.nodeCount };
}
