// Long jobs in the editor: a cancellable progress notification, a log output channel, a status bar
// item while a job runs, and a completion notification with actions for the job's artifacts.

import * as vscode from 'vscode';
import type { JobEvent } from '../../../core/src/protocol/jobs';
import { judgeExit, startCli, type CliHost } from './cliProcess';
import { COMMANDS, JOB_COMMANDS } from '../constants';
import { needsRuntime } from '../runtime/installAccount';

export interface JobSpec {
  title: string;
  args: string[];
  cwd?: string;
  /** This job's events (besides the runner's listeners, which hear every job's). */
  onEvent?: (e: JobEvent) => void;
}

export interface JobOutcome {
  ok: boolean;
  /** Cancel took effect: the job stopped before it finished. */
  cancelled: boolean;
  /** What cancelling really did, when it was asked for. */
  cancelNote?: string;
  result?: unknown;
  artifacts: { kind: string; path: string }[];
  error?: string;
  /** The job's `note` warnings (e.g. pruning γ that are not near zero), each shown as it came. */
  warnings?: string[];
}

export class JobRunner implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Darknet Pruner', { log: true });
  private readonly status = vscode.window.createStatusBarItem('darknet.job', vscode.StatusBarAlignment.Left, 10);
  private running = 0;
  /** Listeners for live events (webviews showing job progress). */
  private readonly listeners = new Set<(e: JobEvent) => void>();

  constructor(private readonly host: () => CliHost) {
    this.status.name = 'Darknet Pruner job';
  }

  onEvent(listener: (e: JobEvent) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /** Run with the notification UI. */
  run(spec: JobSpec): Thenable<JobOutcome> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: spec.title, cancellable: true },
      (progress, token) => this.execute(spec, token, (message, fraction) => progress.report({ message, increment: fraction })),
    );
  }

  /** Run without UI besides log and status bar (used by the task provider). */
  execute(
    spec: JobSpec,
    token: vscode.CancellationToken,
    report: (message: string, fraction?: number) => void,
    write?: (line: string) => void,
  ): Promise<JobOutcome> {
    const outcome: JobOutcome = { ok: false, cancelled: false, artifacts: [] };
    this.log.info(`$ darknet-pruner ${spec.args.join(' ')}`);
    this.setRunning(+1, spec.title);
    let last = 0;
    const run = startCli(
      this.host(),
      spec,
      (e) => {
        spec.onEvent?.(e);
        for (const l of this.listeners) l(e);
        switch (e.type) {
          case 'progress': {
            const inc = e.fraction !== undefined ? Math.max(0, e.fraction * 100 - last) : undefined;
            if (e.fraction !== undefined) last = e.fraction * 100;
            report(e.message, inc);
            this.log.info(e.message);
            write?.(e.message);
            break;
          }
          case 'artifact':
            outcome.artifacts.push({ kind: e.kind, path: e.path });
            this.log.info(`wrote ${e.path}`);
            write?.(`wrote ${e.path}`);
            break;
          case 'result':
            outcome.result = e.data;
            break;
          case 'error':
            outcome.error = e.message;
            this.log.error(e.message);
            write?.(e.message);
            break;
          case 'metric':
            this.log.info(`${e.name} = ${e.value}`);
            break;
          case 'note':
            if (e.level === 'warning') {
              (outcome.warnings ??= []).push(e.message);
              this.log.warn(e.message);
              // shown as it comes: the job keeps running (a warning never stops it)
              void vscode.window.showWarningMessage(`${spec.title}: ${e.message}`, 'Show log').then((pick) => pick && this.log.show());
            } else this.log.info(e.message);
            write?.(e.message);
            break;
          default:
            break;
        }
      },
      (line) => {
        this.log.info(line);
        write?.(line);
      },
    );
    let cancelRequested = false;
    const sub = token.onCancellationRequested(() => {
      cancelRequested = true;
      this.log.info(`${spec.title}: cancelling`);
      run.cancel();
    });
    return run.done.then((exit) => {
      sub.dispose();
      this.setRunning(-1);
      Object.assign(outcome, judgeExit(exit, cancelRequested, outcome.error));
      this.log.info(
        outcome.ok ? `${spec.title}: done${outcome.cancelNote ? ` (${outcome.cancelNote})` : ''}` : `${spec.title}: ${outcome.error}`,
      );
      return outcome;
    });
  }

  private setRunning(delta: number, title?: string) {
    this.running += delta;
    if (this.running > 0) {
      this.status.text = `$(sync~spin) Darknet: ${title ?? 'job'}${this.running > 1 ? ` (+${this.running - 1})` : ''}`;
      this.status.command = 'darknet.showLog';
      this.status.show();
    } else {
      this.status.hide();
    }
  }

  dispose() {
    this.log.dispose();
    this.status.dispose();
  }
}

/** Completion notification: "Open report" / "Open pruned cfg" / "Show log". */
export async function announce(runner: JobRunner, title: string, outcome: JobOutcome, openReport?: (path: string) => void): Promise<void> {
  if (outcome.cancelled) {
    void vscode.window.showInformationMessage(`${title} cancelled: ${outcome.cancelNote ?? 'stopped'}.`);
    return;
  }
  if (!outcome.ok) {
    // a runtime the job needs is missing: offer to install it (client/src/runtime/installRuntimes.ts)
    const install = needsRuntime(outcome.error) ? [JOB_COMMANDS.installRuntimes] : [];
    const pick = await vscode.window.showErrorMessage(`${title} failed: ${outcome.error}`, ...install, 'Show log');
    if (pick === JOB_COMMANDS.installRuntimes) await vscode.commands.executeCommand(COMMANDS.installRuntimes);
    else if (pick) runner.log.show();
    return;
  }
  const report = outcome.artifacts.find((a) => a.kind === 'report');
  const cfg = outcome.artifacts.find((a) => a.kind === 'cfg');
  const actions = [...(report ? ['Open report'] : []), ...(cfg ? ['Open pruned cfg'] : []), 'Show log'];
  const pick = await vscode.window.showInformationMessage(
    `${title} finished${outcome.cancelNote ? ` (${outcome.cancelNote})` : ''}.`,
    ...actions,
  );
  if (pick === 'Open report' && report) openReport?.(report.path);
  else if (pick === 'Open pruned cfg' && cfg) await vscode.window.showTextDocument(vscode.Uri.file(cfg.path));
  else if (pick === 'Show log') runner.log.show();
}
