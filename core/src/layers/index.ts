// The layer registry: every darknet layer type darknet-pruner knows, one record per file
// (docs/layers.md). Adding a type is a new file and a line here; the typed table below makes a
// missing capability a compile error. Nothing outside core/src/layers switches on a type name.

import type { Layer, Network } from '../cfg/network';
import { activation } from './activation';
import { avgpool } from './avgpool';
import { batchnorm } from './batchnorm';
import { connected } from './connected';
import { contrastive } from './contrastive';
import { conv_lstm } from './conv_lstm';
import { convolutional } from './convolutional';
import { cost } from './cost';
import { crnn } from './crnn';
import { crop } from './crop';
import { detection } from './detection';
import { dropout } from './dropout';
import { empty } from './empty';
import { Gaussian_yolo } from './Gaussian_yolo';
import { gru } from './gru';
import { history } from './history';
import { implicit } from './implicit';
import { local } from './local';
import { local_avgpool } from './local_avgpool';
import { lrn } from './lrn';
import { lstm } from './lstm';
import { maxpool } from './maxpool';
import { region } from './region';
import { reorg } from './reorg';
import { reorg3d } from './reorg3d';
import { rnn } from './rnn';
import { route } from './route';
import { sam } from './sam';
import { scale_channels } from './scale_channels';
import { shortcut } from './shortcut';
import { softmax } from './softmax';
import { upsample } from './upsample';
import { yolo } from './yolo';
import { isExcluded, type HeadSpec, type LayerSpec } from './spec';

/** The order completion and the generated grammar list the types in. */
const RECORDS = {
  convolutional,
  maxpool,
  local_avgpool,
  avgpool,
  route,
  shortcut,
  upsample,
  yolo,
  Gaussian_yolo,
  region,
  detection,
  reorg3d,
  reorg,
  sam,
  scale_channels,
  dropout,
  softmax,
  connected,
  batchnorm,
  activation,
  cost,
  crop,
  lrn,
  local,
  implicit,
  empty,
  contrastive,
  rnn,
  gru,
  lstm,
  crnn,
  conv_lstm,
  history,
};

export type LayerType = keyof typeof RECORDS;

/** Every record under its own name, with every capability (or its stated exclusion). */
const CHECKED: { readonly [T in LayerType]: LayerSpec<T> } = RECORDS;

/**
 * The records with every optional field present, so that the per-layer property reads of analysis,
 * validation and pruning see one object shape (the records differ in which fields they write).
 */
function uniform<N extends string>(s: LayerSpec<N>): LayerSpec<N> {
  const a = s.analysis,
    h = s.head,
    p = s.prune;
  return {
    name: s.name,
    aliases: s.aliases,
    doc: s.doc,
    keys: s.keys,
    unsupported: s.unsupported ?? false,
    role: s.role,
    refs: s.refs ?? [],
    analysis: isExcluded(a)
      ? a
      : { run: a.run, setsOutputs: a.setsOutputs ?? false, readsPrevious: a.readsPrevious ?? true, check: a.check },
    blocks: s.blocks,
    fanIn: s.fanIn,
    head: h && {
      outputs: h.outputs,
      decoder: h.decoder,
      layout: h.layout,
      entriesPerAnchor: h.entriesPerAnchor,
      anchorSlots: h.anchorSlots,
      activate: h.activate,
      loss: h.loss,
    },
    forward: s.forward,
    onnx: s.onnx,
    prune: {
      channels: p.channels,
      origins: p.origins,
      constrain: p.constrain,
      constants: p.constants,
      recount: p.recount,
      residual: p.residual ?? false,
    },
    diffKey: s.diffKey,
    diffLabel: s.diffLabel,
    graph: s.graph,
  };
}

export const LAYERS = Object.fromEntries(Object.entries(CHECKED).map(([k, s]) => [k, uniform(s)])) as typeof CHECKED;

const ALL: readonly LayerSpec[] = Object.values(LAYERS);
const BY_NAME = new Map<string, LayerSpec>(ALL.map((s) => [s.name, s]));
const BY_SECTION = new Map<string, LayerSpec>(ALL.flatMap((s) => [s.name, ...s.aliases].map((n): [string, LayerSpec] => [n, s])));

export function allLayerTypes(): readonly LayerSpec[] {
  return ALL;
}

/** The record of a canonical type name (a layer's `type`). */
export function specOfType(type: string): LayerSpec | undefined {
  return BY_NAME.get(type);
}

/** The record of a section name as written (canonical or alias, case-sensitive as in darknet). */
export function specOfSection(name: string): LayerSpec | undefined {
  return BY_SECTION.get(name);
}

/** The record of an analysed layer, by its canonical type. */
export function specOf(l: Layer): LayerSpec | undefined {
  return BY_NAME.get(l.type);
}

// ---- heads: the one definition ----------------------------------------------------------------

export function headOf(l: Layer): HeadSpec | undefined {
  return BY_NAME.get(l.type)?.head;
}

/** Heads whose output is boxes ([yolo], [Gaussian_yolo], [region], [detection]). */
export const isBoxHead = (l: Layer): boolean => headOf(l)?.outputs === 'boxes';

/** Box heads darknet-pruner decodes (a decoder and an in-layer activation). */
export const isDecodedHead = (l: Layer): boolean => headOf(l)?.decoder !== undefined;

/** The box decoder of a head type name (as ONNX metadata records it). */
export const decoderOfType = (type: string): HeadSpec['decoder'] => BY_NAME.get(type)?.head?.decoder;

/**
 * A classifier's output: the last layer that is not a training-only layer ([cost]), as darknet's
 * get_network_output picks it.
 */
export function classifierOutput(net: Network): number | undefined {
  for (let i = net.layers.length - 1; i >= 0; i--) if (specOf(net.layers[i])?.role !== 'training') return i;
  return net.layers.length ? net.layers.length - 1 : undefined;
}

/** What the network outputs: its decoded heads, or (a classifier) its output layer. */
export function networkOutputs(net: Network): number[] {
  const heads = net.layers.filter(isDecodedHead).map((l) => l.index);
  if (heads.length) return heads;
  const c = classifierOutput(net);
  return c === undefined ? [] : [c];
}

// ---- capabilities the pipeline asks about --------------------------------------------------

/** The layer creates its output channels from weights (the conv whose channels pruning removes). */
export const isChannelSource = (l: Layer | undefined): boolean => l !== undefined && specOf(l)?.prune.channels === 'source';

/** A residual add (layer pruning removes the branches ending here). */
export const isResidualAdd = (l: Layer): boolean => specOf(l)?.prune.residual === true;
