// Switches `.cfg` documents that VS Code opened as Properties (or INI / plain text) to darknet-cfg
// when their first line is `[net]` / `[network]` (setting darknet.detectByFirstLine). Each document
// is switched at most once per session, so a user who switches it back keeps their choice.

import * as vscode from 'vscode';
import { setting } from './config';
import { LANGUAGE_ID } from './constants';
import { firstLineOf, looksLikeMisdetectedCfg } from './detect';

export class FirstLineDetector implements vscode.Disposable {
  private readonly switched = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidOpenTextDocument((d) => void this.check(d));
    for (const d of vscode.workspace.textDocuments) void this.check(d);
  }

  private async check(doc: vscode.TextDocument): Promise<void> {
    if (!setting('detectByFirstLine', doc)) return;
    const key = doc.uri.toString();
    if (this.switched.has(key) || doc.lineCount === 0) return;
    if (!looksLikeMisdetectedCfg(doc.languageId, doc.fileName, firstLineOf(doc.lineAt(0).text))) return;
    this.switched.add(key);
    try {
      await vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
    } catch {
      // The document was closed meanwhile: nothing to switch.
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
