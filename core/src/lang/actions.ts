// Code actions: quick fixes of diagnostics whose fix is determined, "Fix layer references" after
// sections moved, and "Convert references to absolute/relative" (per section and per file).

import type { Diagnostic, Fix, Network } from '../cfg/network';
import type { Range } from '../cfg/parse';
import { convertReferences } from '../cfg/edits';
import { FIX_REFERENCES_TITLE, type ShiftedReferences } from './repair';

export interface Action {
  title: string;
  kind: 'quickfix' | 'refactor.rewrite';
  edits: Fix['edits'];
  /** The diagnostics it fixes. */
  diagnostics: Diagnostic[];
  isPreferred?: boolean;
}

const overlaps = (a: Range, b: Range) =>
  !(
    a.end.line < b.start.line ||
    (a.end.line === b.start.line && a.end.character < b.start.character) ||
    b.end.line < a.start.line ||
    (b.end.line === a.start.line && b.end.character < a.start.character)
  );

export function codeActions(net: Network, shifted: ShiftedReferences | undefined, at: Range): Action[] {
  const actions: Action[] = [];
  for (const d of net.diagnostics) {
    if (d.fix && overlaps(d.range, at))
      actions.push({ title: d.fix.title, kind: 'quickfix', edits: d.fix.edits, diagnostics: [d], isPreferred: true });
  }
  if (shifted) {
    actions.push({
      title: FIX_REFERENCES_TITLE,
      kind: 'quickfix',
      edits: shifted.repair.edits,
      diagnostics: shifted.diagnostics,
      isPreferred: true,
    });
  }
  const touched = net.layers.filter((l) => l.refs.length > 0 && overlaps(l.section.range, at)).map((l) => l.index);
  for (const mode of ['absolute', 'relative'] as const) {
    const local = touched.length ? convertReferences(net, mode, touched) : undefined;
    if (local) actions.push({ title: `Convert references to ${mode}`, kind: 'refactor.rewrite', edits: local.edits, diagnostics: [] });
    const all = convertReferences(net, mode);
    if (all && (!local || all.edits.length > local.edits.length)) {
      actions.push({ title: `Convert all references in the file to ${mode}`, kind: 'refactor.rewrite', edits: all.edits, diagnostics: [] });
    }
  }
  return actions;
}
