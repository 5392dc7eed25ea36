// Runs the benchmarks in bench/ in sequence (each prints its own figures): all of them, or those
// named (`npm run bench -- cancel prune`). Everything from the first argument starting with `-` on
// goes to every bench run (`npm run bench -- training --quick --part a`).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('-'));
const names = firstFlag < 0 ? args : args.slice(0, firstFlag);
const flags = firstFlag < 0 ? [] : args.slice(firstFlag);
const all = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .sort();
const unknown = names.filter((n) => !all.includes(`${n}.ts`));
if (unknown.length) {
  console.error(`no benchmark ${unknown.join(', ')} (have: ${all.map((f) => f.replace(/\.ts$/, '')).join(', ')})`);
  process.exit(2);
}
const benches = names.length ? names.map((n) => `${n}.ts`) : all;
let failed = 0;
for (const f of benches) {
  console.log(`\n=== bench/${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, f), ...flags], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`bench/${f} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
