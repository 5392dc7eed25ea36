// Darknet building blocks as standard ONNX ops (docs/network.md §Layer semantics, §Activations):
// activations, channel slices, pool padding. Mathematical definitions throughout, like the tfjs
// network (CPU darknet returns 0 for relu6/swish/mish/hard_mish outside conv and shortcut; GPU
// darknet and we do not).

import type { GraphBuilder } from './onnx-graph';

/** Activations we can express; anything else is reported by the exporter with the layer. */
export const ONNX_ACTIVATIONS = new Set([
  'linear',
  'leaky',
  'revleaky',
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
  'swish',
  'mish',
  'hard_mish',
  'normalize_channels',
  'normalize_channels_softmax',
  'normalize_channels_softmax_maxval',
]);

const KNOWN = new Set([...ONNX_ACTIVATIONS, 'stair']);

/** Darknet maps an unknown activation name to relu. */
export const darknetActivation = (name: string | undefined, fallback: string): string => {
  const n = name ?? fallback;
  return KNOWN.has(n) ? n : 'relu';
};

function clip(g: GraphBuilder, x: string, lo: number, hi: number): string {
  return g.op('Clip', [x, g.scalar(lo), g.scalar(hi)]);
}
const mul = (g: GraphBuilder, a: string, b: string) => g.op('Mul', [a, b]);
const add = (g: GraphBuilder, a: string, b: string) => g.op('Add', [a, b]);

/** y = x·a + b with scalar constants. */
function affine(g: GraphBuilder, x: string, a: number, b: number): string {
  const y = a === 1 ? x : mul(g, x, g.scalar(a));
  return b === 0 ? y : add(g, y, g.scalar(b));
}

/** Per-pixel normalisation over channels (axis 1, NCHW). */
function normalizeChannels(g: GraphBuilder, x: string, kind: string, opset: number): string {
  const axes = g.ints([1]);
  const sum = (t: string) => g.op('ReduceSum', [t, axes], { keepdims: 1 });
  if (kind === 'normalize_channels') {
    const pos = g.op('Relu', [x]);
    return g.op('Div', [pos, add(g, sum(pos), g.scalar(0.0001))]);
  }
  let shifted = x;
  if (kind === 'normalize_channels_softmax_maxval') {
    // ReduceMax takes axes as an attribute before opset 18 and as an input from 18 on.
    const max = opset >= 18 ? g.op('ReduceMax', [x, axes], { keepdims: 1 }) : g.op('ReduceMax', [x], { axes: [1], keepdims: 1 });
    shifted = g.op('Sub', [x, max]);
  }
  const e = g.op('Exp', [shifted]);
  return g.op('Div', [e, add(g, sum(e), g.scalar(0.0001))]);
}

/**
 * How mish is written: `op` = the Mish op (opset ≥ 18; OpenVINO runs it natively, onnxruntime expands
 * it to Softplus·Tanh·Mul), `softplus` = x·Tanh(Softplus(x)), `exp` = x·n/(n + 2) with
 * n = eᶜ(eᶜ + 2), c = min(x, 20) — the same function (tanh(ln(1+eˣ)) = n/(n+2)) using only Exp and
 * arithmetic, ≈ 4× faster than Softplus in onnxruntime's CPU kernels.
 */
export type MishForm = 'op' | 'softplus' | 'exp';

function mish(g: GraphBuilder, x: string, form: MishForm): string {
  if (form === 'op') return g.op('Mish', [x]);
  if (form === 'softplus') return mul(g, x, g.op('Tanh', [g.op('Softplus', [x])]));
  const e = g.op('Exp', [g.op('Min', [x, g.scalar(20)])]);
  const n = mul(g, e, add(g, e, g.scalar(2)));
  return mul(g, x, g.op('Div', [n, add(g, n, g.scalar(2))]));
}

export function activation(g: GraphBuilder, x: string, name: string, opset: number, mishForm?: MishForm): string {
  switch (name) {
    case 'linear':
      return x;
    case 'leaky':
    case 'revleaky':
      return g.op('LeakyRelu', [x], { alpha: { f: 0.1 } });
    case 'relu':
      return g.op('Relu', [x]);
    case 'relu6':
      return clip(g, x, 0, 6);
    case 'logistic':
      return g.op('Sigmoid', [x]);
    case 'loggy':
      return affine(g, g.op('Sigmoid', [x]), 2, -1);
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'elu':
      return g.op('Elu', [x], { alpha: { f: 1 } });
    case 'selu':
      return g.op('Selu', [x], { alpha: { f: 1.6732 }, gamma: { f: 1.0507 } });
    case 'gelu': {
      // darknet: 0.5·x·(1 + tanh(0.797885·x + 0.035677·x³))
      const x3 = mul(g, mul(g, x, x), x);
      const inner = add(g, affine(g, x, 0.797885, 0), affine(g, x3, 0.035677, 0));
      return mul(g, affine(g, x, 0.5, 0), affine(g, g.op('Tanh', [inner]), 1, 1));
    }
    case 'relie':
      return g.op('LeakyRelu', [x], { alpha: { f: 0.01 } });
    case 'ramp':
      return add(g, g.op('Relu', [x]), affine(g, x, 0.1, 0));
    case 'plse':
      return add(g, affine(g, x, 0.01, 0.5), affine(g, clip(g, x, -4, 4), 0.115, 0));
    case 'hardtan':
      return clip(g, x, -1, 1);
    case 'lhtan':
      return add(g, affine(g, x, 0.001, 0), affine(g, clip(g, x, 0, 1), 0.999, 0));
    case 'swish':
      return mul(g, x, g.op('Sigmoid', [x]));
    case 'mish':
      return mish(g, x, mishForm ?? (opset >= 18 ? 'op' : 'softplus'));
    // x if x>0; x²/2 + x on (−2, 0]; 0 below: x·(clip(x, −2, 0)/2 + 1).
    case 'hard_mish':
      return mul(g, x, affine(g, clip(g, x, -2, 0), 0.5, 1));
    case 'normalize_channels':
    case 'normalize_channels_softmax':
    case 'normalize_channels_softmax_maxval':
      return normalizeChannels(g, x, name, opset);
    default:
      throw new Error(`activation ${name} has no ONNX equivalent here`);
  }
}

/** Channels [from, to) of an NCHW tensor. */
export function sliceChannels(g: GraphBuilder, x: string, from: number, to: number): string {
  return g.op('Slice', [x, g.ints([from]), g.ints([to]), g.ints([1])], {}, 'slice');
}

/** Darknet pool padding (total `padding`): ⌊padding/2⌋ top/left, the rest bottom/right; ONNX order [t, l, b, r]. */
export function poolPads(padding: number): number[] {
  const b = Math.floor(padding / 2);
  return [b, b, padding - b, padding - b];
}
