// Runs the darknet-pruner CLI as a child process with --json-events and turns its stdout into
// JobEvents. Native ML runtimes load only in that child, never in the extension host.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseJobEvent, type JobEvent } from '../../../core/src/protocol/jobs';

export interface CliInvocation {
  /** Arguments after `darknet-pruner` (without --json-events, which is added). */
  args: string[];
  cwd?: string;
}

export interface CliExit {
  /** The exit code; null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Cancel was asked for, and the process did not stop within the grace period, so it was killed. */
  killed: boolean;
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves once the process has exited, never before. */
  readonly done: Promise<CliExit>;
  /** SIGTERM now (the CLI stops within a second, removing what it started), SIGKILL after `graceMs`. */
  cancel(graceMs?: number): void;
}

/** The CLI stops within a second of SIGTERM (docs/reliability.md); more than this means it is stuck. */
export const CANCEL_GRACE_MS = 3000;

export interface CliHost {
  extensionPath: string;
  /** Node executable: the user's setting, else the extension host's own runtime. */
  nodePath?: string;
  /** The folder Install ML Runtimes fills (global storage): the CLI loads runtimes from it last (cli/runtimes-folder.ts). */
  runtimesDir?: string;
}

export function cliEntry(host: CliHost): string {
  return path.join(host.extensionPath, 'cli', 'out', 'cli.js');
}

export function startCli(host: CliHost, inv: CliInvocation, onEvent: (e: JobEvent) => void, onLog: (line: string) => void): CliRun {
  const node = host.nodePath || process.execPath;
  // Inside Electron, process.execPath is the editor binary: ask it to behave as Node.
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  if (host.runtimesDir && !env.DARKNET_PRUNER_RUNTIMES) env.DARKNET_PRUNER_RUNTIMES = host.runtimesDir;
  const child = spawn(node, [cliEntry(host), ...inv.args, '--json-events'], { cwd: inv.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const lines = (stream: NodeJS.ReadableStream, handle: (line: string) => void) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        handle(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    stream.on('end', () => {
      if (buf) handle(buf);
    });
  };
  lines(child.stdout!, (line) => {
    const e = parseJobEvent(line);
    if (e) onEvent(e);
    else if (line.trim()) onLog(line);
  });
  lines(child.stderr!, (line) => {
    stderr += line + '\n';
    onLog(line);
  });
  let killed = false;
  let escalation: NodeJS.Timeout | undefined;
  const done = new Promise<CliExit>((resolve) => {
    child.on('error', (err) => {
      stderr += err.message;
      resolve({ code: -1, signal: null, stderr, killed });
    });
    child.on('close', (code, signal) => {
      clearTimeout(escalation);
      resolve({ code, signal, stderr, killed });
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const cancel = (graceMs = CANCEL_GRACE_MS) => {
    if (!running() || escalation) return;
    child.kill('SIGTERM');
    escalation = setTimeout(() => {
      if (running()) {
        killed = true;
        child.kill('SIGKILL');
      }
    }, graceMs);
  };
  return { child, done, cancel };
}

export interface ExitJudgement {
  ok: boolean;
  cancelled: boolean;
  cancelNote?: string;
  error?: string;
}

/** What the exit of a job means, said as it happened (a cancel can come too late, or need SIGKILL). */
export function judgeExit(exit: CliExit, cancelRequested: boolean, error?: string): ExitJudgement {
  const lastLine = exit.stderr.trim().split('\n').pop();
  if (exit.code === 0) {
    return {
      ok: true,
      cancelled: false,
      ...(cancelRequested ? { cancelNote: 'it had finished before the cancel took effect; its outputs are complete' } : {}),
    };
  }
  if (!cancelRequested) return { ok: false, cancelled: false, error: error ?? (lastLine || `exit code ${exit.code ?? exit.signal}`) };
  if (exit.killed) {
    return {
      ok: false,
      cancelled: true,
      error: 'cancelled',
      cancelNote:
        'it did not stop on SIGTERM and was killed; temporaries it left (.NAME.tmp-PID-…) are removed by the next job writing to the same folder',
    };
  }
  if (exit.code === 130 || exit.code === 143 || exit.signal === 'SIGTERM' || exit.signal === 'SIGINT') {
    return { ok: false, cancelled: true, error: 'cancelled', cancelNote: 'stopped; nothing partial was left' };
  }
  return { ok: false, cancelled: false, error: error ?? (lastLine || `exit code ${exit.code ?? exit.signal}`) };
}
