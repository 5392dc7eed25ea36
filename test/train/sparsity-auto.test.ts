// `train --sparsity auto` (docs/training.md §Sparsity auto): the policy on hand-made trends, and a short
// real run (tiny cfg, 19 synthetic images) that says its choice every epoch and resumes with it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextSparsity, startAutoSparsity, type AutoSparsityState } from '../../core/src/train/sparsity-auto';
import { runCli } from '../cli/run';
import { tinyCfg } from './darknet-fixture';
import { tempDir } from '../tmp';

/** Runs the policy over (mAP, compression) per epoch from a start; the s chosen after each epoch. */
function trend(start: [number, number], epochs: [number, number][]): { s: number[]; actions: string[]; reasons: string[] } {
  let state: AutoSparsityState = startAutoSparsity(...start).state;
  const out = { s: [] as number[], actions: [] as string[], reasons: [] as string[] };
  for (const [map, comp] of epochs) {
    const d = nextSparsity(state, map, comp);
    state = d.state;
    out.s.push(d.state.s);
    out.actions.push(d.action);
    out.reasons.push(d.reason);
  }
  return out;
}

test('starts at the seed s = 0.001 with the starting weights as the reference', () => {
  const d = startAutoSparsity(0.42, 0.01);
  assert.deepEqual(d.state, { s: 1e-3, ceiling: 1e-2, best: 0.42, compression: 0.01 });
  assert.match(d.reason, /start at s 1e-3 \(the seed's advice\); starting mAP@0\.5 0\.420, \|γ\|<0\.01 1\.0%/);
});

test('mAP collapsing under half the best lowers s ×0.1 to 1e-4, then no further; raises stay under half the s that collapsed', () => {
  const t = trend(
    [0.6, 0],
    [
      [0.25, 0.1], // collapse: 0.25 < 0.3
      [0.2, 0.12], // still collapsed, at the floor
      [0.58, 0.123], // recovered (≥ 0.9 · 0.6), compression stalled: raise ×2
      [0.6, 0.124],
      [0.6, 0.125], // capped at the ceiling 5e-4, half the s that collapsed
    ],
  );
  assert.deepEqual(t.actions, ['lower', 'keep', 'raise', 'raise', 'raise']);
  assert.deepEqual(t.s, [1e-4, 1e-4, 2e-4, 4e-4, 5e-4]);
  assert.match(
    t.reasons[0],
    /mAP@0\.5 0\.250 \(best 0\.600\), \|γ\|<0\.01 10\.0% \(\+10\.0 pp\): mAP fell under half the best: lower s 1e-3 → 1e-4/,
  );
  assert.match(t.reasons[1], /s is at its floor 1e-4: keep/);
  assert.match(t.reasons[2], /compression stalled \(< 0\.5 pp\) while mAP holds: raise s 1e-4 → 2e-4/);
  const capped = trend(
    [0.6, 0],
    [
      [0.2, 0.1],
      [0.6, 0.1],
      [0.6, 0.1],
      [0.6, 0.1],
      [0.6, 0.1],
    ],
  );
  assert.deepEqual(capped.s, [1e-4, 2e-4, 4e-4, 5e-4, 5e-4]);
  assert.match(capped.reasons[4], /at its ceiling 5e-4: keep/);
});

test('compression moving, or mAP dipping without collapsing, keeps s; a stall while mAP holds raises it up to 1e-2', () => {
  const moving = trend(
    [0.5, 0],
    [
      [0.48, 0.05],
      [0.4, 0.051], // below 90% of the best, above half: keep, even though stalled
      [0.5, 0.2],
    ],
  );
  assert.deepEqual(moving.actions, ['keep', 'keep', 'keep']);
  assert.deepEqual(moving.s, [1e-3, 1e-3, 1e-3]);
  assert.match(moving.reasons[0], /compression moving: keep s 1e-3/);
  assert.match(moving.reasons[1], /mAP below 90% of the best: keep s 1e-3/);

  const stalled = trend(
    [0.5, 0],
    Array.from({ length: 8 }, () => [0.5, 0] as [number, number]),
  );
  assert.deepEqual(stalled.s, [2e-3, 4e-3, 8e-3, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2]);
  // the best moves up with the mAP: a later fall is judged against it
  const t = trend(
    [0.1, 0],
    [
      [0.5, 0.1],
      [0.2, 0.2],
    ],
  );
  assert.deepEqual(t.actions, ['keep', 'lower']);
  // under a best of 0.05, a fall is noise, not a collapse
  assert.deepEqual(trend([0.04, 0], [[0.01, 0.1]]).actions, ['keep']);
});

const dir = tempDir('dp-sparsity-auto-');
const cfg = join(dir, 'tiny.cfg');
const data = join(dir, 'set', 'obj.data');
const train = (out: string, epochs: number, ...more: string[]) => [
  'train',
  cfg,
  '--data',
  data,
  '-o',
  out,
  '--epochs',
  String(epochs),
  '--sparsity',
  'auto',
  ...more,
];

before(() => {
  writeFileSync(cfg, tinyCfg({ batch: 4, lr: 0.005, maxBatches: 100 }));
  const r = runCli(
    ['data', 'synth', '-o', join(dir, 'set'), '--classes', '2', '--images', '19', '--size', '64', '--seed', '3', '--valid-fraction', '0.2'],
    dir,
  );
  assert.equal(r.code, 0, r.err);
});

test('a real run with --sparsity auto says what it chose and why, epoch by epoch, and --resume keeps its s', { timeout: 600_000 }, () => {
  const a = join(dir, 'a');
  const r = runCli([...train(a, 3), '--json-events'], dir);
  assert.equal(r.code, 0, r.err);
  const events = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; name?: string; step?: number; value?: number; level?: string; message?: string });
  const chosen = events.filter((e) => e.type === 'metric' && e.name === 'sparsity');
  assert.deepEqual(
    chosen.map((e) => e.step),
    [0, 3, 6, 9],
    'the start, then after each of the 3 epochs (3 steps each)',
  );
  assert.equal(chosen[0].value, 1e-3);
  const notes = events.filter((e) => e.type === 'note' && /^sparsity auto/.test(e.message ?? ''));
  assert.equal(notes.length, 4);
  assert.match(notes[0].message!, /start at s 1e-3/);
  for (const n of notes.slice(1))
    assert.match(n.message!, /epoch \d: mAP@0\.5 [\d.]+ \(best [\d.]+\), \|γ\|<0\.01 [\d.]+% .*: (keep|lower|raise)/);
  const rows = readFileSync(join(a, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { sparsity: number; sparsityNext: number; sparsityReason: string });
  assert.deepEqual(
    rows.map((m) => m.sparsity),
    [chosen[0].value, chosen[1].value, chosen[2].value],
    'each epoch trained with the s chosen before it',
  );
  assert.deepEqual(
    rows.map((m) => m.sparsityNext),
    chosen.slice(1).map((e) => e.value),
  );

  // stop after 2 epochs, resume for the third: the same s, the same bytes
  const b = join(dir, 'b');
  assert.equal(runCli(train(b, 2), dir).code, 0);
  const resumed = runCli(['train', '--resume', b, '--epochs', '3'], dir);
  assert.equal(resumed.code, 0, resumed.err);
  assert.equal(readFileSync(join(b, 'metrics.jsonl'), 'utf8'), readFileSync(join(a, 'metrics.jsonl'), 'utf8'));
  assert.ok(readFileSync(join(b, 'last.weights')).equals(readFileSync(join(a, 'last.weights'))), 'last.weights differ');
  assert.match(resumed.err, /sparsity auto, epoch 3: /);

  const bad = runCli(['train', cfg, '--data', data, '-o', join(dir, 'c'), '--sparsity', 'often'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--sparsity: expected a number ≥ 0 or auto, got "often"/);
});
