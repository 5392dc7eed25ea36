// The seed's table at small scale (issue 12, "Proof"), by driving the real CLI through the whole recipe:
//  (a) synthetic shapes, a residual YOLOv4-tiny-like cfg (bench/training-yolov4-tiny-res.cfg): baseline →
//      sparsity training → sweep with mAP → channel + layer pruning at the suggested point → fine-tuning;
//      acceptance: fine-tuned mAP@0.5 within 5 points of the baseline with ≥ 70% fewer parameters.
//  (b) real data: the COCO yolov3-tiny fine-tuned on DeepForest's tree crops (held-out valid images),
//      then sparsity → prune → fine-tune; reports what it reaches.
// Every stage is evaluated by `eval` on the valid list, sized by `info`, timed by one interleaved
// `bench` (onnxruntime) — the table is scripts/stage-table.mjs, the demo's.
//
//   node --import tsx bench/training.ts [--part a|b] [--quick] [--keep DIR] [--epochs N] [--tune-epochs N] [--images N] [--size S]
//   (a) only: --continue DIR trains the baseline kept in DIR (--keep) on to --epochs and redoes the rest
//   (npm run bench -- training runs both parts at the default size)

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStageTable, measureStages, stageSummary, type StageRow } from '../scripts/stage-table.mjs';
import { setNetOptions } from '../core/src/cfg/edits';
import { cacheDir } from '../core/src/io/cache';
import { tileVoc } from './lib/tile-voc';
import { transplantHeads } from './lib/transplant-heads';

const ROOT = resolve(__dirname, '..');
const CLI = join(ROOT, 'cli', 'out', 'cli.js');
const CACHE = cacheDir();
const CORPUS = process.env.DARKNET_CORPUS ?? join(ROOT, '..', 'shared', 'corpus');

const { values: opt } = parseArgs({
  options: {
    part: { type: 'string', default: 'all' },
    quick: { type: 'boolean', default: false },
    keep: { type: 'string' },
    epochs: { type: 'string' },
    images: { type: 'string' },
    size: { type: 'string' },
    'tune-epochs': { type: 'string' },
    continue: { type: 'string' },
  },
});
const quick = opt.quick;
const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));

