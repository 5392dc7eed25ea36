// Training throughput at batch 16, 416×416 on yolov3-tiny and yolov4-tiny (corpus cfgs): our trainer
// (core/src/train/trainer.ts) on native TensorFlow and on wasm, side by side with PyTorch on the CPU
// (bench/torch_train_step.py: the same cfg as a torch model; `npm run setup:torch` makes its venv).
// Every configuration runs in its own child process, so the peak RSS printed is that
// configuration's. The machine is shared: native TF and PyTorch alternate (A/B/A/B) for --rounds
// rounds and the ratio is the median of the per-round ratios; wasm (single-threaded, slow at this
// size) runs once per cfg with --wasm-steps steps and, by default, no warm-up step, its batch of 16 in
// --wasm-subdivisions 4 mini-batches as darknet's subdivisions (in one, the 4 GB wasm heap overflows:
// `memory access out of bounds`). Besides wall-clock images/s, each child reports
// the CPU seconds it spent per image (user + system, all threads), less sensitive to other jobs.
// Usage: node --import tsx bench/train-throughput.ts [--rounds 3] [--steps 2] [--wasm-steps 1] [--wasm-warmup 0] [--wasm-subdivisions 4]
//        [--batch 16] [--cfgs yolov3-tiny,yolov4-tiny] [--no-wasm] [--threads 2] [--phases]
// --phases: also where one step's time goes, per phase (forward, loss, backward, update), wall and CPU.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyseText } from '../core/src/cfg/analyse';
import { selectBackend, describeChoice, type Preference } from '../core/src/nn/backend';
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from '../core/src/cfg/network';
import { buildNetwork, chwToNHWC, type DarknetModel } from '../core/src/nn/model';
import { computeHeadLoss, disposeDeltas, surrogateLoss } from '../core/src/train/head-loss';
import type { Truth } from '../core/src/train/yolo-loss';
import { synthesizeWeights, XorShift32 } from '../core/src/weights/synth';
import { Trainer } from '../core/src/train/trainer';
import { trainSettings } from '../core/src/train/lr-policy';
import { CORPUS } from '../test/corpus';
import { cacheDir } from '../core/src/io/cache';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BATCH = Number(arg('batch', '16'));
const PHASES = process.argv.includes('--phases');
const TORCH_VERSION = '2.15.0';
const CACHE = cacheDir();
const TORCH_PYTHON = join(CACHE, `torch-venv-${TORCH_VERSION}`, 'bin', 'python');

interface Result {
  backend: string;
  cfg: string;
  stepMs: number[];
  imagesPerSec: number;
  peakRssMB: number;
  cpuSecPerImage: number;
  threads?: number;
  note?: string;
  /** --phases: per phase [wall ms, CPU ms] of one step. */
  phases?: Record<string, [number, number]>;
}

// ---- child: one configuration of our trainer --------------------------------------------------
async function child(backend: Preference, cfgPath: string, steps: number, warmup: number): Promise<void> {
  const choice = await selectBackend({ purpose: 'train', prefer: backend });
  const net = analyseText(
    readFileSync(cfgPath, 'utf8')
      .replace(/^batch=.*$/m, `batch=${BATCH}`)
      .replace(/^subdivisions=.*$/m, 'subdivisions=1'),
  );
  const model = buildNetwork(net, synthesizeWeights(net), { darknetBackward: true });
  const s = trainSettings(net);
  s.batch = BATCH;
  s.subdivisions = Number(arg('subdivisions', '1'));
  s.learningRate = 1e-5;
  const trainer = new Trainer(model, net, { settings: s });
  const { width: W, height: H, channels: C } = net.net;
  const images = new Float32Array(BATCH * W * H * C);
  new XorShift32(5).fill(images, 0, 1);
  const classes = net.layers.find((l) => l.type === 'yolo')!.attrs.classes!;
  const boxes: Truth[][] = Array.from({ length: BATCH }, (_, i) => [
    { cls: 0, x: 0.3 + (0.4 * i) / BATCH, y: 0.5, w: 0.3, h: 0.4 },
    { cls: 1 % classes, x: 0.7, y: 0.3, w: 0.2, h: 0.2 },
  ]);
  for (let i = 0; i < warmup; i++) trainer.step({ images, boxes });
  const stepMs: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainer.step({ images, boxes });
    stepMs.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const ms = stepMs.reduce((a, b) => a + b, 0) / steps;
  const r: Result = {
    backend: choice.name,
    cfg: cfgPath.split('/').pop()!,
    stepMs: stepMs.map((t) => Math.round(t)),
    imagesPerSec: (BATCH * 1000) / ms,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    cpuSecPerImage: (cpu.user + cpu.system) / 1e6 / (steps * BATCH),
    note: describeChoice(choice),
  };
  if (PHASES) r.phases = phases(model, net, trainer, images, boxes);
  trainer.dispose();
  model.dispose();
  console.log(JSON.stringify(r));
}

