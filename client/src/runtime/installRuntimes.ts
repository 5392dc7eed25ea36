// "Darknet: Install ML Runtimes": runs `darknet-pruner runtimes install --dir <global storage>/runtimes`
// as a job (progress, cancel, the log) and tells what was found, installed, built or skipped and why.
// Jobs find the runtimes there through DARKNET_PRUNER_RUNTIMES (client/src/jobs/cliProcess.ts), after
// a checkout's node_modules and the Node of darknet.pruner.nodePath (docs/runtimes.md §Installing
// runtimes into a folder).

import * as vscode from 'vscode';
import { jobResult } from '../../../core/src/protocol/jobs';
import { JOB_COMMANDS } from '../constants';
import type { JobRunner } from '../jobs/jobs';
import { accountLines, accountSummary, RUNTIME_CHOICES } from './installAccount';

const INSTALL_TITLE = JOB_COMMANDS.installRuntimes;

export async function installRuntimes(runner: JobRunner, dir: string, only?: string[]): Promise<void> {
  if (!only) {
    const pick = await vscode.window.showQuickPick(
      RUNTIME_CHOICES.map((c) => ({ ...c, detail: undefined })),
      { title: INSTALL_TITLE, placeHolder: `Runtimes to install into ${dir}` },
    );
    if (!pick) return;
    only = pick.only;
  }
  const args = ['runtimes', 'install', '--dir', dir, ...(only ? ['--only', only.join(',')] : [])];
  const outcome = await runner.run({ title: INSTALL_TITLE, args });
  if (outcome.cancelled) {
    void vscode.window.showInformationMessage(
      `${INSTALL_TITLE} cancelled: ${outcome.cancelNote ?? 'stopped'}; the runtimes folder is as it was.`,
    );
    return;
  }
  const result = jobResult('runtimes install', outcome.result);
  if (!result) {
    const pick = await vscode.window.showErrorMessage(`${INSTALL_TITLE} failed: ${outcome.error ?? 'no result'}`, 'Show log');
    if (pick) runner.log.show();
    return;
  }
  for (const line of accountLines(result)) runner.log.info(line);
  if (result.log) runner.log.info(`build log: ${result.log}`);
  const message = `${INSTALL_TITLE}: ${accountSummary(result)}.`;
  const show = outcome.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  if (await show(message, 'Show log')) runner.log.show();
}
