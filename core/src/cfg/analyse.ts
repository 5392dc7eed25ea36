// Resolver and analysis: layer indices, references, shapes, parameters, .weights floats, BFLOPs and
// receptive fields, following AlexeyAB/darknet's parser (docs/cfg-format.md §Shapes, §Parameters,
// §BFLOPs, §Weights).

import { atof, atoi, listUntilHash, splitItems } from './cvalues';
import { findOption, parseCfg, range, type CfgDocument, type CfgSection } from './parse';
import { layerSpec } from './schema';
import { checkSizeBound, sizeBoundFromEnv, sizeBoundOf } from './size-bound';
import type { Diagnostic, Layer, LayerAttrs, LayerRef, NetInfo, Network, ReceptiveField, Shape, Totals } from './network';
import { validate } from './validate';

export interface AnalyseOptions {
  /** Override `[net] width` / `height`. */
  width?: number;
  height?: number;
  /** Weights and activations above this many bytes are `too-large` errors (default: DARKNET_MAX_BYTES or 4 GiB). */
  maxBytes?: number;
  /** The file starts with a UTF-8 BOM that the text lacks (an editor strips it on load). */
  bom?: boolean;
}

const BOM_MESSAGE = 'UTF-8 BOM: darknet reads it as part of the first line, which is then neither a section header nor a comment, and crashes on it (an option before any section); save the file as UTF-8 without BOM';

/** One diagnostic for a BOM, in the text or only in the file; a fix where the text holds it. */
function bomDiagnostic(doc: CfgDocument, opts: AnalyseOptions): Diagnostic | undefined {
  if (!doc.bom && !opts.bom) return undefined;
  const at = range(0, 0, doc.bom ? 1 : 0);
  return {
    range: at, severity: 'error', code: 'utf8-bom', message: BOM_MESSAGE,
    ...(doc.bom ? { fix: { title: 'Remove the UTF-8 BOM', edits: [{ range: at, newText: '' }] } } : {}),
  };
}

const f32 = Math.fround;

/** Typed option access with darknet's defaults and C number parsing. */
export class Options {
  constructor(readonly section: CfgSection) {}
  has(key: string): boolean { return findOption(this.section, key) !== undefined; }
  str(key: string, def: string): string { return findOption(this.section, key)?.value ?? def; }
  int(key: string, def: number): number { const o = findOption(this.section, key); return o ? atoi(o.value!) : def; }
  float(key: string, def: number): number { const o = findOption(this.section, key); return o ? f32(atof(o.value!)) : def; }
  /** Raw list items (route layers, shortcut from): empty items parse as 0, as in darknet. */
  intItems(key: string): number[] | undefined {
    const o = findOption(this.section, key);
    return o ? o.value!.split(',').map(atoi) : undefined;
  }
}

function netInfo(section: CfgSection | undefined, opts: AnalyseOptions): NetInfo {
  const o = section ? new Options(section) : undefined;
  const width = opts.width ?? o?.int('width', 0) ?? 0;
  const height = opts.height ?? o?.int('height', 0) ?? 0;
  const channels = o?.int('channels', 0) ?? 0;
  return {
    section, width, height, channels,
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
    return { key, raw, target, range: range(opt.line, start, opt.valueRange.start.character + item.end), valid: target >= 0 && target < index };
  });
}

interface Ctx {
  doc: CfgDocument;
  layers: Layer[];
  diags: Diagnostic[];
}

const CONV_OUT = (w: number, pad: number, k: number, s: number) => Math.trunc((w + 2 * pad - k) / s) + 1;
const POOL_OUT = (w: number, padding: number, k: number, s: number) => Math.trunc((w + padding - k) / s) + 1;
/** C `int` multiply chain (darknet computes some BFLOPs in 32-bit int). */
const imul = (...xs: number[]) => xs.reduce((a, b) => Math.imul(a, b), 1);

function antialiasBlur(out: Shape, aa: number, sx: number, sy: number): Shape {
  const k = aa === 2 ? 2 : 3;
  const p = aa === 2 ? 0 : 1;
  return [CONV_OUT(out[0], p, k, sx), CONV_OUT(out[1], p, k, sy), out[2]];
}

