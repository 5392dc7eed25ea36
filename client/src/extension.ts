// Extension entry point: shows the language server's state in the language status bar, registers
// the commands, switches misdetected `.cfg` documents to darknet-cfg, and starts the Darknet cfg
// language server as soon as a darknet-cfg document is open (the extension also activates for
// Properties documents, where it only checks their first line). Nothing here loads a native ML
// runtime: long jobs run in the `darknet-pruner` CLI as a child process.

import { join } from 'node:path';
import * as vscode from 'vscode';
import { FirstLineDetector } from './autoDetect';
import { registerCommands, serverCommands } from './commands';
import { nodePathForJobs } from './config';
import { LANGUAGE_ID } from './constants';
import { DarknetLanguageClient } from './languageClient';
import { NetworkStatusItem } from './status/networkStatusItem';
import { ServerStatusItem } from './status/serverStatusItem';
import { JobRunner } from './jobs/jobs';
import { registerTaskProvider } from './jobs/taskProvider';
import { pruningCommands } from './pruning/commands';
import { GraphPanels } from './graph/graphPanels';
import { PruneInputs } from './pruning/inputs';
import { RuntimeStatus } from './runtime/runtimeStatus';
import { installRuntimes } from './runtime/installRuntimes';
import { synthesizeWeights } from './weights/synthesize';
import { exportOnnx } from './export/exportOnnx';
import { detectionCommands } from './detection/detectObjects';
import { trainingCommands } from './training/commands';
import { benchCommands } from './bench/commands';

let languageClient: DarknetLanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const client = new DarknetLanguageClient(context);
  languageClient = client;
  const serverStatus = new ServerStatusItem();
  context.subscriptions.push(
    client,
    serverStatus,
    client.onDidChangePhase((p) => serverStatus.show(p)),
    new NetworkStatusItem(client.onDidSummarize),
    new FirstLineDetector(),
  );
  const runtimesDir = join(context.globalStorageUri.fsPath, 'runtimes');
  const cliHost = () => ({ extensionPath: context.extensionPath, nodePath: nodePathForJobs(), runtimesDir });
  const runner = new JobRunner(cliHost);
  context.subscriptions.push(runner, registerTaskProvider(runner));
  const graphs = new GraphPanels(context.extensionUri, client);
  const runtime = new RuntimeStatus(runner);
  context.subscriptions.push(graphs, runtime);
  const inputs = new PruneInputs(context.workspaceState);
  registerCommands(context, {
    ...serverCommands(client),
    ...pruningCommands(context, runner, graphs),
    ...trainingCommands(context, runner),
    showNetworkGraph: (uri?: vscode.Uri) => graphs.show(uri),
    showRuntimeStatus: () => runtime.show(),
    installRuntimes: (only?: unknown) => installRuntimes(runner, runtimesDir, Array.isArray(only) ? only.map(String) : undefined),
    synthesizeWeights: (uri?: vscode.Uri) => synthesizeWeights(runner, inputs, uri instanceof vscode.Uri ? uri : undefined),
    exportOnnx: (uri?: vscode.Uri) => exportOnnx(runner, inputs, uri instanceof vscode.Uri ? uri : undefined),
    ...detectionCommands(context, runner, inputs),
    ...benchCommands(context, runner, inputs, cliHost),
  });

  const isCfg = (d: vscode.TextDocument) => d.languageId === LANGUAGE_ID;
  if (vscode.workspace.textDocuments.some(isCfg)) {
    await client.start();
    return;
  }
  const waiting = vscode.workspace.onDidOpenTextDocument((d) => {
    if (!isCfg(d)) return;
    waiting.dispose();
    void client.start();
  });
  context.subscriptions.push(waiting);
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  await client?.stop();
}
