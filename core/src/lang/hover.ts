// Hover: on a section header the layer's analysis, on a key its documentation and default, on a
// reference the layer it resolves to.

import { formatBflops, shapeText, type Layer, type Network } from '../cfg/network';
import type { CfgOption, Range } from '../cfg/parse';
import { keySpec, layerSpec, type KeySpec } from '../cfg/schema';
import { formatInt, inputText, layerBrief, netSummary } from './describe';
import { optionAt, refAt, sectionAt } from './locate';
import type { Position } from '../cfg/parse';

export interface HoverResult {
  markdown: string;
  range: Range;
}

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

function row(name: string, value: string): string {
  return `| ${name} | ${value} |`;
}

export function layerMarkdown(net: Network, layer: Layer): string {
  const lines = [`**Layer ${layer.index} · ${layer.type}**`, ''];
  if (layer.spec) lines.push(layer.spec.doc, '');
  else lines.push(`Darknet does not know ${code(layer.section.header)}: shape unknown.`, '');
  const sources = layer.sources.map((i) => `${i} (${layerBrief(net.layers[i])})`);
  lines.push('| | |', '|---|---|');
  lines.push(row('in → out', `${layer.input ? shapeText(layer.input) : '?'} → ${layer.output ? shapeText(layer.output) : '?'}`));
  lines.push(row('params', formatInt(layer.params)));
  if (layer.weightFloats !== layer.params) lines.push(row('.weights floats', formatInt(layer.weightFloats)));
  lines.push(row('BFLOPs', formatBflops(layer.bflops)));
  if (layer.rf) lines.push(row('receptive field', `${layer.rf.size} px, stride ${layer.rf.stride}`));
  lines.push(row('inputs', sources.length ? sources.join(', ') : layer.index === 0 ? 'network input' : '—'));
  const refs = layer.refs.filter((r) => r.key === 'share_index' || r.key === 'embedding_layer' || r.key === 'yolo_layer');
  for (const r of refs) lines.push(row(r.key, r.valid ? `${r.target} (${layerBrief(net.layers[r.target])})` : `${r.raw} (invalid)`));
  return lines.join('\n');
}

function netMarkdown(net: Network): string {
  return [
    '**[net]** network options',
    '',
    `Input ${inputText(net)} · ${netSummary(net)}`,
    '',
    `.weights: ${formatInt(net.totals.weightFloats)} floats`,
  ].join('\n');
}

export function keyMarkdown(key: string, spec: KeySpec, sectionName: string): string {
  const type = spec.type === 'refs' || spec.type === 'ref' ? 'layer reference' : spec.type;
  const head = `**${key}** (${type}) in ${code('[' + sectionName + ']')}`;
  const parts = [head, '', spec.doc, ''];
  if (spec.required) parts.push('Required.');
  else if (spec.default !== undefined) parts.push(`Default: ${code(spec.default)}`);
  else parts.push('No default.');
  if (spec.values) parts.push('', `Values: ${spec.values.map(code).join(', ')}`);
  if (spec.min !== undefined || spec.max !== undefined) parts.push('', `Range: ${spec.min ?? '−∞'} … ${spec.max ?? '∞'}`);
  return parts.join('\n');
}

function optionHover(
  net: Network,
  sectionName: string,
  typeName: string,
  opt: CfgOption,
  layer: Layer | undefined,
  pos: Position,
): HoverResult | undefined {
  const ref = refAt(layer, pos);
  if (ref && layer) {
    const target = ref.valid ? net.layers[ref.target] : undefined;
    const what = target
      ? `${ref.raw < 0 ? `${ref.raw} → ` : ''}layer ${ref.target}: ${layerBrief(target)}`
      : `${ref.raw}: layer ${ref.target} is not a layer before layer ${layer.index}`;
    return { markdown: `**${ref.key}** ${what}${target ? '\n\n' + layerMarkdown(net, target) : ''}`, range: ref.range };
  }
  const spec = layerSpec(typeName);
  const ks = spec && keySpec(spec, opt.key);
  const r: Range = {
    start: opt.keyRange.start,
    end: opt.valueRange.end.character > opt.keyRange.end.character ? opt.valueRange.end : opt.keyRange.end,
  };
  if (!ks)
    return spec
      ? { markdown: `**${opt.key}** is not a key of ${code('[' + sectionName + ']')}: darknet ignores it.`, range: r }
      : undefined;
  return { markdown: keyMarkdown(opt.key, ks, sectionName), range: r };
}

export function hoverAt(net: Network, pos: Position): HoverResult | undefined {
  const at = sectionAt(net, pos);
  if (!at) return undefined;
  const { section, layer, isNet } = at;
  if (pos.line === section.line) {
    if (isNet) return { markdown: netMarkdown(net), range: section.headerRange };
    if (layer) return { markdown: layerMarkdown(net, layer), range: section.headerRange };
    return undefined;
  }
  const opt = optionAt(section, pos);
  if (!opt) return undefined;
  const typeName = isNet ? 'net' : (layer?.spec?.name ?? section.name);
  return optionHover(net, section.name, typeName, opt, layer, pos);
}
