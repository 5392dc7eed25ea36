// Registers every command of the table in client/src/constants.ts (COMMANDS): the caller supplies a
// handler for each (a missing one is a type error), and the job commands are guarded by workspace
// trust here, so every way of running them (palette, menus, the γ panel's button) goes through it.

import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../constants';
import type { DarknetLanguageClient } from '../languageClient';
import { guardJobCommands, type CommandHandlers, type TrustPort } from '../trust';
import { treatAsDarknetCfg } from './treatAsDarknetCfg';

/** The language server's commands. */
export function serverCommands(
  languageClient: DarknetLanguageClient,
): Pick<CommandHandlers, 'treatAsDarknetCfg' | 'restartServer' | 'showServerOutput'> {
  return {
    treatAsDarknetCfg: (uri?: vscode.Uri) => treatAsDarknetCfg(uri),
    restartServer: () => languageClient.restart(),
    showServerOutput: () => languageClient.outputChannel.show(true),
  };
}

const trust: TrustPort = {
  isTrusted: () => vscode.workspace.isTrusted,
  warn: (message, action) => vscode.window.showWarningMessage(message, action),
  manage: () => vscode.commands.executeCommand('workbench.trust.manage'),
};

export function registerCommands(context: vscode.ExtensionContext, handlers: CommandHandlers): void {
  const guarded = guardJobCommands(handlers, trust);
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[name], guarded[name]));
  }
}
