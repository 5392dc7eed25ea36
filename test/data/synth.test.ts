// data synth: a procedurally drawn dataset that passes data check, byte-identical for a seed, written
// whole or not at all.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataset } from '../../core/src/data/check';
import { synthImage } from '../../core/src/data/synth';
import { decodeImage } from '../../core/src/nn/image';
import { runAndInterrupt } from '../cli/interrupt';
import { runCli } from '../cli/run';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-synth-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(root, f)).isFile())
    .sort();
}

test('same seed → byte-identical files; another seed → other images; the result passes data check', () => {
  const args = ['--classes', '6', '--images', '12', '--size', '96', '--valid-fraction', '0.25'];
  for (const [name, seed] of [
    ['a', '42'],
    ['b', '42'],
    ['c', '43'],
  ]) {
    const r = runCli(['data', 'synth', '-o', name, '--seed', seed, ...args, '--json'], dir);
    assert.equal(r.code, 0, r.err);
  }
  const a = listFiles(join(dir, 'a'));
  assert.equal(a.filter((f) => f.startsWith('images/')).length, 12);
  assert.deepEqual(listFiles(join(dir, 'b')), a);
  for (const f of a)
    assert.ok(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), `${f} differs between two runs with seed 42`);
  assert.ok(!readFileSync(join(dir, 'a', 'images', 'synth_00.png')).equals(readFileSync(join(dir, 'c', 'images', 'synth_00.png'))));
  assert.equal(readFileSync(join(dir, 'a', 'obj.names'), 'utf8'), 'circle\nsquare\ntriangle\ncross\nring\ndiamond\n');
  const report = checkDataset(join(dir, 'a', 'obj.data'));
  assert.equal(report.errorCount, 0, report.errors.join('\n'));
  assert.deepEqual(
    report.lists.map((l) => l.images),
    [9, 3],
  );
  assert.ok(report.boxes >= 12, `several shapes per image (${report.boxes})`);
  assert.ok(report.perClass.filter((n) => n > 0).length >= 5, `most classes drawn: ${report.perClass}`);
  assert.ok(report.sizeHistogram.filter((b) => b.count > 0).length >= 3, 'shapes at several scales');
});

test('JPEG output decodes at the asked size; a box marks pixels unlike the background', () => {
  const im = synthImage(3, { classes: 8, size: 80, seed: 9, format: 'jpg' });
  const rgba = decodeImage(im.bytes);
  assert.deepEqual([rgba.width, rgba.height], [80, 80]);
  assert.deepEqual(synthImage(3, { classes: 8, size: 80, seed: 9, format: 'jpg' }).bytes, im.bytes);
  const png = decodeImage(synthImage(3, { classes: 8, size: 80, seed: 9, format: 'png' }).bytes);
  for (const l of im.labels) {
    assert.ok(l.w > 0 && l.h > 0 && l.cx - l.w / 2 >= 0 && l.cx + l.w / 2 <= 1 && l.cy - l.h / 2 >= 0 && l.cy + l.h / 2 <= 1);
    // the shape's colour is chosen far from the background's brightness: the box holds a spread of values
    let lo = 255,
      hi = 0;
    for (let y = Math.floor((l.cy - l.h / 2) * 80); y < Math.ceil((l.cy + l.h / 2) * 80); y++) {
      for (let x = Math.floor((l.cx - l.w / 2) * 80); x < Math.ceil((l.cx + l.w / 2) * 80); x++) {
        const i = 4 * (y * 80 + x),
          v = (png.data[i] + png.data[i + 1] + png.data[i + 2]) / 3;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    assert.ok(hi - lo > 60, `box ${JSON.stringify(l)} spans ${lo}…${hi}`);
  }
});

test('refuses a non-empty output folder and bad options; leaves nothing behind', () => {
  mkdirSync(join(dir, 'full'));
  writeFileSync(join(dir, 'full', 'keep.txt'), 'mine');
  const r = runCli(['data', 'synth', '-o', 'full', '--images', '2', '--size', '32'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /-o full: directory exists and is not empty/);
  assert.deepEqual(readdirSync(join(dir, 'full')), ['keep.txt']);
  const bad = runCli(['data', 'synth', '-o', 'x', '--classes', '9'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--classes must be ≤ 8, got 9/);
  assert.ok(!readdirSync(dir).some((f) => f.startsWith('.') || f === 'x'), `left: ${readdirSync(dir)}`);
});

test('Cancel (SIGTERM) mid-way: exit 143, no output folder, no temporary folder left', { timeout: 120_000 }, async () => {
  const r = await runAndInterrupt(['data', 'synth', '-o', 'cancelled', '--images', '400', '--size', '64'], dir, { afterEvents: 1 });
  assert.ok(r.sent, 'the job was still running at its first progress event');
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /interrupted \(SIGTERM\); partial outputs removed/);
  assert.ok(!readdirSync(dir).some((f) => f === 'cancelled' || /^\.cancelled\.tmp-/.test(f)), `left: ${readdirSync(dir)}`);
});
