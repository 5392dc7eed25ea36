// Runs the real CLI bundle (bin/darknet-pruner.js → cli/out/cli.js) as a child process, building
// the bundle first when it is missing or older than a source under cli/ or core/src.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from '../build';
import { REPO } from '../corpus';

// cli.js starts the job in a worker thread running cli-job.js (cli/process.ts)
const BUNDLES = ['cli/out/cli.js', 'cli/out/cli-job.js'];

let checked = false;
export function ensureCliBuilt(): void {
  if (checked) return;
  checked = true;
  ensureBuilt(BUNDLES, ['cli', 'core/src'], 'the CLI bundle');
}

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** `entry`: the script to run, the checkout's bin/darknet-pruner.js unless a test runs a copy of the bundle. */
export function runCli(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  entry = join(REPO, 'bin', 'darknet-pruner.js'),
): CliResult {
  ensureCliBuilt();
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
