// Paths to the shared reference corpus (../shared/corpus beside the repository).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
export const CORPUS = process.env.DARKNET_CORPUS ?? resolve(REPO, '..', 'shared', 'corpus');
if (!existsSync(CORPUS)) throw new Error(`Reference corpus not found at ${CORPUS}: clone the repository beside ../shared, or set DARKNET_CORPUS`);

export const CFG_DIR = join(CORPUS, 'cfg');
export const GOLDEN_DIR = join(CORPUS, 'golden');

export function corpusCfgs(): string[] {
  return readdirSync(CFG_DIR).filter((f) => f.endsWith('.cfg')).sort();
}
export function goldenNets(): string[] {
  return readdirSync(GOLDEN_DIR).filter((f) => existsSync(join(GOLDEN_DIR, f, 'golden.json'))).sort();
}
export function readCfg(name: string): string {
  return readFileSync(join(CFG_DIR, name), 'utf8');
}

export interface DarknetLayerJson {
  index: number; type: string; in: number[]; out: number[]; outputs: number; bflops: number; weight_floats: number;
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
