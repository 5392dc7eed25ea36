// Benchmarks measure the code as it ships: core bundled by esbuild like server/out/server.js (the
// tsx loader used for tests keeps function names, which costs a few allocations per closure).

import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');

export async function loadBundled<T>(source: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'darknet-bench-'));
  try {
    const outfile = join(dir, 'entry.cjs');
    await build({
      stdin: { contents: source, resolveDir: REPO, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'warning',
    });
    return createRequire(__filename)(outfile) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function stats(xs: number[]): { median: number; p95: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], min: s[0] };
}
