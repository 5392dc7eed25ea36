// The client launches the server the way vscode-languageclient does for TransportKind.ipc: a
// forked Node process with `--node-ipc`. Here the server is forked the same way and initialised
// with the client's initializationOptions, proving transport and settings hand-over match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import {
  IPCMessageReader,
  IPCMessageWriter,
  createProtocolConnection,
  InitializeRequest,
  ShutdownRequest,
  ExitNotification,
  HoverRequest,
  DidOpenTextDocumentNotification,
} from 'vscode-languageserver-protocol/node';
import { REPO } from '../corpus';
import { LANGUAGE_ID, SERVER_MODULE } from '../../client/src/constants';

test('the server starts over Node IPC, reports its name and answers requests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'darknet-ipc-'));
  const out = join(dir, 'server.js');
  await esbuild.build({
    entryPoints: [join(REPO, SERVER_MODULE.replace('out/server.js', 'src/main.ts'))],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    external: ['vscode'],
  });
  const child = fork(out, ['--node-ipc', `--clientProcessId=${process.pid}`], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  conn.listen();
  try {
    const init = await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      workspaceFolders: null,
      initializationOptions: { settings: { diagnostics: { debounceMs: 0 } } },
    });
    assert.equal(init.serverInfo?.name, 'darknet-cfg-language-server');
    assert.ok(init.capabilities.hoverProvider);
    await conn.sendNotification('initialized', {});
    const uri = 'file:///tmp/yolo-test.cfg';
    await conn.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: {
        uri,
        languageId: LANGUAGE_ID,
        version: 1,
        text: '[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=8\n',
      },
    });
    const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 4, character: 3 } });
    assert.ok(hover, 'no hover on [convolutional]');
    await conn.sendRequest(ShutdownRequest.type);
    await conn.sendNotification(ExitNotification.type);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0);
  } finally {
    conn.dispose();
    if (child.exitCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
