// The training dashboard's data (client/src/training/runData.ts): metrics.jsonl and gamma.jsonl read
// line by line with located errors, histograms moved onto common bins without losing a channel, the
// fraction of |γ| under a threshold (recorded, or read off the histogram), the epoch from which the
// suggested prune point stops moving, and a run folder's status. Values below are derived by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findRunDirs,
  fractionBelow,
  gammaViews,
  parseGamma,
  parseMetrics,
  rebin,
  RunDataError,
  runView,
  settledEpoch,
  THRESHOLDS,
  type GammaRecord,
} from '../../client/src/training/runData';

const metricLine = (epoch: number, extra: object = {}) =>
  JSON.stringify({ epoch, iteration: 3 * epoch, loss: 10 / epoch, precision: 0.1, recall: 0.2, map50: 0.05 * epoch, lr: 0.001, ...extra });

test('metrics.jsonl: every epoch, the loss parts when recorded (null in older runs)', () => {
  const rows = parseMetrics('metrics.jsonl', `${metricLine(1)}\n${metricLine(2, { lossBox: 1, lossObj: 2, lossCls: 0.5 })}\n`);
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[0].lossBox, rows[0].lossObj, rows[0].lossCls], [null, null, null]);
  assert.deepEqual([rows[1].lossBox, rows[1].lossObj, rows[1].lossCls], [1, 2, 0.5]);
  assert.equal(rows[1].map50, 0.1);
});

test('metrics.jsonl: the sparsity s per epoch and, with --sparsity auto, why (null without)', () => {
  const rows = parseMetrics(
    'metrics.jsonl',
    `${metricLine(1)}\n${metricLine(2, { sparsity: 0.001, sparsityNext: 0.0001, sparsityReason: 'mAP fell under half the best' })}\n`,
  );
  assert.deepEqual([rows[0].sparsity, rows[0].sparsityReason], [null, null]);
  assert.deepEqual([rows[1].sparsity, rows[1].sparsityReason], [0.001, 'mAP fell under half the best']);
});

test('a bad line is an error naming the file and line', () => {
  assert.throws(
    () => parseMetrics('/r/metrics.jsonl', `${metricLine(1)}\n{"epoch": 2, "iteration`),
    (e: Error) => e instanceof RunDataError && e.message === 'metrics.jsonl:2: not JSON',
  );
  assert.throws(() => parseMetrics('metrics.jsonl', `${metricLine(1, { map50: 'high' })}`), /metrics\.jsonl:1: "map50" is not a number/);
  assert.throws(
    () => parseGamma('gamma.jsonl', JSON.stringify({ epoch: 1, edges: [0, 1], counts: [1, 2], channels: 3, meanAbs: 0.5 })),
    /gamma\.jsonl:1: 2 edges for 2 bins/,
  );
  assert.throws(
    () => parseGamma('gamma.jsonl', JSON.stringify({ epoch: 1, edges: [0, 1, 1], counts: [1, 2], channels: 3, meanAbs: 0.5 })),
    /gamma\.jsonl:1: the edges are not increasing/,
  );
});

test('rebin spreads each bin evenly over its width and keeps every channel', () => {
  assert.deepEqual(rebin([0, 1, 2], [2, 4], [0, 0.5, 1, 1.5, 2]), [1, 1, 2, 2]);
  assert.deepEqual(rebin([0, 1, 2], [2, 4], [0, 2, 4]), [6, 0]);
  // A narrower histogram on wider common bins: all its mass in the bins it overlaps.
  const r = rebin(
    [0, 0.3, 0.6, 0.9],
    [5, 7, 9],
    Array.from({ length: 11 }, (_, i) => i * 0.1),
  );
  assert.ok(Math.abs(r.reduce((s, c) => s + c, 0) - 21) < 1e-9);
  assert.ok(Math.abs(r[0] - 5 / 3) < 1e-9 && Math.abs(r[9]) < 1e-9);
});

test('fraction below a threshold, read off a histogram', () => {
  assert.equal(fractionBelow([0, 0.02], [10], 0.01), 0.5);
  assert.ok(Math.abs(fractionBelow([0, 0.02, 0.04], [10, 30], 0.03) - (10 + 15) / 40) < 1e-12);
  assert.equal(fractionBelow([0, 1], [4], 2), 1);
  assert.equal(fractionBelow([0, 1], [0], 0.5), 0);
});

