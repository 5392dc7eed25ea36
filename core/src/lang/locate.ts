// What sits at a position of an analysed cfg: the section (and its layer), the option, the reference.

import { contains, type CfgOption, type CfgSection, type Position } from '../cfg/parse';
import type { Layer, LayerRef, Network } from '../cfg/network';

export interface SectionAt {
  section: CfgSection;
  /** Index of the section in doc.sections. */
  sectionIndex: number;
  /** The layer this section is; undefined for [net]. */
  layer: Layer | undefined;
  isNet: boolean;
}

/** The layer a section is (undefined for the [net] section). */
export function layerOfSection(net: Network, sectionIndex: number): Layer | undefined {
  const offset = net.net.section ? 1 : 0;
  const layer = net.layers[sectionIndex - offset];
  return layer && layer.section === net.doc.sections[sectionIndex] ? layer : undefined;
}

/** The section a line belongs to: the last header at or above it. */
export function sectionAt(net: Network, pos: Position): SectionAt | undefined {
  const sections = net.doc.sections;
  let lo = 0,
    hi = sections.length - 1,
    found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sections[mid].line <= pos.line) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const section = sections[found];
  return { section, sectionIndex: found, layer: layerOfSection(net, found), isNet: net.net.section === section };
}

export function optionAt(section: CfgSection, pos: Position): CfgOption | undefined {
  return section.options.find((o) => o.line === pos.line);
}

export function refAt(layer: Layer | undefined, pos: Position): LayerRef | undefined {
  return layer?.refs.find((r) => contains(r.range, pos));
}

export function lineText(net: Network, line: number): string {
  const { lineOffsets, text } = net.doc;
  if (line < 0 || line >= lineOffsets.length) return '';
  const end = line + 1 < lineOffsets.length ? lineOffsets[line + 1] : text.length;
  return text.slice(lineOffsets[line], end).replace(/\r?\n$|\r$/, '');
}
