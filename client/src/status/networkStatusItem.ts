// Language status item with the active cfg's layer count and BFLOPs, as the language server
// reports them with each analysis (darknet/networkSummary): the client never re-analyses.

import * as vscode from 'vscode';
import type { NetworkSummary, NetworkSummaryParams } from '../../../core/src/lang/summary';
import { LANGUAGE_ID, STATUS_ITEMS } from '../constants';

export class NetworkStatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem(STATUS_ITEMS.network, { language: LANGUAGE_ID });
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly summaries = new Map<string, NetworkSummary | undefined>();

  constructor(onSummary: vscode.Event<NetworkSummaryParams>) {
    this.item.name = 'Darknet network';
    this.item.text = '';
    this.subscriptions.push(
      onSummary((p) => {
        this.summaries.set(p.uri, p.summary);
        this.refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.workspace.onDidCloseTextDocument((d) => this.summaries.delete(d.uri.toString())),
    );
    this.refresh();
  }

  private refresh(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const summary = doc?.languageId === LANGUAGE_ID ? this.summaries.get(doc.uri.toString()) : undefined;
    this.item.text = summary?.text ?? 'No layers';
    this.item.detail = summary?.detail ?? '';
    this.item.severity = summary && summary.errors > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