let t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)} s`;

/** Runs the CLI; its stdout (stderr shown on failure, which ends the bench). */
function cli(...args: string[]): string {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (r.status === 0 && r.stdout) return r.stdout;
    // a concurrent `npm run build` rewriting cli/out/ makes a command load a half-written bundle
    // (nothing printed, or a SyntaxError): once more after a pause
    if (attempt < 3 && (r.status === 0 || /SyntaxError|Cannot find module/.test(r.stderr))) {
      spawnSync('sleep', ['10']);
      continue;
    }
    process.stderr.write(r.stderr);
    throw new Error(`darknet-pruner ${args.join(' ')} exited with ${r.status}${r.status === 0 ? ' and printed nothing' : ''}`);
  }
}
const json = <T>(...args: string[]): T => JSON.parse(cli(...args, '--json')) as T;

function step(name: string, f: () => string | void) {
  const s = Date.now();
  const note = f();
  console.log(`  ${name.padEnd(34)} ${((Date.now() - s) / 1000).toFixed(0).padStart(5)} s${note ? `  ${note}` : ''}`);
}

interface TrainResult {
  iteration: number;
  epoch: number;
  bestMap50?: number;
  imagesPerSecond: number;
}
interface SweepResult {
  points: { percent: number; params: number; bflops: number; precision?: number; recall?: number; map50?: number }[];
  suggested: { percent: number } | null;
}
interface BenchResult {
  runtime: string;
  models: { latency: { medianMs: number } }[];
}

const train = (args: string[]) => {
  const r = json<TrainResult>('train', ...args);
  return `${r.iteration} iterations, best mAP@0.5 ${r.bestMap50?.toFixed(3) ?? '-'}, ${r.imagesPerSecond.toFixed(1)} images/s`;
};

/** The sweep with mAP, its printed points, and the percent it suggests (else the given fallback). */
function sweep(cfg: string, weights: string, data: string, percents: string, method: string, fallback: number): number {
  const r = json<SweepResult>('sweep', cfg, weights, '--data', data, '--percents', percents, '--method', method);
  console.log('    percent      params   BFLOPs      P      R  mAP@0.5');
  for (const p of r.points)
    console.log(
      `    ${p.percent.toFixed(2).padStart(7)}  ${p.params.toLocaleString('en-US').padStart(10)}  ${p.bflops.toFixed(3).padStart(7)}  ${p.precision!.toFixed(3)}  ${p.recall!.toFixed(3)}  ${p.map50!.toFixed(3).padStart(7)}${r.suggested?.percent === p.percent ? '  ← suggested' : ''}`,
    );
  if (!r.suggested) console.log(`    no suggested point: pruning at ${fallback}`);
  return r.suggested?.percent ?? fallback;
}

interface Stage {
  name: string;
  cfg: string;
  weights: string;
}

/** The table with one interleaved onnxruntime benchmark over every stage. */
function table(run: string, data: string, stages: Stage[]): StageRow[] {
  const models = stages.flatMap((s) => [s.cfg, s.weights]);
  const b = json<BenchResult>('bench', ...models, '--runtime', 'onnxruntime', '--iterations', quick ? '20' : '100', '--rounds', '5');
  const rows = measureStages(
    cli,
    data,
    stages.map((s, i) => ({ ...s, latencyMs: b.models[i].latency.medianMs })),
  );
  console.log(`\n${run}: ${elapsed()} in all\n`);
  for (const line of formatStageTable(rows, b.runtime)) console.log(line);
  console.log(`\n${stageSummary(rows[0], rows[rows.length - 1])}`);
  return rows;
}

/** Fine-tunes dir/pruned into dir/finetuned (one warm-up epoch, seed 3) with these flags. */
function finetune(dir: string, flags: string[]): void {
  step('train --finetune', () =>
    train(['--finetune', join(dir, 'pruned'), ...flags, '--warmup-epochs', '1', '--seed', '3', '-o', join(dir, 'finetuned')]),
  );
}

function prunedDir(dir: string) {
  const f = readdirSync(dir);
  return {
    cfg: join(
      dir,
      f.find((x) => x.endsWith('.cfg'))!,
    ),
    weights: join(
      dir,
      f.find((x) => x.endsWith('.weights'))!,
    ),
  };
}

/** (a): returns whether the acceptance held. */
function partA(dir: string): boolean {
  t0 = Date.now();
  const size = num(opt.size, quick ? 96 : 128);
  const images = num(opt.images, quick ? 60 : 300);
  const epochs = num(opt.epochs, quick ? 1 : 48);
  const cfg = join(dir, 'model.cfg');
  const data = join(dir, 'data', 'obj.data');
  // Adam and no augmentation: a detector from scratch in a few hundred iterations on a loaded CPU
  const common = ['--data', data, '--batch', '16', '--adam', '--no-augment'];
  if (opt.continue) {
    // the baseline of a kept run trained on to --epochs (train --resume), then every later stage anew
    const from = join(resolve(opt.continue), 'a');
    for (const f of ['data', 'model.cfg', 'baseline']) cpSync(join(from, f), join(dir, f), { recursive: true });
    console.log(`(a) continuing the baseline of ${from} to ${epochs} epochs`);
    step('train --resume (baseline)', () => train(['--resume', join(dir, 'baseline'), '--epochs', String(epochs)]));
  } else {
    trainBaseline(dir, cfg, common, size, images, epochs);
  }
  return pruneAndTune(dir, cfg, data, common, num(opt['tune-epochs'], quick ? 1 : 14));
}

function trainBaseline(dir: string, cfg: string, common: string[], size: number, images: number, epochs: number) {
  // the cfg at the chosen size; anchors scale with it
  const anchors = (s: string) =>
    s
      .split(',')
      .map((v) => Math.round((Number(v) * size) / 128))
      .join(',');
  writeFileSync(
    cfg,
    setNetOptions(readFileSync(join(__dirname, 'training-yolov4-tiny-res.cfg'), 'utf8'), { width: size, height: size }).replace(
      /^anchors=(.*)$/gm,
      (_, a: string) => `anchors=${anchors(a.replace(/\s/g, ''))}`,
    ),
  );
  console.log(`(a) synthetic shapes: ${images} images ${size}×${size}, ${epochs} baseline epochs`);
  step('data synth', () => {
    cli('data', 'synth', '-o', join(dir, 'data'), '--classes', '2', '--images', String(images), '--size', String(size), '--seed', '7');
  });
  step('train (baseline)', () =>
    train([cfg, ...common, '--lr', '0.002', '--epochs', String(epochs), '--seed', '1', '-o', join(dir, 'baseline')]),
  );
}

function pruneAndTune(dir: string, cfg: string, data: string, common: string[], tuneEpochs: number): boolean {
  const base = join(dir, 'baseline', 'last.weights');
  const sparseEpochs = String(tuneEpochs);
  step('train --sparsity (L1 on γ)', () =>
    train([
      cfg,
      ...common,
      '--weights',
      base,
      '--epochs',
      sparseEpochs,
      '--seed',
      '2',
      '--lr',
      '0.003',
      '--sparsity',
      '0.02',
      '--prune-mode',
      'shortcut',
      '-o',
      join(dir, 'sparse'),
    ]),
  );
  const sparse = join(dir, 'sparse', 'last.weights');
  let percent = 0;
  step('sweep --data', () => {
    percent = sweep(cfg, sparse, data, quick ? '0.5:0.9:0.2' : '0.5:0.95:0.05', 'shortcut', 0.7);
    return `→ ${percent}`;
  });
  step(`prune channel (shortcut, ${percent})`, () => {
    json(
      'prune',
      'channel',
      cfg,
      sparse,
      '--method',
      'shortcut',
      '--global-percent',
      String(percent),
      '--name',
      'model',
      '-o',
      join(dir, 'channel'),
    );
  });
  step('prune layer (2 residual units)', () => {
    json('prune', 'layer', join(dir, 'channel'), '--shortcuts', '2', '--name', 'model', '-o', join(dir, 'pruned'));
  });
  finetune(dir, [...common, '--epochs', sparseEpochs, '--lr', '0.001']);
  const pruned = prunedDir(join(dir, 'pruned'));
  const rows = table('(a)', data, [
    { name: 'baseline', cfg, weights: base },
    { name: 'sparsity-trained', cfg, weights: sparse },
    { name: `channel-pruned (${percent})`, ...prunedDir(join(dir, 'channel')) },
    { name: '+ 2 residual units', ...pruned },
    { name: 'fine-tuned', cfg: pruned.cfg, weights: join(dir, 'finetuned', 'last.weights') },
  ]);
  const [b, f] = [rows[0], rows[rows.length - 1]];
  const delta = 100 * (f.map - b.map);
  const fewer = 100 * (1 - f.params / b.params);
  const pass = delta >= -5 && fewer >= 70;
  console.log(
    `\n(a) acceptance: fine-tuned mAP@0.5 ${f.map.toFixed(3)} vs baseline ${b.map.toFixed(3)} (Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points, limit 5); params −${fewer.toFixed(1)}% (limit ≥ 70%): ${pass ? 'PASS' : 'FAIL'}`,
  );
  return pass;
}

/** (b): COCO yolov3-tiny → trees; reports what it reaches. */
function partB(dir: string): void {
  t0 = Date.now();
  const forest = join(CACHE, 'deepforest-2.1.0', 'data');
  const coco = join(CACHE, 'weights', 'yolov3-tiny.weights');
  const cocoCfg = join(CORPUS, 'cfg', 'yolov3-tiny.cfg');
  if (!existsSync(join(forest, '.complete')) || !existsSync(coco) || !existsSync(cocoCfg)) {
    console.log(`(b) skipped: needs \`npm run setup:data\` and \`npm run setup:weights\` (${forest}, ${coco}) and the corpus (${cocoCfg})`);
    return;
  }
  const size = num(opt.size, quick ? 256 : 416);
  const epochs = num(opt.epochs, quick ? 1 : 30);
  // one class (Tree): the heads' convs go from 255 to 18 filters
  const cfg = join(dir, 'yolov3-tiny-trees.cfg');
  writeFileSync(
    cfg,
    // its burn_in=1000 would keep the rate near zero for the whole run
    setNetOptions(readFileSync(cocoCfg, 'utf8'), { width: size, height: size, burn_in: 10 })
      .replace(/^classes=80$/gm, 'classes=1')
      .replace(/^filters=255$/gm, 'filters=18'),
  );
  const init = join(dir, 'yolov3-tiny-trees-init.weights');
  const tiles = join(dir, 'tiles');
  mkdirSync(tiles);
  const data = join(dir, 'trees', 'obj.data');
  const common = ['--data', data, '--batch', '8'];
  console.log(`(b) DeepForest trees, COCO yolov3-tiny at ${size}×${size}, ${epochs} epochs per training`);
  let csv = '';
  step('tile the VOC crops (416 px)', () => {
    const t = tileVoc(forest, tiles, 416, 'Tree');
    csv = t.csv;
    return `${t.images} tiles, ${t.boxes} boxes`;
  });
  step('data import csv (seeded split)', () => {
    const r = json<{ images: number; boxes: number; valid: number }>(
      'data',
      'import',
      'csv',
      csv,
      '--images',
      tiles,
      '--classes',
      'Tree',
      '--valid-fraction',
      '0.2',
      '--seed',
      '1',
      '-o',
      join(dir, 'trees'),
    );
    return `${r.images} images, ${r.boxes} boxes`;
  });
  step('COCO weights → 1-class heads', () => {
    transplantHeads(cocoCfg, coco, cfg, init);
  });
  step('train (fine-tune COCO → trees)', () =>
    train([cfg, ...common, '--weights', init, '--epochs', String(epochs), '--seed', '1', '-o', join(dir, 'baseline')]),
  );
  const base = join(dir, 'baseline', 'last.weights');
  step('train --sparsity (L1 on γ)', () =>
    train([cfg, ...common, '--weights', base, '--epochs', String(epochs), '--seed', '2', '--sparsity', '0.01', '-o', join(dir, 'sparse')]),
  );
  const sparse = join(dir, 'sparse', 'last.weights');
  let percent = 0;
  step('sweep --data', () => {
    percent = sweep(cfg, sparse, data, '0.3:0.9:0.1', 'slim', 0.5);
    return `→ ${percent}`;
  });
  step(`prune channel (slim, ${percent})`, () => {
    json('prune', 'channel', cfg, sparse, '--global-percent', String(percent), '--name', 'model', '-o', join(dir, 'pruned'));
  });
  finetune(dir, [...common, '--epochs', String(epochs)]);
  const pruned = prunedDir(join(dir, 'pruned'));
  table('(b)', data, [
    { name: 'COCO → trees', cfg, weights: base },
    { name: 'sparsity-trained', cfg, weights: sparse },
    { name: `pruned (${percent})`, ...pruned },
    { name: 'fine-tuned', cfg: pruned.cfg, weights: join(dir, 'finetuned', 'last.weights') },
  ]);
}

function main(): number {
  if (!existsSync(CLI)) {
    console.error(`${CLI} not built: run npm run build`);
    return 2;
  }
  const parts = opt.part === 'all' ? ['a', 'b'] : [opt.part];
  if (parts.some((p) => p !== 'a' && p !== 'b')) {
    console.error(`--part a|b (got ${opt.part})`);
    return 2;
  }
  const root = opt.keep ? resolve(opt.keep) : mkdtempSync(join(tmpdir(), 'dp-bench-training-'));
  let ok = true;
  try {
    for (const p of parts) {
      const dir = join(root, p);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      if (p === 'a') ok = partA(dir) && ok;
      else partB(dir);
    }
  } finally {
    if (opt.keep) console.log(`\nintermediate outputs kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  return ok ? 0 : 1;
}

process.exitCode = main();
