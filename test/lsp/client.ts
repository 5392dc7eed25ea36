// A real LSP client for tests and benchmarks: spawns the bundled server (`node server/out/server.js
// --stdio`) and talks JSON-RPC to it. Builds the bundle first when it is missing or older than a source.
// LspSession is the transport-independent client half; test/lsp/in-process.ts runs the same
// client against createServer in this process.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { NetworkSummaryNotification } from '../../core/src/protocol/lsp';
import { ensureBuilt } from '../build';
import { REPO } from '../corpus';

export const SERVER = join(REPO, 'server', 'out', 'server.js');

/** Safety net (ms) for waiting on a server notification: a wait ends when it arrives; generous for a loaded machine. */
export const NOTIFICATION_TIMEOUT = 60_000;

export function ensureServerBuilt(): void {
  // What the server bundles: its own sources and parts of core (cfg, lang, protocol, prune, io, text).
  ensureBuilt(['server/out/server.js'], ['server/src', 'core/src'], 'the language server');
}

export interface ClientOptions {
  /** What the client answers to workspace/configuration for `darknet`; undefined = no configuration capability. */
  settings?: Record<string, unknown>;
}

export abstract class LspSession {
  private readonly diagnosticWaiters: {
    uri: string;
    pred: (p: PublishDiagnosticsParams) => boolean;
    resolve: (p: PublishDiagnosticsParams) => void;
  }[] = [];
  readonly lastDiagnostics = new Map<string, PublishDiagnosticsParams>();
  /** darknet/networkSummary notifications by document. */
  readonly summaries = new Map<string, unknown>();
  private readonly summaryWaiters: { uri: string; resolve: (summary: unknown) => void }[] = [];
  /** window/logMessage texts, in order. */
  readonly logs: string[] = [];
  private readonly versions = new Map<string, number>();

  protected constructor(
    readonly conn: ProtocolConnection,
    private readonly opts: ClientOptions,
  ) {
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.lastDiagnostics.set(p.uri, p);
      for (let i = this.diagnosticWaiters.length - 1; i >= 0; i--) {
        const w = this.diagnosticWaiters[i];
        if (w.uri === p.uri && w.pred(p)) {
          this.diagnosticWaiters.splice(i, 1);
          w.resolve(p);
        }
      }
    });
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((it) => (it.section === 'darknet' ? (this.opts.settings ?? null) : null)),
    );
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('workspace/inlayHint/refresh', () => null);
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
    });
    this.conn.onNotification(NetworkSummaryNotification, (p) => {
      this.summaries.set(p.uri, p.summary);
      for (let i = this.summaryWaiters.length - 1; i >= 0; i--) {
        if (this.summaryWaiters[i].uri === p.uri) this.summaryWaiters.splice(i, 1)[0].resolve(p.summary);
      }
    });
    this.conn.listen();
  }

  /** `processId` null keeps an in-process server from watching (and exiting with) this process. */
  protected async initialize(processId: number | null): Promise<void> {
    await this.conn.sendRequest('initialize', {
      processId,
      rootUri: null,
      capabilities: {
        workspace: {
          configuration: this.opts.settings !== undefined,
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: false },
          inlayHint: { refreshSupport: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: false, versionSupport: true },
          synchronization: { didSave: true, dynamicRegistration: false },
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    await this.conn.sendNotification('initialized', {});
  }

  abstract get alive(): boolean;
  abstract stop(): Promise<void>;

  /** Resolves with the next publishDiagnostics for `uri` that satisfies `pred`. */
  nextDiagnostics(
    uri: string,
    pred: (p: PublishDiagnosticsParams) => boolean = () => true,
    timeoutMs = NOTIFICATION_TIMEOUT,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.diagnosticWaiters.push({
        uri,
        pred,
        resolve: (p) => {
          clearTimeout(t);
          resolve(p);
        },
      });
    });
  }

  /** Resolves with the next darknet/networkSummary for `uri`: ask before the open or change that causes it. */
  nextSummary(uri: string, timeoutMs = NOTIFICATION_TIMEOUT): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no network summary for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      this.summaryWaiters.push({
        uri,
        resolve: (s) => {
          clearTimeout(t);
          resolve(s);
        },
      });
    });
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const diags = this.nextDiagnostics(uri, (p) => p.version === 1);
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'darknet-cfg', version: 1, text } });
    return diags;
  }

  /** Sends incremental (or full, when a change has no range) changes; returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async changeAndWait(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    const diags = this.nextDiagnostics(uri, (p) => p.version === version);
    await this.change(uri, changes);
    return diags;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.conn.sendRequest(method, params) as Promise<R>;
  }
}

/** The shipped bundle over stdio, in a child process. */
export class LspClient extends LspSession {
  readonly proc: ChildProcess;
  readonly stderr: string[] = [];
  private exited = false;

  private constructor(opts: ClientOptions, proc: ChildProcess) {
    super(createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!)), opts);
    this.proc = proc;
    this.proc.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
    this.proc.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(opts: ClientOptions = {}): Promise<LspClient> {
    ensureServerBuilt();
    const c = new LspClient(opts, spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    await c.initialize(process.pid);
    return c;
  }

  get alive(): boolean {
    return !this.exited && this.proc.exitCode === null;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.conn.sendNotification('exit');
      } catch {
        /* already gone */
      }
    }
    await new Promise<void>((resolve) => {
      if (!this.alive) return resolve();
      const t = setTimeout(() => {
        this.proc.kill();
        resolve();
      }, 2000);
      this.proc.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.conn.dispose();
  }
}

export { applyFix as applyEdits } from '../../core/src/cfg/edits';

/** Position of the first occurrence of `needle` (at or after line `fromLine`). */
export function find(text: string, needle: string, fromLine = 0): { line: number; character: number } {
  const lines = text.split('\n');
  for (let l = fromLine; l < lines.length; l++) {
    const c = lines[l].indexOf(needle);
    if (c >= 0) return { line: l, character: c };
  }
  throw new Error(`"${needle}" not found`);
}
