// Resolver and analysis: layer indices, references, and per layer its record's analysis
// (core/src/layers/<type>.ts: shapes, parameters, .weights floats, BFLOPs, receptive fields), following
// AlexeyAB/darknet's parser (docs/cfg-format.md §Shapes, §Parameters, §BFLOPs, §Weights); totals and
// detector stride.

import { isBoxHead, specOfSection, specOfType } from '../layers';
import { isExcluded, type AnalyseContext, type Analysis, type Previous } from '../layers/spec';
import { atoi, splitItems } from './cvalues';
import type { Diagnostic, Layer, LayerRef, NetInfo, Network, ReceptiveField, Shape, Totals } from './network';
import { Options } from './options';
import { findOption, parseCfg, range, type CfgDocument, type CfgSection } from './parse';
import { checkSizeBound, sizeBoundFromEnv, sizeBoundOf } from './size-bound';
import { validate } from './validate';

export { Options };

export interface AnalyseOptions {
  /** Override `[net] width` / `height`. */
  width?: number;
  height?: number;
  /** Weights and activations above this many bytes are `too-large` errors (default: DARKNET_MAX_BYTES or 4 GiB). */
  maxBytes?: number;
  /** The file starts with a UTF-8 BOM that the text lacks (an editor strips it on load). */
  bom?: boolean;
}

const BOM_MESSAGE =
  'UTF-8 BOM: darknet reads it as part of the first line, which is then neither a section header nor a comment, and crashes on it (an option before any section); save the file as UTF-8 without BOM';

/** One diagnostic for a BOM, in the text or only in the file; a fix where the text holds it. */
function bomDiagnostic(doc: CfgDocument, opts: AnalyseOptions): Diagnostic | undefined {
  if (!doc.bom && !opts.bom) return undefined;
  const at = range(0, 0, doc.bom ? 1 : 0);
  return {
    range: at,
    severity: 'error',
    code: 'utf8-bom',
    message: BOM_MESSAGE,
    ...(doc.bom ? { fix: { title: 'Remove the UTF-8 BOM', edits: [{ range: at, newText: '' }] } } : {}),
  };
}

const f32 = Math.fround;

function netInfo(section: CfgSection | undefined, opts: AnalyseOptions): NetInfo {
  const o = section ? new Options(section) : undefined;
  const width = opts.width ?? o?.int('width', 0) ?? 0;
  const height = opts.height ?? o?.int('height', 0) ?? 0;
  const channels = o?.int('channels', 0) ?? 0;
  return {
    section,
    width,
    height,
    channels,
    inputs: o?.int('inputs', width * height * channels) ?? width * height * channels,
    batch: o?.int('batch', 1) ?? 1,
    subdivisions: o?.int('subdivisions', 1) ?? 1,
    letterBox: (o?.int('letter_box', 0) ?? 0) !== 0,
  };
}

/** Resolve the references of a key: negative = relative to `index`, otherwise absolute. */
function resolveRefs(doc: CfgDocument, section: CfgSection, key: string, index: number): LayerRef[] {
  const opt = findOption(section, key);
  if (!opt) return [];
  const rawValue = doc.text.slice(opt.valueOffset, opt.valueOffset + (opt.valueRange.end.character - opt.valueRange.start.character));
  return splitItems(rawValue).map((item) => {
    const raw = atoi(item.text);
    const target = raw < 0 ? index + raw : raw;
    const start = opt.valueRange.start.character + item.start;
    return {
      key,
      raw,
      target,
      range: range(opt.line, start, opt.valueRange.start.character + item.end),
      valid: target >= 0 && target < index,
    };
  });
}

/** Run the type's own analysis (core/src/layers/<type>.ts) on one layer. */
function analyseLayer(diags: Diagnostic[], layers: Layer[], layer: Layer, analysis: Analysis, prev: Previous) {
  const refLayers: Layer[] = [];
  for (const r of layer.refs) if (r.valid) refLayers.push(layers[r.target]);
  layer.input = prev.shape;
  const ctx: AnalyseContext = {
    layer,
    o: new Options(layer.section, layer.spec!.keys),
    a: layer.attrs,
    input: prev.shape,
    prev,
    refLayers,
    fail(message) {
      layer.output = undefined;
      diags.push({
        range: layer.section.headerRange,
        severity: 'error',
        code: 'bad-shape',
        message: `Layer ${layer.index} (${layer.type}): ${message}`,
        layer: layer.index,
      });
    },
  };
  analysis.run(ctx);
  if (layer.output && !analysis.setsOutputs) layer.outputs = layer.output[0] * layer.output[1] * layer.output[2];
}

