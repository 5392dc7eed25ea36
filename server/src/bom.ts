// VS Code drops a UTF-8 BOM from the document text, but darknet reads the file's bytes. So for
// file: URIs the server reads the file's first bytes and the editor reports the BOM as the CLI
// does (one `utf8-bom` diagnostic). Its quick fix cannot be a text edit there (the text has no
// BOM): it opens VS Code's encoding picker, where "Save with Encoding" → "UTF-8" removes it.

import { closeSync, openSync, readSync } from 'node:fs';
import { CodeAction, CodeActionKind, type Range } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import type { Network } from '../../core/src/cfg/network';
import { toLspDiagnostic } from './convert';

export const CHANGE_ENCODING_COMMAND = 'workbench.action.editor.changeEncoding';

/** Whether the file behind a file: URI starts with EF BB BF (false for other schemes and unreadable files). */
export function fileStartsWithBom(uri: string): boolean {
  let file: string;
  try {
    const u = URI.parse(uri);
    if (u.scheme !== 'file') return false;
    file = u.fsPath;
  } catch {
    return false;
  }
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(3);
    return readSync(fd, head, 0, 3, 0) === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The quick fix of a BOM that is in the file but not in the text. */
export function bomActions(net: Network, at: Range): CodeAction[] {
  const d = net.diagnostics.find((x) => x.code === 'utf8-bom' && !x.fix);
  if (!d || at.start.line > 0) return [];
  const action = CodeAction.create(
    'Remove the UTF-8 BOM (Save with Encoding → UTF-8)',
    { title: 'Change File Encoding', command: CHANGE_ENCODING_COMMAND },
    CodeActionKind.QuickFix,
  );
  action.diagnostics = [toLspDiagnostic(d)];
  action.isPreferred = true;
  return [action];
}
