// What one darknet layer type is, as one typed record (the shape of darknet's own
// `<type>_layer.c` files): its cfg keys, its analysis, its .weights blocks, its TF.js forward, its
// ONNX emission, how pruning masks and constants flow through it, and its diff key.
// Capabilities that need TF.js or protobuf receive them through their context, so the language
// server and the cfg-only CLI load this registry without either (types below are erased).

import type { GraphEdgeKind } from '../protocol/graph';
import type * as TF from '@tensorflow/tfjs-core';
import type { Diagnostic, Layer, LayerAttrs, Network, ReceptiveField, Shape } from '../cfg/network';
import type { Options } from '../cfg/options';
import type { GraphBuilder } from '../export/onnx-graph';
import type { Block } from '../weights/format';
import type { LayerWeights } from '../weights/read';

export type KeyType = 'int' | 'float' | 'string' | 'enum' | 'intList' | 'floatList' | 'refs' | 'ref' | 'path';

export interface KeySpec {
  type: KeyType;
  /** Default as darknet applies it, in display form; undefined = required or no default. */
  default?: string;
  doc: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  required?: boolean;
}

/** What a layer does in the graph (outline kinds, and the reader's first orientation). */
export type Role =
  'conv' | 'dense' | 'pool' | 'merge' | 'resample' | 'head' | 'normalise' | 'identity' | 'constant' | 'training' | 'recurrent';

/** A key holding layer references; `ignore` drops values darknet treats as "none". */
export interface RefKey {
  key: string;
  ignore?: (raw: number) => boolean;
}

// ---- analysis -------------------------------------------------------------------------------

export interface Previous {
  shape: Shape | undefined;
  outputs: number;
  rf: ReceptiveField | undefined;
}

export interface AnalyseContext {
  layer: Layer;
  /** The layer's options with darknet's number parsing. */
  o: Options;
  a: LayerAttrs;
  input: Shape | undefined;
  prev: Previous;
  /** Layers behind the valid references, in order. */
  refLayers: Layer[];
  /** Report a `bad-shape` error and leave the output unknown. */
  fail(message: string): void;
}

export interface CheckContext {
  net: Network;
  layer: Layer;
  push(d: Diagnostic): void;
}

/** Darknet's own analysis of a supported layer type. */
export interface Analysis {
  /** Sets attrs, output, params, weightFloats, bflops, rf. */
  run(ctx: AnalyseContext): void;
  /** The type sets `layer.outputs` itself (otherwise it is W·H·C of the output). */
  setsOutputs?: boolean;
  /** Whether the layer reads the previous layer's output (default true). */
  readsPrevious?: boolean;
  /** Shape diagnostics beyond the per-key checks. */
  check?(ctx: CheckContext): void;
}

// ---- heads ----------------------------------------------------------------------------------

/**
 * What a network outputs at a head. `boxes`: a detection head whose buffer decodes to boxes
 * (decoder names the buffer's format); `scores`: a classifier output.
 */
export interface HeadSpec {
  outputs: 'boxes' | 'scores';
  decoder?: 'yolo' | 'gaussian_yolo' | 'region';
  /** Entries per anchor slot, and anchor slots, of a boxes head. */
  entriesPerAnchor?(l: Layer): number;
  anchorSlots?(l: Layer): number[];
  /** Darknet's output buffer order: `chw` ([a][e][y][x]) or `hwc` (region after flatten). */
  layout: 'chw' | 'hwc';
  /** Darknet's in-layer activation of the head's input (what it stores in l.output), NHWC. */
  activate?(tf: typeof TF, x: TF.Tensor4D, l: Layer): TF.Tensor4D;
  /** The training loss core/src/train implements for it (none: training refuses the head). */
  loss?: 'yolo' | 'region' | 'gaussian_yolo';
}

// ---- TF.js forward --------------------------------------------------------------------------

export type T4 = TF.Tensor4D;

export interface BatchStats {
  mean: TF.Tensor1D;
  variance: TF.Tensor1D;
}

export interface ConvParams {
  /** HWIO [k, k, c/groups, n]. */
  kernel: TF.Variable;
  /** β when BN is on, otherwise the conv bias. */
  biases: TF.Variable;
  /** BN γ (only with batch_normalize). */
  scales?: TF.Variable;
  rollingMean?: TF.Variable;
  rollingVariance?: TF.Variable;
  /** Layer whose parameters these are (share_index points elsewhere). */
  owner: number;
}

export interface BatchNormParams {
  biases: TF.Variable;
  scales: TF.Variable;
  rollingMean: TF.Variable;
  rollingVariance: TF.Variable;
}

