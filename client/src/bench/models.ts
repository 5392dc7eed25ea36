// The models a benchmark can measure, as `bench` takes them: an original cfg with its weights, a
// folder written by `prune` (its prune-report.json beside the cfg), an .onnx, an IR .xml with its
// .bin. Found in the workspace or given by the explorer; originals sort first (the first model
// is the baseline of the ratios). No `vscode` import (unit-tested).

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { readPruneReportFile } from '../../../core/src/prune/report';
import type { BenchJob } from '../../../core/src/protocol/jobs';

export type BenchModelKind = 'cfg' | 'pruned' | 'onnx' | 'ir';

export interface BenchModel {
  kind: BenchModelKind;
  /** The cfg, the pruned folder, the .onnx or the .xml. */
  path: string;
  /** The cfg's weights. */
  weights?: string;
  /** For a pruned folder: the original cfg its report names, when it exists. */
  source?: string;
}

const ORDER: Record<BenchModelKind, number> = { cfg: 0, pruned: 1, onnx: 2, ir: 3 };
const ext = (p: string) => path.extname(p).toLowerCase();
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

function prunedSource(dir: string): string | undefined {
  const report = path.join(dir, 'prune-report.json');
  try {
    const cfg = path.resolve(dir, readPruneReportFile(report).source.cfg);
    return existsSync(cfg) ? cfg : undefined;
  } catch {
    return undefined;
  }
}

/** The model a file or folder stands for, or undefined when it is none `bench` can measure. */
export function modelOf(p: string): BenchModel | undefined {
  if (isDir(p)) return existsSync(path.join(p, 'prune-report.json')) ? { kind: 'pruned', path: p, source: prunedSource(p) } : undefined;
  const dir = path.dirname(p);
  switch (ext(p)) {
    case '.weights': {
      const cfg = p.replace(/\.weights$/i, '.cfg');
      return existsSync(cfg) ? modelOf(cfg) : undefined;
    }
    case '.cfg': {
      if (existsSync(path.join(dir, 'prune-report.json'))) return { kind: 'pruned', path: dir, source: prunedSource(dir) };
      const weights = p.replace(/\.cfg$/i, '.weights');
      return existsSync(weights) ? { kind: 'cfg', path: p, weights } : undefined;
    }
    case '.onnx':
      return { kind: 'onnx', path: p };
    case '.xml':
      return existsSync(p.replace(/\.xml$/i, '.bin')) ? { kind: 'ir', path: p } : undefined;
    default:
      return undefined;
  }
}

/** Distinct models of these files (a pruned folder once), originals first, then by path. */
export function modelsOf(paths: readonly string[]): BenchModel[] {
  const byPath = new Map<string, BenchModel>();
  for (const p of paths) {
    const m = modelOf(p);
    if (m && !byPath.has(m.path)) byPath.set(m.path, m);
  }
  return [...byPath.values()].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.path.localeCompare(b.path));
}

/**
 * The models to pre-select for the active cfg: it and its relatives — an original and the pruned
 * folders made from it, or a pruned folder and its original.
 */
export function relatedModels(models: readonly BenchModel[], activeCfg: string): BenchModel[] {
  const active = modelOf(activeCfg);
  if (!active) return [];
  const original = active.kind === 'pruned' ? active.source : active.path;
  return models.filter((m) => m.path === active.path || (original !== undefined && (m.path === original || m.source === original)));
}

export const benchModelArg = (m: BenchModel): BenchJob['models'][number] =>
  m.kind === 'cfg' ? { cfg: m.path, ...(m.weights ? { weights: m.weights } : {}) } : { path: m.path };

/** `bench`'s label of a model (the cfg's stem, the folder's name, the file's name). */
export const benchLabel = (m: BenchModel): string =>
  m.kind === 'cfg' ? path.basename(m.path, path.extname(m.path)) : path.basename(m.path);

/** Mosaic builds the 2×-size network from a cfg: darknet models only. */
export const mosaicPossible = (models: readonly BenchModel[]): boolean => models.every((m) => m.kind === 'cfg' || m.kind === 'pruned');
