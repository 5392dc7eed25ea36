// Runs every benchmark in bench/ in sequence (each prints its own figures).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const benches = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort();
let failed = 0;
for (const f of benches) {
  console.log(`\n=== bench/${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`bench/${f} exited with ${r.status}`); }
}
process.exit(failed ? 1 : 0);
