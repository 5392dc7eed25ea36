// Runs the darknet-pruner CLI as a child process with --json-events and turns its stdout into
// JobEvents. Native ML runtimes load only in that child, never in the extension host.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseJobEvent, type JobEvent } from '../../../core/src/cli/events';

export interface CliInvocation {
  /** Arguments after `darknet-pruner` (without --json-events, which is added). */
  args: string[];
  cwd?: string;
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  cancel(): void;
}

export interface CliHost {
  extensionPath: string;
  /** Node executable: the user's setting, else the extension host's own runtime. */
  nodePath?: string;
}

export function cliEntry(host: CliHost): string {
  return path.join(host.extensionPath, 'core', 'out', 'cli.js');
}

export function startCli(host: CliHost, inv: CliInvocation, onEvent: (e: JobEvent) => void, onLog: (line: string) => void): CliRun {
  const node = host.nodePath || process.execPath;
  // Inside Electron, process.execPath is the editor binary: ask it to behave as Node.
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const child = spawn(node, [cliEntry(host), ...inv.args, '--json-events'], { cwd: inv.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const lines = (stream: NodeJS.ReadableStream, handle: (line: string) => void) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) { handle(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
    });
    stream.on('end', () => { if (buf) handle(buf); });
  };
  lines(child.stdout!, (line) => {
    const e = parseJobEvent(line);
    if (e) onEvent(e); else if (line.trim()) onLog(line);
  });
  lines(child.stderr!, (line) => { stderr += line + '\n'; onLog(line); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('error', (err) => { stderr += err.message; resolve({ code: -1, signal: null, stderr }); });
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, done, cancel: () => { if (child.exitCode === null) child.kill('SIGTERM'); } };
}
