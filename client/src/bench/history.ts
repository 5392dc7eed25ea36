// The workspace's benchmark history: each run's result saved as
// `<workspace folder>/.darknet-pruner/bench/<UTC timestamp>.json` (written atomically), listed
// newest first; a file that is not a saved run is skipped in the list and refused when asked for.
// No `vscode` import (unit-tested).

import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readBoundedTextSync } from '../../../core/src/io/bounded-read';
import { writeFileAtomic } from '../../../core/src/io/atomic';
import { jobResult, type BenchJobResult } from '../../../core/src/protocol/jobs';
import { BENCH_RUN_ID, type BenchRunSummary } from '../../../webviews/src/shared/protocol';
import { runSummary, type SavedBenchRun } from './benchView';

/** Every iteration's latency is kept: a long run at high FPS is a few MB. */
const MAX_RUN_BYTES = 64 * 2 ** 20;

export const historyDir = (workspaceRoot: string): string => join(workspaceRoot, '.darknet-pruner', 'bench');

/** `2026-11-30T03-01-02-345Z.json`: sorts by time as text. */
const stamp = (d: Date) => `${d.toISOString().replace(/[:.]/g, '-')}`;

/** Saves a run; returns its id (file name). */
export function saveRun(dir: string, report: BenchJobResult, args: string[], now = new Date()): string {
  mkdirSync(dir, { recursive: true });
  let id = `${stamp(now)}.json`;
  for (let i = 2; existsSync(join(dir, id)); i++) id = `${stamp(now)}-${i}.json`;
  const run: SavedBenchRun = { savedAt: now.toISOString(), args, report };
  writeFileAtomic(join(dir, id), JSON.stringify(run) + '\n');
  return id;
}

export class BenchRunError extends Error {}

export function readRun(dir: string, id: string): SavedBenchRun {
  if (!BENCH_RUN_ID.test(id)) throw new BenchRunError(`${id}: not a benchmark run's file name`);
  const file = join(dir, id);
  let v: Partial<SavedBenchRun>;
  try {
    v = JSON.parse(readBoundedTextSync(file, MAX_RUN_BYTES).text) as Partial<SavedBenchRun>;
  } catch (e) {
    throw new BenchRunError(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  const report = jobResult('bench', v?.report);
  if (!report || typeof v.savedAt !== 'string' || !Array.isArray(v.args)) throw new BenchRunError(`${file}: not a saved benchmark run`);
  return { savedAt: v.savedAt, args: v.args.map(String), report };
}

/** The saved runs, newest first (unreadable files left out). */
export function listRuns(dir: string): BenchRunSummary[] {
  if (!existsSync(dir)) return [];
  const out: BenchRunSummary[] = [];
  for (const id of readdirSync(dir)
    .filter((f) => BENCH_RUN_ID.test(f))
    .sort()
    .reverse()) {
    try {
      out.push(runSummary(id, readRun(dir, id)));
    } catch {
      /* not a run: not listed */
    }
  }
  return out;
}
