// The external programs an install runs (pip, node-gyp and the compiler under it): each in its own
// process group tied to the job's thread, so a cancel that ends the thread ends the whole group
// (docs/reliability.md §Cancel and Ctrl-C stop a job within a second), with its output appended to the install's log.

import { spawn } from 'node:child_process';
import { accessSync, appendFileSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PDEATHSIG_EXEC } from '../../core/src/io/pdeathsig';

export class StepError extends Error {
  /** The end of the step's output (stdout and stderr), when it ran. */
  output = '';
}

/** The executable file `exe` in a PATH folder. */
export function onPath(exe: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = dir && join(dir, exe);
    if (!file) continue;
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** argv that runs `argv` tied to this thread (a parent-death signal): setpriv, else python3's prctl; untied without either. */
function tied(argv: string[]): string[] {
  const setpriv = onPath('setpriv');
  if (setpriv) return [setpriv, '--pdeathsig', 'TERM', '--', ...argv];
  const python = onPath('python3');
  return python ? [python, '-c', PDEATHSIG_EXEC, ...argv] : argv;
}

// The parent-death signal reaches the shell; its trap passes the TERM to the group (make, g++).
const GROUP_SHELL = 'trap \'trap - TERM; kill -TERM 0\' TERM; "$@" & wait $!';

/** CPU time (clock ticks) used so far by the live processes of process group `pgid` (Linux /proc; 0 elsewhere). */
export function groupCpuTicks(pgid: number): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      // after "pid (comm) ": state ppid pgrp … utime(12th) stime(13th)
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // ended while we looked
    }
  }
  return ticks;
}

export interface StepOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The log file that gets the step's command line and output. */
  log: string;
  /** Ends the step (its whole group) when for this long it writes nothing and `activity` (given the group's id) does not change. */
  stall?: { ms: number; activity: (pgid: number) => number; why: string };
}

/** Runs `exe args`; resolves with its output's last lines, rejects with them when it fails. */
export function runStep(exe: string, args: string[], o: StepOptions): Promise<string> {
  appendFileSync(o.log, `\n$ ${[exe, ...args].join(' ')}${o.cwd ? `   (in ${o.cwd})` : ''}\n`);
  const argv = tied(['/bin/sh', '-c', GROUP_SHELL, 'sh', exe, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    let lastActive = Date.now();
    let lastActivity = o.stall?.activity(child.pid!);
    let stalled = false;
    const keep = (b: Buffer) => {
      appendFileSync(o.log, b);
      tail = (tail + b.toString('utf8')).slice(-8000);
      lastActive = Date.now();
    };
    const watchdog =
      o.stall &&
      setInterval(() => {
        const now = o.stall!.activity(child.pid!);
        if (now !== lastActivity) [lastActivity, lastActive] = [now, Date.now()];
        else if (Date.now() - lastActive > o.stall!.ms && !stalled) {
          stalled = true;
          appendFileSync(o.log, `\n(ended: nothing happened for ${o.stall!.ms / 1000} s)\n`);
          try {
            process.kill(-child.pid!, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      }, 1000);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => {
      if (watchdog) clearInterval(watchdog);
      reject(new StepError(`${exe}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (watchdog) clearInterval(watchdog);
      if (code === 0 && !stalled) return resolve(tail);
      const last = tail.trim().split('\n').slice(-3).join(' | ');
      const how = stalled
        ? `was ended after ${o.stall!.ms / 1000} s without progress (${o.stall!.why})`
        : signal
          ? `was killed by ${signal}`
          : `exited with ${code}`;
      const e = new StepError(`${exe.split('/').pop()} ${how}${last && !stalled ? `: ${last}` : ''}`);
      e.output = tail;
      reject(e);
    });
  });
}