/** Layers whose output a layer reads. */
function sourcesOf(layer: Layer, analysis: Analysis | undefined): number[] {
  const refTargets = layer.refs
    .filter((r) => r.valid && r.key !== 'share_index' && r.key !== 'embedding_layer' && r.key !== 'yolo_layer')
    .map((r) => r.target);
  if (analysis?.readsPrevious === false) return refTargets;
  return layer.index > 0 ? [layer.index - 1, ...refTargets] : refTargets;
}

export function analyseDocument(doc: CfgDocument, opts: AnalyseOptions = {}): Network {
  const bom = bomDiagnostic(doc, opts);
  const diags: Diagnostic[] = bom ? [bom] : [];
  const first = doc.sections[0];
  const hasNet = first !== undefined && (first.name === 'net' || first.name === 'network') && first.header === `[${first.name}]`;
  const net = netInfo(hasNet ? first : undefined, opts);
  const layerSections = hasNet ? doc.sections.slice(1) : doc.sections;
  const layers: Layer[] = [];

  let prev: Previous = {
    shape: hasNet && net.width > 0 && net.height > 0 && net.channels > 0 ? ([net.width, net.height, net.channels] as Shape) : undefined,
    outputs: net.inputs,
    rf: { size: 1, stride: 1 } as ReceptiveField | undefined,
  };
  layerSections.forEach((section, index) => {
    const validHeader = section.header === `[${section.name}]`;
    const spec = validHeader ? specOfSection(section.name) : undefined;
    const type = spec ? spec.name : section.name;
    // An invalid header still resolves its references (navigation), by the name as written.
    const typeSpec = spec ?? specOfType(type);
    const refs: LayerRef[] = [];
    for (const rk of typeSpec?.refs ?? []) {
      for (const r of resolveRefs(doc, section, rk.key, index)) if (!rk.ignore?.(r.raw)) refs.push(r);
    }
    const analysis = typeSpec && !isExcluded(typeSpec.analysis) ? typeSpec.analysis : undefined;
    const layer: Layer = {
      index,
      section,
      type,
      spec,
      refs,
      sources: [],
      input: undefined,
      output: undefined,
      outputs: 0,
      params: 0,
      weightFloats: 0,
      bflops: 0,
      rf: undefined,
      attrs: {},
    };
    layer.sources = sourcesOf(layer, analysis);
    layers.push(layer);
    if (spec && analysis) analyseLayer(diags, layers, layer, analysis, prev);
    layer.attrs.dontload = new Options(section).int('dontload', 0) !== 0;
    if (layer.attrs.dontload) layer.weightFloats = 0;
    prev = { shape: layer.output, outputs: layer.outputs, rf: layer.rf };
  });

  const totals: Totals = { layers: layers.length, params: 0, weightFloats: 0, bflops: 0 };
  for (const l of layers) {
    totals.params += l.params;
    totals.weightFloats += l.weightFloats;
    if (l.bflops > 0) totals.bflops = f32(totals.bflops + l.bflops);
  }

  let detectorStride: number | undefined;
  for (const l of layers) {
    if (isBoxHead(l) && l.rf) {
      detectorStride = Math.max(detectorStride ?? 0, l.rf.stride);
    }
  }

  const network: Network = { doc, net, layers, totals, diagnostics: diags, detectorStride };
  validate(network);
  checkSizeBound(network, opts.maxBytes !== undefined ? sizeBoundOf(opts.maxBytes) : sizeBoundFromEnv(), (d) => diags.push(d));
  return network;
}

export function analyseText(text: string, opts: AnalyseOptions = {}): Network {
  return analyseDocument(parseCfg(text), opts);
}
