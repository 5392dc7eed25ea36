// OpenVINO's own benchmark_app (the venv of npm run setup:openvino) on the same model and settings as
// our measurement; its JSON report (values are strings) parsed into numbers. The child is tied to the
// thread that starts it (PR_SET_PDEATHSIG), so cancelling the job stops it too.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openvinoVenv } from '../openvino/venv';
import { PDEATHSIG_EXEC } from '../io/pdeathsig';

export interface BenchmarkAppResult {
  iterations: number;
  medianMs: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  fps: number;
  command: string;
}

export interface BenchmarkAppOptions {
  device: string;
  hint: 'latency' | 'throughput';
  seconds?: number;
  iterations?: number;
  precision?: 'f32' | 'bf16' | 'fp16';
  inputName: string;
  inputShape: number[];
  /** Told about the temporary folder (model copy, config, report), so a cancelled job removes it. */
  temp?: { track(path: string): void; untrack(path: string): void };
}

export class BenchmarkAppError extends Error {}

export function parseReport(json: string): Omit<BenchmarkAppResult, 'command'> {
  const r = (JSON.parse(json) as { execution_results?: Record<string, string> }).execution_results;
  if (!r) throw new BenchmarkAppError('benchmark_report.json has no execution_results');
  const num = (k: string) => {
    const v = Number(r[k]);
    if (!Number.isFinite(v)) throw new BenchmarkAppError(`benchmark_report.json: "${k}" is ${JSON.stringify(r[k])}`);
    return v;
  };
  return {
    iterations: num('total number of iterations'),
    medianMs: num('latency (ms)'),
    meanMs: num('avg latency'),
    minMs: num('min latency'),
    maxMs: num('max latency'),
    fps: num('throughput'),
  };
}

/** Runs benchmark_app on `model` (.onnx / .xml path, or ONNX bytes written to a temporary file). */
export async function runBenchmarkApp(model: string | Uint8Array, o: BenchmarkAppOptions): Promise<BenchmarkAppResult> {
  const venv = openvinoVenv();
  if (!venv) throw new BenchmarkAppError('benchmark_app is not installed; npm run setup:openvino makes its venv');
  const dir = mkdtempSync(join(tmpdir(), '.darknet-pruner-benchmark-app-'));
  o.temp?.track(dir);
  try {
    let path = model as string;
    if (typeof model !== 'string') {
      path = join(dir, 'model.onnx');
      writeFileSync(path, model);
    }
    // Same CPU settings as ours (openvino/runtime.ts): denormals flushed.
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(o.device === 'CPU' ? { CPU: { CPU_DENORMALS_OPTIMIZATION: 'YES' } } : {}));
    const args = [
      '-m',
      path,
      '-d',
      o.device,
      '-hint',
      o.hint,
      '-shape',
      `${o.inputName}[${o.inputShape.join(',')}]`,
      '-report_type',
      'no_counters',
      '-report_folder',
      dir,
      '-json_stats',
      '-load_config',
      config,
    ];
    if (o.iterations !== undefined) args.push('-niter', String(o.iterations));
    else args.push('-t', String(Math.max(1, Math.round(o.seconds ?? 10))));
    if (o.precision) args.push('-infer_precision', o.precision === 'fp16' ? 'f16' : o.precision);
    const { code, tail } = await new Promise<{ code: number | null; tail: string }>((resolve, reject) => {
      const child = spawn(venv.python, ['-c', PDEATHSIG_EXEC, venv.benchmarkApp, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      const keep = (b: Buffer) => {
        text = (text + b.toString('utf8')).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, tail: text }));
    });
    if (code !== 0) {
      const err =
        tail
          .split('\n')
          .reverse()
          .find((l) => /ERROR|Error|error/.test(l)) ?? tail.trim().split('\n').pop();
      throw new BenchmarkAppError(`benchmark_app exited with ${code}: ${err?.trim()}`);
    }
    const res = parseReport(readFileSync(join(dir, 'benchmark_report.json'), 'utf8'));
    return { ...res, command: `benchmark_app ${args.map((a) => (a.startsWith(dir) ? a.replace(dir, '<tmp>') : a)).join(' ')}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    o.temp?.untrack(dir);
  }
}

/**
 * benchmark_app runs of one model in several rounds (interleaved with ours) as one result: iterations
 * summed, median = the median of the rounds' medians (its report has no per-iteration latencies),
 * mean weighted by iterations, FPS = all iterations over all measured time.
 */
export function combineRuns(runs: BenchmarkAppResult[]): BenchmarkAppResult & { rounds: number } {
  const medians = runs.map((r) => r.medianMs).sort((a, b) => a - b);
  const mid = medians.length / 2;
  const iterations = runs.reduce((s, r) => s + r.iterations, 0);
  const seconds = runs.reduce((s, r) => s + (r.fps > 0 ? r.iterations / r.fps : 0), 0);
  return {
    iterations,
    medianMs: medians.length % 2 ? medians[Math.floor(mid)] : (medians[mid - 1] + medians[mid]) / 2,
    meanMs: runs.reduce((s, r) => s + r.meanMs * r.iterations, 0) / (iterations || 1),
    minMs: Math.min(...runs.map((r) => r.minMs)),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    fps: seconds > 0 ? iterations / seconds : 0,
    command: runs[0]?.command ?? '',
    rounds: runs.length,
  };
}
