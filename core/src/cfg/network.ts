// The analysed network: the one object every consumer (LSP, CLI, pruning, tfjs, exporters) reads.

import type { CfgDocument, CfgSection, Range } from './parse';
import type { LayerSpec } from './schema';

/** [width, height, channels] */
export type Shape = [number, number, number];

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Fix {
  title: string;
  edits: { range: Range; newText: string }[];
}

export interface Diagnostic {
  range: Range;
  severity: Severity;
  /** Stable code, e.g. `yolo-filters`. */
  code: string;
  message: string;
  layer?: number;
  /** A fix when it is fully determined by the diagnostic. */
  fix?: Fix;
}

export interface LayerRef {
  key: string;
  /** The number as written. */
  raw: number;
  /** Absolute layer index it resolves to. */
  target: number;
  range: Range;
  /** Whether it lies in [0, index-1]. */
  valid: boolean;
}

export interface ReceptiveField {
  /** Receptive field size in input pixels. */
  size: number;
  /** Cumulative stride (input pixels per output pixel). */
  stride: number;
}

export interface Layer {
  index: number;
  section: CfgSection;
  /** Canonical type (`convolutional` for `[conv]`), or the header name when unknown. */
  type: string;
  spec: LayerSpec | undefined;
  refs: LayerRef[];
  /** Layers whose output this layer reads (previous layer and/or references). */
  sources: number[];
  input: Shape | undefined;
  output: Shape | undefined;
  /** Output elements per image (may be non-zero while `output` is 0×0×0, as for softmax). */
  outputs: number;
  /** Trainable parameters (BN running mean/variance excluded). */
  params: number;
  /** Floats this layer consumes in a .weights file. */
  weightFloats: number;
  /** Darknet's float32 BFLOPs. */
  bflops: number;
  rf: ReceptiveField | undefined;
  /** Resolved, typed settings (defaults applied), e.g. filters, size, strideX, padding, activation. */
  attrs: LayerAttrs;
}

export interface LayerAttrs {
  filters?: number;
  size?: number;
  strideX?: number;
  strideY?: number;
  padding?: number;
  dilation?: number;
  groups?: number;
  groupId?: number;
  batchNormalize?: boolean;
  activation?: string;
  antialiasing?: number;
  /** conv: weights shared with another layer. */
  shareIndex?: number;
  dontload?: boolean;
  dontloadscales?: boolean;
  flipped?: boolean;
  xnor?: boolean;
  maxpoolDepth?: boolean;
  outChannels?: number;
  classes?: number;
  num?: number;
  mask?: number[];
  anchors?: number[];
  scaleXY?: number;
  newCoords?: boolean;
  nmsKind?: string;
  betaNms?: number;
  coords?: number;
  softmax?: boolean;
  weightsType?: string;
  weightsNormalization?: string;
  scaleWH?: boolean;
  stride?: number;
  scale?: number;
  reverse?: boolean;
  output?: number;
  atoms?: number;
  probability?: number;
  temperature?: number;
  softmaxGroups?: number;
  nweights?: number;
  cropWidth?: number;
  cropHeight?: number;
}

export interface NetInfo {
  section: CfgSection | undefined;
  width: number;
  height: number;
  channels: number;
  inputs: number;
  batch: number;
  subdivisions: number;
  letterBox: boolean;
}

export interface Totals {
  layers: number;
  params: number;
  weightFloats: number;
  /** float32-accumulated, as darknet prints it. */
  bflops: number;
}

export interface Network {
  doc: CfgDocument;
  net: NetInfo;
  layers: Layer[];
  totals: Totals;
  diagnostics: Diagnostic[];
  /** Largest cumulative stride feeding a detection head (width/height must be multiples of it). */
  detectorStride: number | undefined;
}

export const shapeText = (s: Shape | undefined): string => (s ? `${s[0]}×${s[1]}×${s[2]}` : 'shape unknown');

/** Darknet-style BFLOPs text: `%5.3f`. */
export const formatBflops = (v: number): string => v.toFixed(3);
