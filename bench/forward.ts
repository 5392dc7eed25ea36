// Batch-1 forward latency, side by side: onnxruntime-node on our ONNX export vs the tfjs network on
// the wasm backend. Each runtime runs in its own child process (docs/runtimes.md §One native runtime
// per process: native runtimes are not mixed in one process; wasm and ORT would coexist, but separate
// processes keep memory and thread pools independent). Weights are the deterministic synthetic ones
// (timing does not depend on them, except through denormals, which ORT flushes).
// ORT runs twice per model when it has mish: the default export (Mish op, which onnxruntime expands
// to Softplus·Tanh·Mul) and `--mish exp`.
// Usage: node --import tsx bench/forward.ts [--runs 10] [--tfjs-runs 3] [--models yolov4-tiny,yolov4] [--size 416] [--threads N]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../core/src/weights/synth';

const REPO = resolve(__dirname, '..');
const CFG_DIR = process.env.DARKNET_CORPUS ? join(process.env.DARKNET_CORPUS, 'cfg') : resolve(REPO, '..', 'shared', 'corpus', 'cfg');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

interface Timing {
  runtime: string;
  model: string;
  size: number;
  loadMs: number;
  first: number;
  median: number;
  min: number;
  runs: number;
  detail: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function load(model: string, size: number) {
  const net = analyseText(readFileSync(join(CFG_DIR, `${model}.cfg`), 'utf8'), { width: size, height: size });
  return { net, weights: synthesizeWeights(net), input: synthesizeInput(size, size, net.net.channels) };
}

async function timeRuns(runs: number, once: () => Promise<void>): Promise<{ first: number; times: number[] }> {
  let t = performance.now();
  await once();
  const first = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  return { first, times };
}

async function childOrt(model: string, size: number, runs: number, mish?: 'exp'): Promise<Timing> {
  const { exportOnnx } = await import('../core/src/export/onnx');
  const { createOrtSession } = await import('../core/src/export/ort');
  const { net, weights, input } = load(model, size);
  const t0 = performance.now();
  const ex = exportOnnx(net, weights, { mish });
  const threads = Number(arg('threads', '0'));
  const s = await createOrtSession(ex.bytes, { threads });
  const loadMs = performance.now() - t0;
  const { first, times } = await timeRuns(runs, async () => {
    await s.run(input, [1, net.net.channels, size, size]);
  });
  await s.release();
  return {
    runtime: `onnxruntime-node${mish ? ` mish=${mish}` : ''}`,
    model,
    size,
    loadMs,
    first,
    median: median(times),
    min: Math.min(...times),
    runs,
    detail: `opset ${ex.opset}, ${threads || 'default'} threads, ${(ex.bytes.length / 1e6).toFixed(0)} MB`,
  };
}

async function childTfjs(model: string, size: number, runs: number): Promise<Timing> {
  const { selectBackend, describeChoice } = await import('../core/src/nn/backend');
  const { buildNetwork, chwToNHWC } = await import('../core/src/nn/model');
  const choice = await selectBackend({ purpose: 'infer', prefer: 'wasm' });
  const { net, weights, input } = load(model, size);
  const t0 = performance.now();
  const m = buildNetwork(net, weights, { trainable: false });
  const loadMs = performance.now() - t0;
  const x = chwToNHWC(input, size, size, net.net.channels);
  const { first, times } = await timeRuns(runs, async () => {
    const outs = m.forward(x);
    for (const t of outs.values()) {
      await t.data();
      t.dispose();
    }
  });
  return {
    runtime: 'tfjs-wasm',
    model,
    size,
    loadMs,
    first,
    median: median(times),
    min: Math.min(...times),
    runs,
    detail: describeChoice(choice),
  };
}

function runChild(kind: string, model: string, size: number, runs: number): Timing | string {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      __filename,
      '--child',
      kind,
      '--model',
      model,
      '--size',
      String(size),
      '--runs',
      String(runs),
      '--threads',
      arg('threads', '0'),
    ],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line)
    return `${kind} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line) as Timing;
}

async function main() {
  const child = arg('child', '');
  if (child) {
    const t = child.startsWith('ort')
      ? await childOrt(arg('model', ''), Number(arg('size', '416')), Number(arg('runs', '10')), child === 'ort-exp' ? 'exp' : undefined)
      : await childTfjs(arg('model', ''), Number(arg('size', '416')), Number(arg('runs', '3')));
    process.stdout.write(JSON.stringify(t) + '\n');
    return;
  }
  const size = Number(arg('size', '416'));
  const models = arg('models', 'yolov4-tiny,yolov4').split(',');
  const ortRuns = Number(arg('runs', '10')),
    tfRuns = Number(arg('tfjs-runs', '3'));
  console.log(`batch 1, ${size}×${size}, synthetic weights; median of ${ortRuns} (ORT) / ${tfRuns} (tfjs-wasm) runs after one warm-up run`);
  const rows: string[][] = [['model', 'runtime', 'median ms', 'min ms', 'first ms', 'tfjs-wasm / this']];
  for (const model of models) {
    const hasMish = /activation\s*=\s*mish/.test(readFileSync(join(CFG_DIR, `${model}.cfg`), 'utf8'));
    const runs = [
      runChild('ort', model, size, ortRuns),
      ...(hasMish ? [runChild('ort-exp', model, size, ortRuns)] : []),
      runChild('tfjs', model, size, tfRuns),
    ];
    const tfj = runs[runs.length - 1];
    for (const t of runs) {
      if (typeof t === 'string') {
        console.log(`  ${model}: ${t}`);
        rows.push([`${model}@${size}`, 'failed', '-', '-', '-', '-']);
        continue;
      }
      console.log(`  ${model} ${t.runtime}: ${t.detail}; load ${t.loadMs.toFixed(0)} ms`);
      const ratio = typeof tfj !== 'string' ? `${(tfj.median / t.median).toFixed(1)}×` : '-';
      rows.push([`${model}@${size}`, t.runtime, t.median.toFixed(1), t.min.toFixed(1), t.first.toFixed(0), ratio]);
    }
  }
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  console.log(rows.map((r) => r.map((v, j) => (j ? v.padStart(w[j]) : v.padEnd(w[j]))).join('  ')).join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
