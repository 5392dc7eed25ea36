// Runs the real CLI bundle (bin/darknet-pruner.js → cli/out/cli.js) as a child process, building
// the bundle first when it is missing or older than a source under core/src.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';

// cli.js starts the job in a worker thread running cli-job.js (cli/process.ts)
const BUNDLES = ['cli.js', 'cli-job.js'].map((f) => join(REPO, 'cli', 'out', f));

function newestSource(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    newest = Math.max(newest, f.isDirectory() ? newestSource(p) : f.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

let checked = false;
export function ensureCliBuilt(): void {
  if (checked) return;
  checked = true;
  const newest = newestSource(join(REPO, 'core', 'src'));
  if (BUNDLES.every((b) => existsSync(b) && statSync(b).mtimeMs >= newest)) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the CLI bundle failed');
}

export interface CliResult { code: number | null; out: string; err: string }

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliResult {
  ensureCliBuilt();
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'darknet-pruner.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
