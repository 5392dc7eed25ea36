// Language status item with the active cfg's layer count and BFLOPs, refreshed (debounced) as the
// document changes.

import * as vscode from 'vscode';
import { CONFIG_SECTION, LANGUAGE_ID, STATUS_ITEMS } from '../constants';
import { summarizeNetwork } from './networkSummary';

/** The summary is informational: never refresh it more often than this. */
const MIN_DELAY_MS = 200;

export class NetworkStatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem(STATUS_ITEMS.network, { language: LANGUAGE_ID });
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.item.name = 'Darknet network';
    this.item.text = '';
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(this.delay());
      }),
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d === vscode.window.activeTextEditor?.document) this.schedule(0);
      }),
    );
    this.schedule(0);
  }

  private delay(): number {
    const ms = vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>('diagnostics.debounceMs', 50);
    return Math.max(MIN_DELAY_MS, Number.isFinite(ms) ? ms : 0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; this.refresh(); }, ms);
  }

  private refresh(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const summary = doc?.languageId === LANGUAGE_ID ? summarizeNetwork(doc.getText()) : undefined;
    this.item.text = summary?.text ?? 'No layers';
    this.item.detail = summary?.detail ?? '';
    this.item.severity = summary && summary.errors > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