test('gammaViews: common bins over the run, recorded fractions kept, older records estimated', () => {
  const recorded: GammaRecord = {
    epoch: 1,
    edges: [0, 0.5, 1],
    counts: [6, 2],
    channels: 8,
    meanAbs: 0.3,
    below001: 0.25,
    below: { '0.001': 0.125, '0.01': 0.25, '0.05': 0.5, '0.1': 0.625 },
    emptyingPercent: 0.75,
  };
  const old: GammaRecord = { epoch: 2, edges: [0, 0.1, 0.2], counts: [4, 4], channels: 8, meanAbs: 0.1, below001: 0.125 };
  const { edges, gamma } = gammaViews([recorded, old], THRESHOLDS, 4);
  assert.deepEqual(edges, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(gamma[0].fractions, [3 / 8, 3 / 8, 1 / 8, 1 / 8]);
  assert.deepEqual(gamma[1].fractions, [1, 0, 0, 0]);
  assert.deepEqual(gamma[0].below, [0.125, 0.25, 0.5, 0.625]);
  assert.equal(gamma[0].estimated, false);
  // 0.01 is recorded (below001); the others come off the histogram: 0.001 → 0.04·4/8, 0.05 → 0.5·4/8, 0.1 → 4/8.
  assert.equal(gamma[1].estimated, true);
  assert.deepEqual(
    gamma[1].below.map((v) => Number(v.toFixed(6))),
    [0.005, 0.125, 0.25, 0.5],
  );
  assert.deepEqual([gamma[0].emptyingPercent, gamma[1].emptyingPercent], [0.75, null]);
});

test('the suggested prune point settles at the first epoch it stays within one sweep step of', () => {
  const pts = (...v: (number | null)[]) => v.map((value, i) => ({ epoch: i + 1, value }));
  assert.equal(settledEpoch(pts(0.5, 0.7, 0.705, 0.71)), 2);
  assert.equal(settledEpoch(pts(0.6, 0.6)), 1);
  assert.equal(settledEpoch(pts(0.5, 0.505, 0.49)), 1);
  assert.equal(settledEpoch(pts(0.5, 0.6)), null, 'still moving at the last epoch');
  assert.equal(settledEpoch(pts(0.5)), null, 'one epoch says nothing about movement');
  assert.equal(settledEpoch(pts(0.5, null, 0.5)), null, 'unknown');
  assert.equal(settledEpoch(pts(0.3, 0.5, 0.52)), null);
});

test("runView: a run folder's status, resumability, kind and latest model", () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-run-view-'));
  try {
    const run = join(dir, 'runs', 'sparse');
    const cfg = join(dir, 'tiny.cfg');
    writeFileSync(cfg, '[net]\n');
    mkdirSync(run, { recursive: true });
    assert.equal(runView(run, undefined).status, 'empty');
    writeFileSync(
      join(run, 'command.txt'),
      JSON.stringify({ argv: ['darknet-pruner', 'train'], options: { cfg: 'tiny.cfg', epochs: 3, sparsity: 0.01 } }),
    );
    writeFileSync(join(run, 'metrics.jsonl'), `${metricLine(1)}\n${metricLine(2)}\n`);
    const g = (epoch: number, emptyingPercent: number) =>
      JSON.stringify({ epoch, edges: [0, 0.5, 1], counts: [1, 1], channels: 2, meanAbs: 0.5, below001: 0, emptyingPercent });
    writeFileSync(join(run, 'gamma.jsonl'), `${g(1, 0.4)}\n${g(2, 0.405)}\n`);
    writeFileSync(join(run, 'checkpoint.dpck'), 'x');
    writeFileSync(join(run, 'last.weights'), 'x');
    const v = runView(run, undefined);
    assert.equal(v.status, 'stopped');
    assert.equal(v.kind, 'sparsity');
    assert.equal(v.epochsTotal, 3);
    assert.equal(v.epochs.length, 2);
    assert.equal(v.canResume, true);
    assert.equal(v.settledEpoch, 1);
    // The cfg was given relative to where the run started: beside the runs/ folder's parent here, found through the workspace folder.
    assert.equal(runView(run, undefined).latest, undefined);
    assert.deepEqual(runView(run, undefined, [dir]).latest, { cfg, weights: join(run, 'last.weights') });
    const live = runView(run, { running: true, steps: [{ step: 7, loss: 3 }] });
    assert.equal(live.status, 'running');
    assert.equal(live.canResume, false);
    assert.deepEqual(live.steps, [{ step: 7, loss: 3 }]);
    assert.equal(runView(run, { running: false, failed: 'out of memory', steps: [] }).status, 'failed');
    writeFileSync(join(run, 'metrics.jsonl'), `${metricLine(1)}\n${metricLine(2)}\n${metricLine(3)}\n`);
    assert.equal(runView(run, undefined).status, 'finished');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findRunDirs: run folders under the roots, newest first, not inside hidden folders or node_modules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-run-find-'));
  try {
    const make = (rel: string, file: string, when: number) => {
      mkdirSync(join(dir, rel), { recursive: true });
      writeFileSync(join(dir, rel, file), '{}');
      utimesSync(join(dir, rel, file), when, when);
    };
    make('runs/a', 'command.txt', 1000);
    make('runs/b', 'metrics.jsonl', 2000);
    make('deep/er/still/c', 'command.txt', 3000);
    make('.hidden/d', 'command.txt', 4000);
    make('node_modules/e', 'command.txt', 5000);
    assert.deepEqual(findRunDirs([dir]), [join(dir, 'runs', 'b'), join(dir, 'runs', 'a')]);
    assert.deepEqual(findRunDirs([dir], 4)[0], join(dir, 'deep', 'er', 'still', 'c'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
