// Tests run the shipped bundles (the CLI, the language server): build them with esbuild.mjs when
// one is missing or older than a TypeScript source it is built from.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './corpus';

function newestSource(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    if (f.name === 'out' || f.name === 'node_modules') continue;
    const p = join(dir, f.name);
    newest = Math.max(newest, f.isDirectory() ? newestSource(p) : f.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

/** `bundles` and `sources` relative to the repository. */
export function ensureBuilt(bundles: string[], sources: string[], what: string): void {
  const newest = Math.max(...sources.map((s) => newestSource(join(REPO, s))));
  if (bundles.every((b) => existsSync(join(REPO, b)) && statSync(join(REPO, b)).mtimeMs >= newest)) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building ${what} failed`);
}
