// Reference repair after sections were inserted or deleted. The language server keeps a baseline
// network per document (the version at open, after save, after a repair); when the current text's
// references no longer point where they did in the baseline, every shifted reference gets a
// `refs-shifted` diagnostic carrying the one fix that repairs them all.

import type { Diagnostic, Network } from '../cfg/network';
import { repairReferences, type ReferenceRepair } from '../cfg/edits';

export const FIX_REFERENCES_TITLE = 'Fix layer references';

export interface ShiftedReferences {
  repair: ReferenceRepair;
  diagnostics: Diagnostic[];
}

export function shiftedReferences(baseline: Network | undefined, current: Network): ShiftedReferences | undefined {
  if (!baseline || baseline === current) return undefined;
  const repair = repairReferences(baseline, current);
  if (!repair) return undefined;
  const n = repair.changes.length;
  const fix = { title: FIX_REFERENCES_TITLE, edits: repair.edits };
  const summary = `Inserting/deleting sections shifted ${n} layer reference${n === 1 ? '' : 's'}`;
  const diagnostics = repair.changes.map((c): Diagnostic => ({
    range: c.ref.range,
    severity: 'information',
    code: 'refs-shifted',
    layer: c.layer,
    message: `${summary}: ${c.key}=${c.from} in layer ${c.layer} should now be ${c.to} to keep pointing at the same layer`,
    fix,
  }));
  return { repair, diagnostics };
}
