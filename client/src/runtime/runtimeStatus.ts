// "Darknet: Show Runtime Status": runs `darknet-pruner env` through the job machinery (native runtimes
// load in that child process, never in the extension host) and shows its report as a read-only
// Markdown document (scheme darknet-runtime:).

import * as vscode from 'vscode';
import { jobResult } from '../../../core/src/protocol/jobs';
import type { JobRunner } from '../jobs/jobs';
import { runtimeStatusFailureMarkdown, runtimeStatusMarkdown } from './statusMarkdown';

export const RUNTIME_SCHEME = 'darknet-runtime';
const DOC = vscode.Uri.from({ scheme: RUNTIME_SCHEME, path: '/Runtime Status.md' });

export class RuntimeStatus implements vscode.Disposable {
  private text = '# Darknet Pruner: runtime status\n\nRun **Darknet: Show Runtime Status** to probe the runtimes.\n';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration: vscode.Disposable;

  constructor(private readonly runner: JobRunner) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(RUNTIME_SCHEME, {
      onDidChange: this.changed.event,
      provideTextDocumentContent: () => this.text,
    });
  }

  async show(): Promise<void> {
    const outcome = await this.runner.run({ title: 'Runtime status (darknet-pruner env)', args: ['env'] });
    if (outcome.cancelled) return;
    const report = outcome.ok ? jobResult('env', outcome.result) : undefined;
    // A failure is shown in the same document: why env could not run is itself the runtime status.
    this.text = report
      ? runtimeStatusMarkdown(report)
      : runtimeStatusFailureMarkdown(outcome.error ?? 'darknet-pruner env returned no report');
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