function rfThrough(rf: ReceptiveField | undefined, k: number, stride: number): ReceptiveField | undefined {
  return rf ? { size: rf.size + (k - 1) * rf.stride, stride: rf.stride * stride } : undefined;
}

function analyseLayer(ctx: Ctx, layer: Layer, prev: { shape: Shape | undefined; outputs: number; rf: ReceptiveField | undefined }) {
  const o = new Options(layer.section);
  const a: LayerAttrs = layer.attrs;
  const input = prev.shape;
  const at = (i: number) => ctx.layers[i];
  const validRefs = layer.refs.filter((r) => r.valid);
  const refLayers = validRefs.map((r) => at(r.target));
  layer.input = input;

  const fail = (message: string) => {
    layer.output = undefined;
    ctx.diags.push({ range: layer.section.headerRange, severity: 'error', code: 'bad-shape', message: `Layer ${layer.index} (${layer.type}): ${message}`, layer: layer.index });
  };

  switch (layer.type) {
    case 'convolutional': {
      a.filters = o.int('filters', 1);
      a.size = o.int('size', 1);
      const stride = o.int('stride', 1);
      let sx = o.int('stride_x', -1), sy = o.int('stride_y', -1);
      if (sx < 1) sx = stride;
      if (sy < 1) sy = stride;
      a.padding = o.int('pad', 0) ? Math.trunc(a.size / 2) : o.int('padding', 0);
      a.groups = Math.max(1, o.int('groups', 1));
      a.dilation = a.size === 1 ? 1 : o.int('dilation', 1);
      a.activation = o.str('activation', 'logistic');
      a.batchNormalize = o.int('batch_normalize', 0) !== 0 || o.int('cbn', 0) !== 0;
      a.antialiasing = o.int('antialiasing', 0);
      a.xnor = o.int('xnor', 0) !== 0;
      if (a.xnor) a.groups = 1;
      a.flipped = o.int('flipped', 0) !== 0;
      a.dontloadscales = o.int('dontloadscales', 0) !== 0;
      const share = layer.refs.find((r) => r.key === 'share_index');
      a.shareIndex = share?.target;
      a.strideX = sx; a.strideY = sy;
      if (!input) break;
      const n = a.filters, k = a.size, c = input[2];
      const runSx = a.antialiasing ? 1 : sx, runSy = a.antialiasing ? 1 : sy;
      if (n < 1 || k < 1 || runSx < 1 || runSy < 1) { fail('filters, size and stride must be ≥ 1'); break; }
      a.nweights = Math.trunc(c / a.groups) * n * k * k;
      let out: Shape = [CONV_OUT(input[0], a.padding, k, runSx), CONV_OUT(input[1], a.padding, k, runSy), n];
      if (out[0] < 1 || out[1] < 1) { fail(`output ${out[0]}×${out[1]} is empty (input ${input[0]}×${input[1]}, size ${k}, padding ${a.padding})`); break; }
      let bf = (2.0 * a.nweights * out[1] * out[0]) / 1e9;
      if (a.xnor) bf /= 32;
      layer.bflops = f32(bf);
      if (a.antialiasing) out = antialiasBlur(out, a.antialiasing, sx, sy);
      layer.output = out;
      layer.rf = rfThrough(prev.rf, a.dilation * (k - 1) + 1, sx);
      layer.params = share ? 0 : a.nweights + n + (a.batchNormalize ? n : 0);
      layer.weightFloats = share ? 0 : n + (a.batchNormalize && !a.dontloadscales ? 3 * n : 0) + a.nweights;
      break;
    }
    case 'maxpool':
    case 'local_avgpool': {
      const stride = o.int('stride', 1);
      a.strideX = o.int('stride_x', stride);
      a.strideY = o.int('stride_y', stride);
      a.size = o.int('size', stride);
      a.padding = o.int('padding', a.size - 1);
      a.maxpoolDepth = layer.type === 'maxpool' && o.int('maxpool_depth', 0) !== 0;
      a.outChannels = o.int('out_channels', 1);
      a.antialiasing = layer.type === 'maxpool' ? o.int('antialiasing', 0) : 0;
      if (!input) break;
      if (a.size < 1 || a.strideX < 1 || a.strideY < 1) { fail('size and stride must be ≥ 1'); break; }
      const runSx = a.antialiasing ? 1 : a.strideX, runSy = a.antialiasing ? 1 : a.strideY;
      let out: Shape = a.maxpoolDepth
        ? [input[0], input[1], a.outChannels]
        : [POOL_OUT(input[0], a.padding, a.size, runSx), POOL_OUT(input[1], a.padding, a.size, runSy), input[2]];
      if (out[0] < 1 || out[1] < 1) { fail(`output ${out[0]}×${out[1]} is empty`); break; }
      layer.bflops = f32(imul(a.size, a.size, input[2], out[1], out[0]) / 1e9);
      if (a.antialiasing) out = antialiasBlur(out, a.antialiasing, a.strideX, a.strideY);
      layer.output = out;
      layer.rf = a.maxpoolDepth ? prev.rf : rfThrough(prev.rf, a.size, a.strideX);
      break;
    }
    case 'avgpool':
      if (!input) break;
      layer.output = [1, 1, input[2]];
      layer.rf = prev.rf ? { size: prev.rf.size + (input[0] - 1) * prev.rf.stride, stride: prev.rf.stride * input[0] } : undefined;
      break;
    case 'route': {
      a.groups = Math.max(1, o.int('groups', 1));
      a.groupId = o.int('group_id', 0);
      layer.input = undefined;
      if (refLayers.length === 0 || refLayers.length !== layer.refs.filter((r) => r.key === 'layers').length) break;
      if (refLayers.some((l) => !l.output)) break;
      const first = refLayers[0].output!;
      let c = 0, outputs = 0;
      for (const l of refLayers) { c += l.output![2]; outputs += l.outputs; }
      layer.input = [first[0], first[1], c];
      layer.output = [first[0], first[1], Math.trunc(c / a.groups)];
      layer.outputs = Math.trunc(outputs / a.groups);
      const rfs = refLayers.map((l) => l.rf);
      layer.rf = rfs.every((r) => r) ? { size: rfs.reduce((m, r) => Math.max(m, r!.size), -Infinity), stride: rfs[0]!.stride } : undefined;
      return;
    }
    case 'shortcut': {
      a.activation = o.str('activation', 'linear');
      a.weightsType = o.str('weights_type', 'none');
      a.weightsNormalization = o.str('weights_normalization', 'none');
      if (!input) break;
      const n = layer.refs.filter((r) => r.key === 'from').length;
      layer.output = [...input];
      const wt = a.weightsType === 'per_feature' || a.weightsType === 'per_layer' ? 1 : a.weightsType === 'per_channel' ? 2 : 0;
      a.nweights = wt === 1 ? n + 1 : wt === 2 ? (n + 1) * input[2] : 0;
      layer.weightFloats = a.nweights;
      layer.params = a.nweights;
      layer.bflops = f32((imul(input[0], input[1], input[2], n) / 1e9) * (wt ? 2 : 1));
      const rfs = [prev.rf, ...refLayers.map((l) => l.rf)];
      layer.rf = rfs.every((r) => r) ? { size: rfs.reduce((m, r) => Math.max(m, r!.size), -Infinity), stride: prev.rf!.stride } : undefined;
      break;
    }
    case 'upsample': {
      a.stride = o.int('stride', 2);
      a.scale = o.float('scale', 1);
      if (!input) break;
      if (a.stride === 0) { fail('stride must not be 0'); break; }
      a.reverse = a.stride < 0;
      const s = Math.abs(a.stride);
      layer.output = a.reverse ? [Math.trunc(input[0] / s), Math.trunc(input[1] / s), input[2]] : [input[0] * s, input[1] * s, input[2]];
      layer.rf = prev.rf ? { size: prev.rf.size, stride: a.reverse ? prev.rf.stride * s : prev.rf.stride / s } : undefined;
      break;
    }
    case 'yolo':
    case 'Gaussian_yolo': {
      a.classes = o.int('classes', 20);
      a.num = o.int('num', 1);
      const maskOpt = findOption(layer.section, 'mask');
      a.mask = maskOpt ? listUntilHash(maskOpt.value!).map(atoi) : Array.from({ length: Math.max(0, a.num) }, (_, i) => i);
      const anchorsOpt = findOption(layer.section, 'anchors');
      a.anchors = anchorsOpt ? listUntilHash(anchorsOpt.value!).map((x) => f32(atof(x))) : [];
      a.scaleXY = o.float('scale_x_y', 1);
      a.newCoords = o.int('new_coords', 0) !== 0;
      a.nmsKind = o.str('nms_kind', 'default');
      a.betaNms = o.float('beta_nms', 0.6);
      if (!input) break;
      const per = a.classes + (layer.type === 'yolo' ? 5 : 9);
      layer.output = [input[0], input[1], a.mask.length * per];
      layer.rf = prev.rf;
      break;
    }
    case 'region': {
      a.classes = o.int('classes', 20);
      a.num = o.int('num', 1);
      a.coords = o.int('coords', 4);
      a.softmax = o.int('softmax', 0) !== 0;
      const anchorsOpt = findOption(layer.section, 'anchors');
      a.anchors = anchorsOpt ? anchorsOpt.value!.split(',').map((x) => f32(atof(x))) : [];
      if (!input) break;
      layer.output = [input[0], input[1], a.num * (a.classes + a.coords + 1)];
      layer.rf = prev.rf;
      break;
    }
    case 'reorg3d':
    case 'reorg': {
      a.stride = o.int('stride', 1);
      a.reverse = o.int('reverse', 0) !== 0;
      if (!input) break;
      const s = a.stride;
      if (s < 1) { fail('stride must be ≥ 1'); break; }
      layer.output = a.reverse ? [input[0] * s, input[1] * s, Math.trunc(input[2] / (s * s))] : [Math.trunc(input[0] / s), Math.trunc(input[1] / s), input[2] * s * s];
      layer.rf = prev.rf ? { size: prev.rf.size, stride: a.reverse ? prev.rf.stride / s : prev.rf.stride * s } : undefined;
      break;
    }
    case 'sam':
    case 'scale_channels': {
      a.activation = o.str('activation', 'linear');
      a.scaleWH = o.int('scale_wh', 0) !== 0;
      const from = refLayers[0];
      if (!input || !from?.output) break;
      layer.output = [...from.output];
      layer.outputs = from.outputs;
      layer.rf = from.rf && prev.rf ? { size: Math.max(from.rf.size, prev.rf.size), stride: from.rf.stride } : undefined;
      return;
    }
    case 'dropout':
      a.probability = o.float('probability', 0.2);
      if (!input) break;
      layer.output = [...input];
      layer.outputs = prev.outputs;
      layer.rf = prev.rf;
      return;
    case 'softmax':
    case 'cost':
    case 'contrastive':
    case 'detection':
      a.softmaxGroups = o.int('groups', 1);
      a.temperature = o.float('temperature', 1);
      if (!input) break;
      layer.output = [0, 0, 0];
      layer.outputs = prev.outputs;
      layer.rf = prev.rf;
      return;
    case 'connected': {
      a.output = o.int('output', 1);
      a.activation = o.str('activation', 'logistic');
      a.batchNormalize = o.int('batch_normalize', 0) !== 0;
      a.dontloadscales = o.int('dontloadscales', 0) !== 0;
      if (!input) break;
      const n = a.output, inputs = prev.outputs;
      layer.output = [1, 1, n];
      layer.params = n * inputs + n + (a.batchNormalize ? n : 0);
      layer.weightFloats = n + n * inputs + (a.batchNormalize && !a.dontloadscales ? 3 * n : 0);
      break;
    }
    case 'batchnorm':
      if (!input) break;
      layer.output = [...input];
      layer.params = 2 * input[2];
      layer.weightFloats = 4 * input[2];
      layer.rf = prev.rf;
      break;
    case 'activation':
    case 'lrn':
    case 'empty':
      a.activation = layer.type === 'activation' ? o.str('activation', 'linear') : undefined;
      if (!input) break;
      layer.output = [...input];
      layer.rf = prev.rf;
      break;
    case 'crop':
      a.cropWidth = o.int('crop_width', 1);
      a.cropHeight = o.int('crop_height', 1);
      if (!input) break;
      layer.output = [a.cropWidth, a.cropHeight, input[2]];
      break;
    case 'local': {
      a.filters = o.int('filters', 1);
      a.size = o.int('size', 1);
      a.strideX = a.strideY = o.int('stride', 1);
      a.activation = o.str('activation', 'logistic');
      const pad = o.int('pad', 0);
      if (!input) break;
      if (a.strideX < 1) { fail('stride must be ≥ 1'); break; }
      const ow = Math.trunc((input[0] - (pad ? 1 : a.size)) / a.strideX) + 1;
      const oh = Math.trunc((input[1] - (pad ? 1 : a.size)) / a.strideX) + 1;
      layer.output = [ow, oh, a.filters];
      const locations = ow * oh;
      layer.weightFloats = locations * a.filters + a.size * a.size * input[2] * a.filters * locations;
      layer.params = layer.weightFloats;
      layer.rf = rfThrough(prev.rf, a.size, a.strideX);
      break;
    }
    case 'implicit':
      a.filters = o.int('filters', 128);
      a.atoms = o.int('atoms', 1);
      layer.output = [1, a.atoms, a.filters];
      layer.weightFloats = layer.params = a.filters * a.atoms;
      break;
    default:
      // Unknown or unsupported (recurrent) layer: shape unknown, analysis continues.
      layer.output = undefined;
      return;
  }
  if (layer.output) layer.outputs = layer.output[0] * layer.output[1] * layer.output[2];
}

