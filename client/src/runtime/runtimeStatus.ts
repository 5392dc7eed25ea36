// "Darknet: Show Runtime Status": runs `darknet-pruner env` through the job machinery (native runtimes
// load in that child process, never in the extension host) and shows its report as a read-only
// Markdown document (scheme darknet-runtime:).

import * as vscode from 'vscode';
import { jobResult } from '../../../core/src/protocol/jobs';
import { announce, type JobRunner } from '../jobs/jobs';
import { runtimeStatusMarkdown } from './statusMarkdown';

export const RUNTIME_SCHEME = 'darknet-runtime';
const DOC = vscode.Uri.from({ scheme: RUNTIME_SCHEME, path: '/Runtime Status.md' });

export class RuntimeStatus implements vscode.Disposable {
  private text = '# Darknet Pruner: runtime status\n\nRun **Darknet: Show Runtime Status** to probe the runtimes.\n';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;

  constructor(private readonly runner: JobRunner) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RUNTIME_SCHEME, { onDidChange: this.changed.event, provideTextDocumentContent: () => this.text });
  }

  async show(): Promise<void> {
    const outcome = await this.runner.run({ title: 'Runtime status (darknet-pruner env)', args: ['env'] });
    const report = outcome.ok ? jobResult('env', outcome.result) : undefined;
    if (!report) {
      await announce(this.runner, 'Runtime status', outcome.ok ? { ...outcome, ok: false, error: 'darknet-pruner env returned no report' } : outcome);
      return;
    }
    this.text = runtimeStatusMarkdown(report);
    this.changed.fire(DOC);
    const doc = await vscode.workspace.openTextDocument(DOC);
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
