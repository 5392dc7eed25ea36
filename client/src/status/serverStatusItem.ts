// Language status item showing the language server's phase (starting / ready / stopped / failed).

import * as vscode from 'vscode';
import { CLIENT_NAME, LANGUAGE_ID, STATUS_ITEMS } from '../constants';
import { describeServerPhase, type ServerPhase, type StatusSeverity } from './serverState';

export const SEVERITY: Record<StatusSeverity, vscode.LanguageStatusSeverity> = {
  information: vscode.LanguageStatusSeverity.Information,
  warning: vscode.LanguageStatusSeverity.Warning,
  error: vscode.LanguageStatusSeverity.Error,
};

export class ServerStatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem(STATUS_ITEMS.server, { language: LANGUAGE_ID });

  constructor() {
    this.item.name = CLIENT_NAME;
    this.show({ kind: 'starting' });
  }

  show(phase: ServerPhase): void {
    const view = describeServerPhase(phase);
    this.item.text = view.text;
    this.item.detail = view.detail;
    this.item.severity = SEVERITY[view.severity];
    this.item.busy = view.busy;
    this.item.command = view.command;
  }

  dispose(): void {
    this.item.dispose();
  }
}
