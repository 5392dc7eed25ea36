// Paths read from a prune-report.json (which may come from a cloned repository) are opened without
// asking only when they lie inside a workspace folder, symlinks resolved; otherwise the user decides.

import { realpathSync } from 'node:fs';
import * as path from 'node:path';

/** What the check needs from VS Code: the workspace folders and a modal question. */
export interface ReportTargetPort {
  folders(): string[];
  confirm(message: string, action: string): Thenable<string | undefined>;
}

export const OPEN_ANYWAY = 'Open';

/** The path with symlinks resolved, as far as it exists. */
function resolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync.native(abs);
  } catch {
    const parent = path.dirname(abs);
    return parent === abs ? abs : path.join(resolved(parent), path.basename(abs));
  }
}

export function insideFolders(file: string, folders: string[]): boolean {
  const real = resolved(file);
  return folders.some((f) => {
    const rel = path.relative(resolved(f), real);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  });
}

/** True when every file may be opened: all inside the workspace, or the user said so. */
export async function mayOpenReportTargets(port: ReportTargetPort, reportFile: string, files: string[]): Promise<boolean> {
  const outside = files.filter((f) => !insideFolders(f, port.folders()));
  if (outside.length === 0) return true;
  const list = outside.map((f) => resolved(f)).join(', ');
  const pick = await port.confirm(`${path.basename(reportFile)} points outside the workspace: ${list}. Open it anyway?`, OPEN_ANYWAY);
  return pick === OPEN_ANYWAY;
}