// Where a step's time goes, as Trainer.step spends it: the training-mode forward alone (head outputs
// read back), darknet's head loss in JS, the forward + loss + backward under the gradient tape (the
// backward is that minus the other two), and the optimiser (accumulate + update). Wall ms and CPU ms.
function phases(
  model: DarknetModel,
  net: Network,
  trainer: Trainer,
  images: Float32Array,
  boxes: Truth[][],
): Record<string, [number, number]> {
  const { width: W, height: H, channels: C } = net.net;
  const out: Record<string, [number, number]> = {};
  const time = <T>(name: string, f: () => T): T => {
    const c0 = process.cpuUsage(),
      t0 = performance.now();
    const v = f();
    const c = process.cpuUsage(c0);
    out[name] = [Math.round(performance.now() - t0), Math.round((c.user + c.system) / 1000)];
    return v;
  };
  const x = time('input', () => chwToNHWC(images, W, H, C));
  const raw = time('forward', () => {
    const m = model.forward(x, { training: true, heads: 'raw', bnStats: new Map() });
    for (const t of m.values()) t.dataSync();
    return m;
  });
  const hl = time('loss', () => computeHeadLoss(net, trainer.setup, raw, boxes, 0));
  for (const t of raw.values()) t.dispose();
  disposeDeltas(hl);
  const { grads } = time('forward+loss+backward', () => {
    const g = tf.variableGrads(() => {
      const r = model.forward(x, { training: true, heads: 'raw', bnStats: new Map() });
      const l = computeHeadLoss(net, trainer.setup, r, boxes, 0);
      return surrogateLoss(r, l.deltas);
    }, trainer.model.trainableVariables());
    for (const t of Object.values(g.grads)) t.dataSync();
    return g;
  });
  time('update', () => {
    trainer.optimizer.accumulate(grads);
    trainer.optimizer.step(1e-5, BATCH);
    trainer.optimizer.variables[0].dataSync();
  });
  for (const g of Object.values(grads)) g.dispose();
  x.dispose();
  const fb = out['forward+loss+backward'];
  out.backward = [fb[0] - out.forward[0] - out.loss[0], fb[1] - out.forward[1] - out.loss[1]];
  return out;
}

