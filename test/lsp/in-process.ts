// The language server's handlers in this process: createServer (server/src/server.ts) on a
// vscode-languageserver connection over a pair of in-memory streams, driven by the same JSON-RPC
// client as the shipped bundle over stdio (LspSession). No process to spawn and no bundle to build,
// so many-case handler tests run in a fraction of the time; the stdio tests keep the bundle honest.
// DARKNET_LSP_STDIO=1 runs the in-process test files against the shipped bundle instead.

import { PassThrough } from 'node:stream';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { createServer, type ServerHandle } from '../../server/src/server';
import { LspClient, LspSession, type ClientOptions } from './client';

export class InProcessClient extends LspSession {
  private disposed = false;

  private constructor(
    opts: ClientOptions,
    private readonly streams: PassThrough[],
    private readonly server: Connection,
    private readonly handle: ServerHandle,
  ) {
    super(createProtocolConnection(new StreamMessageReader(streams[1]), new StreamMessageWriter(streams[0])), opts);
  }

  static async start(opts: ClientOptions = {}): Promise<InProcessClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    // Message readers, not raw streams: given a stream, vscode-languageserver/node exits the process when it ends.
    const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
    const handle = createServer(server);
    server.listen();
    const c = new InProcessClient(opts, [toServer, toClient], server, handle);
    await c.initialize(null);
    return c;
  }

  get alive(): boolean {
    return !this.disposed;
  }

  /** Shutdown, then the connections are disposed: the `exit` notification would end this process. */
  async stop(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.conn.sendRequest('shutdown');
    this.handle.dispose();
    this.conn.dispose();
    this.server.dispose();
    for (const s of this.streams) s.end();
  }
}

/** The server for handler tests: in this process, or the shipped bundle when DARKNET_LSP_STDIO=1. */
export function startServer(opts: ClientOptions = {}): Promise<LspSession> {
  return process.env.DARKNET_LSP_STDIO === '1' ? LspClient.start(opts) : InProcessClient.start(opts);
}
