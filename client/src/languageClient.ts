// Starts, stops and restarts the Darknet cfg language server (server/out/server.js, over Node IPC)
// and reports its phase to whoever listens (the language status item).

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CLIENT_ID, CLIENT_NAME, CONFIG_SECTION, LANGUAGE_ID, SERVER_MODULE } from './constants';
import type { ServerPhase } from './status/serverState';
import type { NetworkSummaryParams } from '../../core/src/lang/summary';
import { NetworkGraphRequest, NetworkSummaryNotification } from '../../core/src/protocol/lsp';
import type { NetworkGraph } from '../../core/src/protocol/graph';

/** Port for `--inspect` when the extension runs in debug mode (F5 from a checkout). */
const DEBUG_PORT = 6009;

function serverOptions(serverModule: string): ServerOptions {
  return {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`] } },
  };
}

function clientOptions(outputChannel: vscode.LogOutputChannel): LanguageClientOptions {
  return {
    documentSelector: [{ language: LANGUAGE_ID }],
    // Read once by the server before its first workspace/configuration round trip.
    initializationOptions: { settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(CONFIG_SECTION))) as unknown },
    outputChannel,
  };
}

export class DarknetLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly phaseEmitter = new vscode.EventEmitter<ServerPhase>();
  readonly onDidChangePhase = this.phaseEmitter.event;
  private readonly summaryEmitter = new vscode.EventEmitter<NetworkSummaryParams>();
  /** The server's network summary for a document, with each analysis it publishes. */
  readonly onDidSummarize = this.summaryEmitter.event;
  readonly outputChannel: vscode.LogOutputChannel;
  private phaseValue: ServerPhase = { kind: 'stopped' };

  constructor(private readonly context: vscode.ExtensionContext) {
    this.outputChannel = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  }

  get phase(): ServerPhase {
    return this.phaseValue;
  }

  private setPhase(phase: ServerPhase): void {
    this.phaseValue = phase;
    this.phaseEmitter.fire(phase);
  }

  async start(): Promise<void> {
    if (this.client) return;
    const serverModule = this.context.asAbsolutePath(SERVER_MODULE);
    if (!existsSync(serverModule)) {
      this.fail(`${SERVER_MODULE} is missing: the extension was not built (npm run build)`);
      return;
    }
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions(serverModule), clientOptions(this.outputChannel));
    this.client = client;
    client.onNotification(NetworkSummaryNotification, (p) => this.summaryEmitter.fire(p));
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      if (e.newState === State.Starting) this.setPhase({ kind: 'starting' });
      else if (e.newState === State.Running) {
        const info = client.initializeResult?.serverInfo;
        this.setPhase({ kind: 'ready', serverName: info?.name, serverVersion: info?.version });
      } else if (this.phaseValue.kind !== 'failed') this.setPhase({ kind: 'stopped' });
    });
    this.setPhase({ kind: 'starting' });
    try {
      await client.start();
    } catch (e) {
      if (this.client === client) this.client = undefined;
      this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** The server's graph of an open document (undefined: no server, or the document is not open in it). */
  async networkGraph(uri: string): Promise<NetworkGraph | undefined> {
    const client = this.client;
    if (!client?.isRunning()) return undefined;
    return (await client.sendRequest(NetworkGraphRequest, { uri })) ?? undefined;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.needsStop()) await client.stop();
    } finally {
      this.setPhase({ kind: 'stopped' });
    }
  }

  async restart(): Promise<void> {
    await this.stop().catch((e: unknown) => this.outputChannel.error(`Stopping the server failed: ${String(e)}`));
    await this.start();
  }

  private fail(message: string): void {
    this.outputChannel.error(message);
    this.setPhase({ kind: 'failed', error: message });
  }

  dispose(): void {
    void this.stop();
    this.phaseEmitter.dispose();
    this.summaryEmitter.dispose();
    this.outputChannel.dispose();
  }
}
