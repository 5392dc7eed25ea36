// Document symbols (the outline) and folding ranges: one per section.

import type { Network } from '../cfg/network';
import type { Range } from '../cfg/parse';
import { formatBflops } from '../cfg/network';
import { isBoxHead } from '../layers';
import { formatInt, inputText, layerLabel } from './describe';
import { layerOfSection } from './locate';

export type SymbolKind = 'net' | 'layer' | 'head' | 'merge' | 'unknown' | 'option';

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: SymbolKind;
  range: Range;
  selectionRange: Range;
  children: OutlineSymbol[];
}

export function documentSymbols(net: Network): OutlineSymbol[] {
  return net.doc.sections.map((section, i) => {
    const layer = layerOfSection(net, i);
    const children: OutlineSymbol[] = section.options.map((o) => ({
      name: o.key || '(empty key)',
      detail: o.value ?? '',
      kind: 'option',
      range: o.lineRange,
      selectionRange: o.keyRange,
      children: [],
    }));
    if (!layer) {
      return {
        name: `${section.name || section.header} ${inputText(net)}`,
        detail: '',
        kind: 'net',
        range: section.range,
        selectionRange: section.headerRange,
        children,
      };
    }
    const kind: SymbolKind = !layer.spec ? 'unknown' : isBoxHead(layer) ? 'head' : layer.spec.role === 'merge' ? 'merge' : 'layer';
    const detail = layer.params || layer.bflops ? `${formatInt(layer.params)} params · ${formatBflops(layer.bflops)} BFLOPs` : '';
    return { name: layerLabel(layer), detail, kind, range: section.range, selectionRange: section.headerRange, children };
  });
}

export interface Fold {
  startLine: number;
  endLine: number;
}

export function foldingRanges(net: Network): Fold[] {
  return net.doc.sections.filter((s) => s.range.end.line > s.line).map((s) => ({ startLine: s.line, endLine: s.range.end.line }));
}
