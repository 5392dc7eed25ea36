// Go to definition (a reference → the layer it names) and find references (who consumes a layer).

import type { Network } from '../cfg/network';
import type { Position, Range } from '../cfg/parse';
import { refAt, sectionAt } from './locate';

export interface Target {
  /** Whole section of the target layer. */
  range: Range;
  /** Its header. */
  selectionRange: Range;
  layer: number;
}

export function definitionAt(net: Network, pos: Position): Target | undefined {
  const at = sectionAt(net, pos);
  const ref = refAt(at?.layer, pos);
  if (!ref || !ref.valid) return undefined;
  const target = net.layers[ref.target];
  return { range: target.section.range, selectionRange: target.section.headerRange, layer: target.index };
}

/** The layer a position is about: a reference names its target, anything else in a section its layer. */
export function layerAt(net: Network, pos: Position): number | undefined {
  const at = sectionAt(net, pos);
  if (!at?.layer) return undefined;
  const ref = refAt(at.layer, pos);
  if (ref) return ref.valid ? ref.target : undefined;
  return at.layer.index;
}

export interface Use {
  /** The consuming layer. */
  layer: number;
  /** The reference text when the use is written; the consumer's header when it is the implicit previous-layer input. */
  range: Range;
  key: string | undefined;
}

/** Every layer that reads `index` (its output or, for share_index and friends, its weights). */
export function usesOf(net: Network, index: number): Use[] {
  const uses: Use[] = [];
  for (const l of net.layers) {
    if (l.index <= index) continue;
    const written = l.refs.filter((r) => r.valid && r.target === index);
    for (const r of written) uses.push({ layer: l.index, range: r.range, key: r.key });
    if (written.length === 0 && l.sources.includes(index)) uses.push({ layer: l.index, range: l.section.headerRange, key: undefined });
  }
  return uses;
}

export function referencesAt(net: Network, pos: Position, includeDeclaration: boolean): { range: Range; layer: number }[] {
  const index = layerAt(net, pos);
  if (index === undefined) return [];
  const out = usesOf(net, index).map((u) => ({ range: u.range, layer: u.layer }));
  if (includeDeclaration) out.unshift({ range: net.layers[index].section.headerRange, layer: index });
  return out;
}
