// Paths to the shared reference corpus (../shared/corpus beside the repository, or DARKNET_CORPUS).
// scripts/run-tests.mjs checks for it once before any test starts; a test file run on its own
// without it stops here with the same one line, not an import-time stack trace.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
export const CORPUS = process.env.DARKNET_CORPUS ? resolve(process.env.DARKNET_CORPUS) : resolve(REPO, '..', 'shared', 'corpus');

/** The one line that says the corpus (or a folder it must have) is missing, else undefined. Kept in step with scripts/run-tests.mjs. */
export function corpusMissing(corpus = CORPUS): string | undefined {
  const missing = [corpus, join(corpus, 'cfg'), join(corpus, 'golden')].find((d) => !existsSync(d) || !statSync(d).isDirectory());
  return missing === undefined
    ? undefined
    : `Reference corpus folder not found: ${missing}. The tests read the corpus from ../shared/corpus beside the repository; put it there, or set DARKNET_CORPUS to its folder.`;
}

const missingCorpus = corpusMissing();
if (missingCorpus) {
  process.stderr.write(`${missingCorpus}\n`);
  process.exit(1);
}

export const CFG_DIR = join(CORPUS, 'cfg');
export const GOLDEN_DIR = join(CORPUS, 'golden');

export function corpusCfgs(): string[] {
  return readdirSync(CFG_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .sort();
}
export function goldenNets(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => existsSync(join(GOLDEN_DIR, f, 'golden.json')))
    .sort();
}
export function readCfg(name: string): string {
  return readFileSync(join(CFG_DIR, name), 'utf8');
}

export interface DarknetLayerJson {
  index: number;
  type: string;
  in: number[];
  out: number[];
  outputs: number;
  bflops: number;
  weight_floats: number;
  [k: string]: unknown;
}
export interface DarknetNetJson {
  net: { width: number; height: number; channels: number };
  layers: DarknetLayerJson[];
  total_bflops_float32_accumulated: number;
  weights_total_floats: number;
  weights_file_bytes: number;
}
export function readLayersJson(path: string): DarknetNetJson {
  return JSON.parse(readFileSync(path, 'utf8')) as DarknetNetJson;
}
