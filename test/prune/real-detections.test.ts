// Channel pruning on real trained weights and a real photo (the official COCO yolov3-tiny weights,
// bus.jpg; `npm run setup:weights`). What a prune changes is exactly what its removed channels carried:
// the compact model detects what the full-size model detects with those channels' γ set to 0 (their
// output the constant f(β) that compensation folds into the consumers). Those weights were never
// sparsity-trained (every |γ| ≥ 0.47), so the removed channels did carry signal: the test prints how
// the detections change at 1%, 10% and 50% (docs/pruning.md §Sparsity verdict).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { evaluateChannelPrune } from '../../core/src/prune/evaluate';
import { absGammas } from '../../core/src/prune/plan';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { readWeightsFile } from '../../core/src/weights/read';
import { serializeWeights } from '../../core/src/weights/write';
import { runMain } from '../cli/in-process';
import { runCli } from '../cli/run';
import { REAL, realWeightsMissing } from '../real-weights';
import { rowIou as iou, type DetectionRow as Box } from '../nn/detection-rows';

const skip = realWeightsMissing();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-real-prune-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function detect(cfg: string, weights: string, thresh: number): Promise<Box[]> {
  const r = await runMain(['detect', cfg, weights, REAL.photo, '--names', REAL.names, '--thresh', String(thresh), '--json']);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { images: { detections: Box[] }[] }).images[0].detections;
}

/** The original weights with the γ of the channels a slim prune at `percent` removes set to 0. */
function zeroedWeights(percent: number): string {
  const net = analyseText(readFileSync(REAL.cfg, 'utf8'));
  const w = readWeightsFile(REAL.weights, net);
  const { plan } = evaluateChannelPrune(net, absGammas(net, w), { globalPercent: percent, layerKeep: 0.01 }, analyseChannelStructure(net));
  plan.masks.forEach((mask, i) => {
    const scales = w.layers[i]?.blocks.scales;
    if (mask && scales) mask.forEach((kept, k) => kept || (scales[k] = 0));
  });
  const file = join(dir, `zeroed-${percent}.weights`);
  writeFileSync(file, serializeWeights(net, w));
  return file;
}

const show = (boxes: Box[]) =>
  boxes.map((b) => `${b.name} ${(b.prob * 100).toFixed(0)}% [${b.left},${b.top},${b.width}×${b.height}]`).join('; ') || 'none';

const matches = (a: Box, b: Box, minIou: number, maxDp: number) =>
  a.name === b.name && iou(a, b) >= minIou && Math.abs(a.prob - b.prob) <= maxDp;

test('a 1% slim prune keeps the photo’s detections and equals the weights with those γ zeroed', { skip }, async () => {
  const out = join(dir, 'p1');
  const pruned = runCli(['prune', 'channel', REAL.cfg, REAL.weights, '-p', '0.01', '-o', out, '--name', 'tiny'], dir);
  assert.equal(pruned.code, 0, pruned.err);
  assert.match(pruned.err, /does not look sparsity-trained/);
  const original = await detect(REAL.cfg, REAL.weights, 0.25);
  const compact = await detect(join(out, 'tiny.cfg'), join(out, 'tiny.weights'), 0.25);
  const zeroed = await detect(REAL.cfg, zeroedWeights(0.01), 0.25);
  console.log(`# original ${show(original)}\n# 1%       ${show(compact)}\n# zeroed   ${show(zeroed)}`);
  assert.ok(original.length >= 3, show(original));
  for (const box of original)
    assert.ok(
      compact.some((b) => matches(b, box, 0.4, 1)),
      `${show([box])} lost: ${show(compact)}`,
    );
  // 3×3 consumers see zero padding around a constant channel, which a bias cannot fold: near the
  // borders the compact model differs a little from the zeroed one.
  assert.equal(compact.length, zeroed.length, `${show(compact)} vs ${show(zeroed)}`);
  for (const box of zeroed)
    assert.ok(
      compact.some((b) => matches(b, box, 0.85, 0.1)),
      `${show([box])}: ${show(compact)}`,
    );
});

for (const percent of [0.1, 0.5])
  test(`a ${percent * 100}% slim prune of these never sparsity-trained γ warns, runs, and says what it cost`, { skip }, async () => {
    const out = join(dir, `p${percent}`);
    const pruned = runCli(['prune', 'channel', REAL.cfg, REAL.weights, '-p', String(percent), '-o', out, '--name', 'tiny'], dir);
    assert.equal(pruned.code, 0, pruned.err);
    assert.match(pruned.err, new RegExp(`global percent ${percent} cuts \\d+ channel\\(s\\) .* whose \\|γ\\| are not near zero`));
    const original = await detect(REAL.cfg, REAL.weights, 0.25);
    const compact = await detect(join(out, 'tiny.cfg'), join(out, 'tiny.weights'), 0.25);
    const kept = original.filter((box) => compact.some((b) => matches(b, box, 0.4, 1))).length;
    console.log(`# ${percent * 100}%: ${kept} of ${original.length} detections kept; original ${show(original)}; pruned ${show(compact)}`);
  });
