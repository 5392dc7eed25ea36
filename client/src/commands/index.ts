// Registers the extension's commands. Each command lives in its own module; this file only wires
// them to their ids (client/src/constants.ts, declared in package.json contributes.commands).

import * as vscode from 'vscode';
import { COMMANDS } from '../constants';
import type { DarknetLanguageClient } from '../languageClient';
import { treatAsDarknetCfg } from './treatAsDarknetCfg';

export interface CommandDeps {
  languageClient: DarknetLanguageClient;
}

export function registerCommands(context: vscode.ExtensionContext, deps: CommandDeps): void {
  const { languageClient } = deps;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.treatAsDarknetCfg, (uri?: vscode.Uri) => treatAsDarknetCfg(uri)),
    vscode.commands.registerCommand(COMMANDS.restartServer, () => languageClient.restart()),
    vscode.commands.registerCommand(COMMANDS.showServerOutput, () => languageClient.outputChannel.show(true)),
  );
}
