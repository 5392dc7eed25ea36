// Starts a worker thread from a script beside its caller: the bundle's .js, or under tsx (tests) the
// .ts with tsx's require hook registered first — workers do not inherit the parent's loader hooks.
import { Worker } from 'node:worker_threads';

export function startWorker(script: string, workerData?: unknown): Worker {
  if (!script.endsWith('.ts')) return new Worker(script, { workerData });
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData });
}
