// Text-level model edits for the diff tests: change filters, delete sections and repair references.
import { analyseText } from '../../core/src/cfg/analyse';
import { repairReferences } from '../../core/src/cfg/edits';
import { findOption } from '../../core/src/cfg/parse';

import { applyFix as applyEdits } from '../../core/src/cfg/edits';
import type { Fix } from '../../core/src/cfg/network';
export { applyEdits };

/** Set `filters=` of the given layers (channel pruning by hand). */
export function setFilters(text: string, filters: Record<number, number>): string {
  const net = analyseText(text);
  return applyEdits(
    text,
    Object.entries(filters).map(([i, f]) => {
      const opt = findOption(net.layers[Number(i)].section, 'filters');
      if (!opt) throw new Error(`layer ${i} has no filters`);
      return { range: opt.valueRange, newText: String(f) };
    }),
  );
}

/** Delete the sections of the given layers and remap every reference of the survivors exactly as the
 * layer-prune tool does (docs/pruning.md §Remapping: a removed target moves to its surviving predecessor). */
export function removeLayers(text: string, layers: number[]): string {
  const before = analyseText(text);
  const gone = new Set(layers);
  const newIndex = (t: number) => t - [...gone].filter((x) => x <= t).length;
  const edits: Fix['edits'] = [];
  for (const l of before.layers) {
    if (gone.has(l.index)) continue;
    for (const r of l.refs) {
      if (!r.valid) continue;
      const text = String(r.raw < 0 ? newIndex(r.target) - newIndex(l.index) : newIndex(r.target));
      if (text !== String(r.raw)) edits.push({ range: r.range, newText: text });
    }
  }
  const lines = applyEdits(text, edits).split('\n');
  for (const i of [...gone].sort((a, b) => b - a)) {
    const start = before.layers[i].section.line;
    const end = i + 1 < before.layers.length ? before.layers[i + 1].section.line : lines.length;
    lines.splice(start, end - start);
  }
  return lines.join('\n');
}

/** The same deletion, with references fixed by the editor's repairReferences (LCS on section text). */
export function removeLayersRepaired(text: string, layers: number[]): string {
  const before = analyseText(text);
  const lines = text.split('\n');
  for (const i of [...layers].sort((a, b) => b - a)) {
    const start = before.layers[i].section.line;
    const end = i + 1 < before.layers.length ? before.layers[i + 1].section.line : lines.length;
    lines.splice(start, end - start);
  }
  const cut = lines.join('\n');
  const fix = repairReferences(before, analyseText(cut));
  return fix ? applyEdits(cut, fix.edits) : cut;
}
