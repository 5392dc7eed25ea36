// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [folder-or-file ...]   (default: everything but test/e2e)
// The tests read the reference corpus (../shared/corpus, or DARKNET_CORPUS): it is checked once,
// up front, and a missing corpus stops the run with one line and exit code 1.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The one line that says the corpus (or a folder it must have) is missing, else undefined. Kept in step with test/corpus.ts. */
function corpusMissing() {
  const corpus = process.env.DARKNET_CORPUS ? resolve(process.env.DARKNET_CORPUS) : resolve(repoRoot, '..', 'shared', 'corpus');
  const missing = [corpus, join(corpus, 'cfg'), join(corpus, 'golden')].find((d) => !existsSync(d) || !statSync(d).isDirectory());
  return missing === undefined
    ? undefined
    : `Reference corpus folder not found: ${missing}. The tests read the corpus from ../shared/corpus beside the repository; put it there, or set DARKNET_CORPUS to its folder.`;
}

function collect(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((f) => collect(join(path, f)));
}

const missing = corpusMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const args = process.argv.slice(2);
const roots = args.length
  ? args
  : readdirSync('test')
      .filter((d) => d !== 'e2e')
      .map((d) => join('test', d));
const files = roots.flatMap(collect);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
