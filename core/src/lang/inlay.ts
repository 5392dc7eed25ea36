// Inlay hints: the layer index and output shape after each section header, and the absolute
// target after each relative reference.

import { shapeText, type Network } from '../cfg/network';
import type { Position, Range } from '../cfg/parse';

export interface InlayOptions {
  layerIndex: boolean;
  outputShape: boolean;
  references: boolean;
}
export const DEFAULT_INLAY_OPTIONS: InlayOptions = { layerIndex: true, outputShape: true, references: true };

export interface Inlay {
  position: Position;
  label: string;
  kind: 'layer' | 'reference';
  tooltip?: string;
}

export function inlayHints(net: Network, within: Range | undefined, opts: InlayOptions = DEFAULT_INLAY_OPTIONS): Inlay[] {
  const first = within?.start.line ?? 0,
    last = within?.end.line ?? Number.MAX_SAFE_INTEGER;
  const out: Inlay[] = [];
  for (const layer of net.layers) {
    const s = layer.section;
    if (s.range.end.line < first) continue;
    if (s.line > last) break;
    if (s.line >= first && (opts.layerIndex || opts.outputShape)) {
      const parts: string[] = [];
      if (opts.layerIndex) parts.push(String(layer.index));
      if (opts.outputShape) parts.push(layer.output ? `→ ${shapeText(layer.output)}` : '→ ?');
      out.push({ position: s.headerRange.end, label: parts.join(' '), kind: 'layer', tooltip: `Layer ${layer.index} (${layer.type})` });
    }
    if (!opts.references) continue;
    for (const r of layer.refs) {
      if (r.raw >= 0 || r.range.start.line < first || r.range.start.line > last) continue;
      out.push({
        position: r.range.end,
        label: `→ ${r.target}`,
        kind: 'reference',
        tooltip: `${r.key}=${r.raw} from layer ${layer.index} is layer ${r.target}`,
      });
    }
  }
  return out;
}