export interface ConnectedParams {
  /** [inputs, outputs] (darknet stores [outputs][inputs]). */
  weights: TF.Variable;
  biases: TF.Variable;
  scales?: TF.Variable;
  rollingMean?: TF.Variable;
  rollingVariance?: TF.Variable;
}

export interface LayerParams {
  conv?: ConvParams;
  batchnorm?: BatchNormParams;
  connected?: ConnectedParams;
  /** Weighted shortcut: per_feature [n+1] or per_channel [(n+1)·c], darknet order. */
  shortcut?: TF.Variable;
  /** [implicit]: CHW order [filters·atoms]. */
  implicit?: TF.Variable;
}

/** Shared TF.js building blocks (core/src/nn), handed to the per-type forwards. */
export interface ForwardOps {
  activate(x: TF.Tensor, name: string): TF.Tensor;
  resolveActivation(name: string | undefined, fallback: string): string;
  fusedActivation(
    name: string,
  ): { activation: 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'prelu' | 'sigmoid'; alpha?: number } | undefined;
  conv2d(x: T4, kernel: T4, o: { strides: number | [number, number]; pad: 'same' | 'valid'; dilation: number; groups: number }): T4;
  padForConv(x: T4, kEff: number, sy: number, sx: number, p: number): { x: T4; mode: 'same' | 'valid' };
  antialias(x: T4, kind: number, sx: number, sy: number): T4;
  flattenCHW(x: T4): TF.Tensor2D;
}

export interface ForwardContext {
  tf: typeof TF;
  ops: ForwardOps;
  layer: Layer;
  /** The previous layer's output (the network input for layer 0). */
  x: T4;
  /** Output of layer i (for references). */
  src(i: number): T4;
  params: LayerParams | undefined;
  training: boolean;
  /** BN with rolling (inference) or batch statistics (training; reported to the trainer), darknet ε. */
  batchNorm(x: TF.Tensor, gamma: TF.Tensor, beta: TF.Tensor, mean: TF.Tensor, variance: TF.Tensor): T4;
}

export interface ParamsContext {
  layer: Layer;
  lw: LayerWeights | undefined;
  /** Parameters built so far (share_index). */
  built: (LayerParams | undefined)[];
  /** A variable named after the layer; rolling statistics pass trainable=false. */
  variable(name: string, data: Float32Array, shape: number[], trainable?: boolean): TF.Variable;
  /** A stored block, or `init()` when the weights hold none (checked for length). */
  block(name: Block['name'], n: number, init: () => Float32Array): Float32Array;
  /** darknet's initialisation U(−s, s) from the model's seeded generator. */
  uniform(n: number, scale: number): Float32Array;
  /** Record that this layer was initialised (the weights held none for it). */
  initialised(): void;
}

export interface Forward {
  /** Why this layer cannot be built (beyond an unknown shape), or undefined. */
  check?(l: Layer, net: Network): string | undefined;
  run(ctx: ForwardContext): T4;
  /** Variables of a layer with parameters. */
  params?(ctx: ParamsContext): LayerParams | undefined;
  /** Those variables read back as darknet blocks. */
  toBlocks?(p: LayerParams, l: Layer, data: (v: TF.Variable) => Float32Array): LayerWeights['blocks'] | undefined;
}

// ---- ONNX -----------------------------------------------------------------------------------

export interface OnnxContext {
  g: GraphBuilder;
  net: Network;
  layer: Layer;
  x: string;
  /** Value name of layer i's output. */
  out(i: number): string;
  opset: number;
  /** The layer's activation (darknet default `fallback`) applied to `x`. */
  act(x: string, fallback: string): string;
  /** Darknet's antialiasing blur of `x` (c channels) at the layer's strides. */
  blur(x: string, c: number): string;
  /** The layer's weight blocks (share_index resolved). */
  blocks(): LayerWeights['blocks'];
  need(b: LayerWeights['blocks'], name: Block['name'], n: number): Float32Array;
  /** BN blocks of `owner` (identity under dontloadscales), or undefined without batch_normalize. */
  bn(b: LayerWeights['blocks'], n: number, owner?: Layer): { scales: Float32Array; mean: Float32Array; variance: Float32Array } | undefined;
  fold(
    weights: Float32Array,
    perOut: number,
    biases: Float32Array,
    bn?: { scales: Float32Array; mean: Float32Array; variance: Float32Array },
  ): { w: Float32Array; b: Float32Array };
  poolPads(padding: number): number[];
  sliceChannels(x: string, from: number, to: number): string;
  fail(message: string): never;
}

// ---- pruning --------------------------------------------------------------------------------

