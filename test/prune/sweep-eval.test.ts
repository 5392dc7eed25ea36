// sweep --data: P, R and mAP@0.5 per point come from evaluating the compact model at that percent —
// the same figures `eval` gives on the folder `prune channel` writes for that percent. Labels are
// the unpruned model's own top detections, so its mAP is high and pruning moves it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { main } from '../../cli/main';
import { XorShift32 } from '../../core/src/weights/synth';
import { REPO } from '../corpus';

let dir = '';
const cli = async (...args: string[]) => {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  assert.equal(code, 0, `darknet-pruner ${args.join(' ')}:\n${err.join('\n')}`);
  return out.join('\n');
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-sweep-eval-'));
  const cfg = readFileSync(join(REPO, 'examples', 'residual-detector.cfg'), 'utf8')
    .replace('width=256', 'width=64')
    .replace('height=256', 'height=64');
  writeFileSync(join(dir, 'm.cfg'), cfg);
  await cli('weights', 'synth', join(dir, 'm.cfg'), '-o', join(dir, 'm.weights'));
  mkdirSync(join(dir, 'images'));
  mkdirSync(join(dir, 'labels'));
  const rng = new XorShift32(77);
  const images: string[] = [];
  for (let k = 0; k < 3; k++) {
    const p = new PNG({ width: 64, height: 64 });
    for (let i = 0; i < p.data.length; i++) p.data[i] = i % 4 === 3 ? 255 : rng.next() & 255;
    images.push(join(dir, 'images', `i${k}.png`));
    writeFileSync(images[k], PNG.sync.write(p));
  }
  const det = JSON.parse(await cli('detect', join(dir, 'm.cfg'), join(dir, 'm.weights'), ...images, '--json', '--thresh', '0.2')) as {
    images: { detections: { class: number; left: number; top: number; width: number; height: number }[] }[];
  };
  det.images.forEach((im, k) => {
    const lines = im.detections
      .slice(0, 2)
      .map((d) => `${d.class} ${(d.left + d.width / 2) / 64} ${(d.top + d.height / 2) / 64} ${d.width / 64} ${d.height / 64}`);
    assert.ok(lines.length > 0, 'the unpruned model detects something to label');
    writeFileSync(join(dir, 'labels', `i${k}.txt`), lines.join('\n') + '\n');
  });
  writeFileSync(join(dir, 'valid.txt'), images.join('\n') + '\n');
  writeFileSync(join(dir, 'obj.data'), `classes=2\nvalid=${join(dir, 'valid.txt')}\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('sweep --data evaluates the compact model at every point, as eval does on the pruned folder', { timeout: 300_000 }, async () => {
  const sweep = JSON.parse(
    await cli('sweep', join(dir, 'm.cfg'), join(dir, 'm.weights'), '--percents', '0.2:0.8:0.6', '--data', join(dir, 'obj.data'), '--json'),
  ) as { points: { percent: number; precision: number; recall: number; map50: number }[]; evaluation: string };
  assert.equal(sweep.points.length, 2);
  for (const p of sweep.points)
    for (const k of ['precision', 'recall', 'map50'] as const)
      assert.ok(Number.isFinite(p[k]) && p[k] >= 0 && p[k] <= 1, `${k} at ${p.percent}`);
  assert.match(sweep.evaluation, /mAP@0\.5 on .*valid\.txt/);
  const full = JSON.parse(await cli('eval', join(dir, 'm.cfg'), join(dir, 'm.weights'), '--data', join(dir, 'obj.data'), '--json')) as {
    map50: number;
  };
  assert.ok(full.map50 > 0.5, `the unpruned model finds its own labels (mAP ${full.map50})`);
  await cli('prune', 'channel', join(dir, 'm.cfg'), join(dir, 'm.weights'), '--global-percent', '0.8', '-o', join(dir, 'p80'));
  const pruned = JSON.parse(
    await cli('eval', join(dir, 'p80', 'm-pruned.cfg'), join(dir, 'p80', 'm-pruned.weights'), '--data', join(dir, 'obj.data'), '--json'),
  ) as { map50: number; precision: number; recall: number };
  const at80 = sweep.points.find((p) => Math.abs(p.percent - 0.8) < 1e-9)!;
  assert.ok(
    Math.abs(at80.map50 - pruned.map50) < 1e-9 &&
      Math.abs(at80.precision - pruned.precision) < 1e-9 &&
      Math.abs(at80.recall - pruned.recall) < 1e-9,
    `sweep at 0.8 (${at80.map50}) = eval of the pruned folder (${pruned.map50})`,
  );
  assert.ok(Math.abs(at80.map50 - full.map50) > 1e-6, `pruning 80% changes mAP (${full.map50} → ${at80.map50})`);
});
