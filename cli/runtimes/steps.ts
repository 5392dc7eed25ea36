// The external programs an install runs (pip, node-gyp and the compiler under it): each in its own
// process group tied to the job's thread, so a cancel that ends the thread ends the whole group
// (docs/reliability.md §Cancel and Ctrl-C stop a job within a second), with its output appended to the install's log.

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export class StepError extends Error {}

export function onPath(exe: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, exe))) return join(dir, exe);
  }
  return undefined;
}

// setpriv's parent-death signal reaches the shell; its trap passes the TERM to the group (make, g++).
const GROUP_SHELL = 'trap \'trap - TERM; kill -TERM 0\' TERM; "$@" & wait $!';

export interface StepOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The log file that gets the step's command line and output. */
  log: string;
}

/** Runs `exe args`; resolves with its output's last lines, rejects with them when it fails. */
export function runStep(exe: string, args: string[], o: StepOptions): Promise<string> {
  appendFileSync(o.log, `\n$ ${[exe, ...args].join(' ')}${o.cwd ? `   (in ${o.cwd})` : ''}\n`);
  const setpriv = onPath('setpriv');
  const argv = setpriv ? [setpriv, '--pdeathsig', 'TERM', '--', '/bin/sh', '-c', GROUP_SHELL, 'sh', exe, ...args] : [exe, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    const keep = (b: Buffer) => {
      appendFileSync(o.log, b);
      tail = (tail + b.toString('utf8')).slice(-3000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => reject(new StepError(`${exe}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(tail);
      else {
        const last = tail.trim().split('\n').slice(-3).join(' | ');
        reject(
          new StepError(`${exe.split('/').pop()} ${signal ? `was killed by ${signal}` : `exited with ${code}`}${last ? `: ${last}` : ''}`),
        );
      }
    });
  });
}