export interface Origins {
  l: Int32Array;
  ch: Int32Array;
}

export interface OriginsContext {
  net: Network;
  layer: Layer;
  /** Output channels of this layer. */
  c: number;
  prev: Origins | undefined;
  originLayer: Int32Array[];
  originChannel: Int32Array[];
  /** Channels no conv controls. */
  fresh(): Origins;
}

export interface ConstrainContext {
  net: Network;
  layer: Layer;
  /** `layer i (type)`, for reasons. */
  at: string;
  originLayer: Int32Array[];
  originChannel: Int32Array[];
  pin(conv: number, reason: string): void;
  pinOutputOf(layer: number, reason: string): void;
  /** Pin every conv feeding this layer. */
  pinInputs(reason: string): void;
  union(a: number, b: number): void;
  /** Convs meeting in a shortcut (they form channel groups). */
  touch(conv: number): void;
  referenceExcluded: Map<number, string>;
}

export interface ConstantsContext {
  net: Network;
  layer: Layer;
  c: number;
  mode: 'channel' | 'offset';
  prev: Float64Array | undefined;
  values: (Float64Array | undefined)[];
  /** Per layer output channel keep mask ('channel' mode). */
  keep: Uint8Array[] | undefined;
  removed: Uint8Array | undefined;
  weights: { layers: (LayerWeights | undefined)[] };
  /** Whether a constant array is non-zero somewhere. */
  any(a: Float64Array | undefined): a is Float64Array;
  /** The constant is not compensated past this layer. */
  lost(why: string): void;
  activationFn(name: string | undefined): (x: number) => number;
  isLinear(name: string | undefined): boolean;
}

/** How channel masks and the constants of removed channels flow through a layer (docs: pruning.md). */
export interface PruneFlow {
  /** `source`: the layer creates channels (the BN-γ conv); `pass`: channel k out is channel k in. */
  channels: 'source' | 'pass' | 'custom' | 'opaque';
  /** Origins of the output channels (custom; `pass` copies the input's, `opaque`/`source` are built in). */
  origins?(ctx: OriginsContext): Origins;
  /** Constraints this layer puts on the convs feeding it (default: `opaque` pins them, `pass` none). */
  constrain?(ctx: ConstrainContext): void;
  /** The constant each output channel carries (default: `pass` copies, others lose it). */
  constants?(ctx: ConstantsContext): Float64Array | undefined;
  /** BFLOPs/params once the input has cin and the output cout channels (evaluation without re-analysis). */
  recount?(l: Layer, cin: number, cout: number): { params?: number; weightFloats?: number; bflops?: number } | undefined;
  /** A residual add whose branch layer pruning may remove. */
  residual?: boolean;
}

// ---- the record -----------------------------------------------------------------------------

/** A capability the type does not have, and why. */
export interface Excluded {
  excluded: string;
}

/** A cfg section type: its keys with their defaults and docs (the one place defaults are written). */
export interface SectionSpec<N extends string = string> {
  /** Canonical name (the section name without brackets). */
  name: N;
  aliases: readonly string[];
  doc: string;
  keys: Record<string, KeySpec>;
  /** Recurrent and other exotic layers: keys are not checked, shapes are not computed. */
  unsupported?: boolean;
}

export interface LayerSpec<N extends string = string> extends SectionSpec<N> {
  role: Role;
  refs?: readonly RefKey[];
  analysis: Analysis | Excluded;
  /** The float blocks the layer stores, in file order (sums to `layer.weightFloats`). */
  blocks?(l: Layer): Block[];
  /** Fan-in of a stored block (synthetic weights are drawn U(±√(3/fan-in))). */
  fanIn?(l: Layer, b: Block): number;
  head?: HeadSpec;
  forward: Forward | Excluded;
  onnx: ((ctx: OnnxContext) => string) | Excluded;
  prune: PruneFlow;
  /** What pruning (channel or layer) never changes in the layer, beyond its type (the diff aligns on it). */
  diffKey?(l: Layer): (string | number | boolean | undefined)[];
  /** Short name in the diff table (default: the name). */
  diffLabel?: string;
  /** The graph panel (core/src/lang/graph.ts): the node's text and the kind of the edges from its references. */
  graph?: GraphSpec;
}

export interface GraphSpec {
  /** Short name on the node (default: the name). */
  short?: string;
  /** The node's text from its short name (default: the short name). */
  label?(l: Layer, short: string): string;
  /** Kind of the edges from the layers it references (default: 'next'). */
  edge?: GraphEdgeKind;
}

export const isExcluded = (x: object): x is Excluded => 'excluded' in x;