/** Layers whose output a layer reads. */
function sourcesOf(layer: Layer): number[] {
  const refTargets = layer.refs.filter((r) => r.valid && r.key !== 'share_index' && r.key !== 'embedding_layer' && r.key !== 'yolo_layer').map((r) => r.target);
  if (layer.type === 'route') return refTargets;
  if (layer.type === 'implicit') return [];
  return layer.index > 0 ? [layer.index - 1, ...refTargets] : refTargets;
}

const REF_KEYS: Record<string, string[]> = {
  route: ['layers'], shortcut: ['from'], sam: ['from'], scale_channels: ['from'],
  convolutional: ['share_index'], yolo: ['embedding_layer'], contrastive: ['yolo_layer'],
};

export function analyseDocument(doc: CfgDocument, opts: AnalyseOptions = {}): Network {
  const bom = bomDiagnostic(doc, opts);
  const diags: Diagnostic[] = bom ? [bom] : [];
  const first = doc.sections[0];
  const hasNet = first !== undefined && (first.name === 'net' || first.name === 'network') && first.header === `[${first.name}]`;
  const net = netInfo(hasNet ? first : undefined, opts);
  const layerSections = hasNet ? doc.sections.slice(1) : doc.sections;
  const layers: Layer[] = [];
  const ctx: Ctx = { doc, layers, diags };

  let prev = {
    shape: hasNet && net.width > 0 && net.height > 0 && net.channels > 0 ? ([net.width, net.height, net.channels] as Shape) : undefined,
    outputs: net.inputs,
    rf: { size: 1, stride: 1 } as ReceptiveField | undefined,
  };
  layerSections.forEach((section, index) => {
    const spec = layerSpec(section.name);
    const validHeader = section.header === `[${section.name}]`;
    const type = spec && validHeader && spec.name !== 'net' ? spec.name : section.name;
    const refs: LayerRef[] = [];
    for (const key of REF_KEYS[type] ?? []) {
      for (const r of resolveRefs(doc, section, key, index)) {
        if (key === 'yolo_layer' && r.raw === 0) continue;
        if (key === 'embedding_layer' && r.raw === 999999) continue;
        refs.push(r);
      }
    }
    const layer: Layer = {
      index, section, type, spec: spec && validHeader && spec.name !== 'net' ? spec : undefined, refs, sources: [],
      input: undefined, output: undefined, outputs: 0, params: 0, weightFloats: 0, bflops: 0, rf: undefined, attrs: {},
    };
    layer.sources = sourcesOf(layer);
    layers.push(layer);
    if (layer.spec && !layer.spec.unsupported) analyseLayer(ctx, layer, prev);
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
    if ((l.type === 'yolo' || l.type === 'Gaussian_yolo' || l.type === 'region' || l.type === 'detection') && l.rf) {
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