// ---- parent -------------------------------------------------------------------------------------
function run(cmd: string, args: string[], label: string): Result | string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line)
    return `${label} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(line) as Result;
}

const ours = (backend: string, cfg: string, steps: number, warmup: number, subdivisions = 1) =>
  run(
    process.execPath,
    [
      '--import',
      'tsx',
      __filename,
      '--child',
      backend,
      '--cfg',
      cfg,
      '--steps',
      String(steps),
      '--warmup',
      String(warmup),
      '--batch',
      String(BATCH),
      '--subdivisions',
      String(subdivisions),
      ...(PHASES ? ['--phases'] : []),
    ],
    `${backend} ${cfg}`,
  );

const fmt = (r: Result) =>
  `${r.imagesPerSec.toFixed(3)} images/s (steps ${r.stepMs.join(', ')} ms), peak RSS ${r.peakRssMB.toFixed(0)} MB, ${r.cpuSecPerImage.toFixed(2)} CPU s/image` +
  (PHASES && r.phases
    ? `\n      phases [wall ms, CPU ms]: ${Object.entries(r.phases)
        .map(([k, [w, c]]) => `${k} ${w}/${c}`)
        .join(', ')}`
    : '');
const ips = (r: Result) => r.imagesPerSec,
  rss = (r: Result) => r.peakRssMB;
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function parent(): void {
  const rounds = Number(arg('rounds', '3')),
    steps = Number(arg('steps', '2')),
    wasmSteps = Number(arg('wasm-steps', '1')),
    wasmWarmup = Number(arg('wasm-warmup', '0')),
    wasmSubdivisions = Number(arg('wasm-subdivisions', '4'));
  const threads = Number(arg('threads', String(cpus().length)));
  const cfgs = arg('cfgs', 'yolov3-tiny,yolov4-tiny').split(',');
  const haveTorch = existsSync(TORCH_PYTHON);
  console.log(
    `batch ${BATCH}, 416×416, ${steps} timed steps after 1 warm-up per child; ${rounds} interleaved rounds native TF / PyTorch; ` +
      `wasm once per cfg, ${wasmSteps} timed step(s) after ${wasmWarmup} warm-up, in ${wasmSubdivisions} subdivisions; PyTorch threads ${threads} (= cores, TensorFlow's default intra-op pool)`,
  );
  if (!haveTorch) console.log(`PyTorch: skipped — no ${TORCH_PYTHON} (run: npm run setup:torch)`);
  const summary: string[] = [];
  let worst = Infinity;
  for (const name of cfgs) {
    const cfg = join(CORPUS, 'cfg', `${name}.cfg`);
    console.log(`\n${name}`);
    const tfRuns: Result[] = [],
      ptRuns: Result[] = [],
      ratios: number[] = [],
      cpuRatios: number[] = [];
    for (let r = 1; r <= rounds; r++) {
      const a = ours('tensorflow', cfg, steps, 1);
      console.log(`  round ${r} native TF: ${typeof a === 'string' ? a : fmt(a)}`);
      if (typeof a !== 'string') tfRuns.push(a);
      if (!haveTorch) continue;
      const b = run(
        TORCH_PYTHON,
        [join(__dirname, 'torch_train_step.py'), cfg, '--batch', String(BATCH), '--steps', String(steps), '--threads', String(threads)],
        `pytorch ${name}`,
      );
      console.log(`  round ${r} PyTorch:   ${typeof b === 'string' ? b : fmt(b)}`);
      if (typeof b === 'string') continue;
      ptRuns.push(b);
      if (typeof a !== 'string') {
        ratios.push(a.imagesPerSec / b.imagesPerSec);
        cpuRatios.push(b.cpuSecPerImage / a.cpuSecPerImage);
      }
    }
    let wasm: Result | string = 'skipped (--no-wasm)';
    if (!process.argv.includes('--no-wasm')) {
      wasm = ours('wasm', cfg, wasmSteps, wasmWarmup, wasmSubdivisions);
      console.log(`  wasm:               ${typeof wasm === 'string' ? wasm : fmt(wasm)}`);
    }
    const med = (rs: Result[], f: (r: Result) => number) => (rs.length ? median(rs.map(f)).toFixed(f === ips ? 3 : 0) : '—');
    summary.push(
      `${name.padEnd(12)} native TF ${med(tfRuns, ips)} images/s (peak ${med(tfRuns, rss)} MB)` +
        ` | wasm ${typeof wasm === 'string' ? '—' : `${wasm.imagesPerSec.toFixed(3)} images/s (peak ${wasm.peakRssMB.toFixed(0)} MB)`}` +
        ` | PyTorch ${med(ptRuns, ips)} images/s (peak ${med(ptRuns, rss)} MB)` +
        ` | ours/PyTorch median ${ratios.length ? median(ratios).toFixed(2) : '—'}× wall [${ratios.map((x) => x.toFixed(2)).join(', ')}],` +
        ` ${cpuRatios.length ? median(cpuRatios).toFixed(2) : '—'}× by CPU time`,
    );
    if (ratios.length) worst = Math.min(worst, median(ratios));
  }
  console.log(`\nsummary (medians)\n${summary.join('\n')}`);
  if (Number.isFinite(worst))
    console.log(
      `verdict: goal ≥ 1.0× PyTorch's images/s on native TF: ${worst >= 1 ? 'met' : 'NOT met'} (lowest median ratio ${worst.toFixed(2)}×)`,
    );
  else console.log('verdict: no ratio (PyTorch or native TF did not run)');
}

if (process.argv.includes('--child')) {
  void child(arg('child', 'tensorflow') as Preference, arg('cfg', ''), Number(arg('steps', '2')), Number(arg('warmup', '1'))).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else parent();
