// Runs the real CLI (bin/darknet-pruner.js) with --json-events and interrupts it at a moment given
// by its state — after its k-th job event, or once a temporary appears in the output folder
// (mid-write) — never after a delay.

import { spawn } from 'node:child_process';
import { readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { ensureCliBuilt } from './run';

export type JobEventLine = { type: string; message?: string };
export type KillMoment = { afterEvents: number } | { when: (e: JobEventLine) => boolean } | { tempIn: string };

export interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The signal was sent (the job had not ended by the chosen moment). */
  sent: boolean;
  events: JobEventLine[];
  stderr: string;
  /** Milliseconds from the signal to the exit. */
  stopMs: number;
}

const hasTemp = (dir: string) => readdirSync(dir).some((f) => /^\..+\.tmp-\d+-\d+$/.test(f));

export function runAndInterrupt(
  args: string[],
  cwd: string,
  moment: KillMoment,
  signal: NodeJS.Signals = 'SIGTERM',
  env: NodeJS.ProcessEnv = {},
): Promise<Interrupted> {
  ensureCliBuilt();
  const child = spawn(process.execPath, [join(REPO, 'bin', 'darknet-pruner.js'), ...args, '--json-events'], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: JobEventLine[] = [];
  let stderr = '',
    buf = '',
    sent = false,
    sentAt = 0;
  const fire = () => {
    if (sent || child.exitCode !== null) return;
    sent = true;
    sentAt = performance.now();
    child.kill(signal);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as JobEventLine;
      events.push(e);
      if (('afterEvents' in moment && events.length === moment.afterEvents) || ('when' in moment && moment.when(e))) fire();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  let watcher: ReturnType<typeof watch> | undefined;
  if ('tempIn' in moment) {
    watcher = watch(moment.tempIn, () => {
      if (hasTemp(moment.tempIn)) fire();
    });
  }
  return new Promise((resolve) => {
    child.on('close', (code, sig) => {
      watcher?.close();
      resolve({ code, signal: sig, sent, events, stderr, stopMs: sent ? performance.now() - sentAt : 0 });
    });
  });
}
