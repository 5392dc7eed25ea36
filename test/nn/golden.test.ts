// Acceptance: the tfjs network reproduces darknet's [yolo] outputs on all six numerical goldens
// (shared/corpus/golden) within 2e-4 max absolute difference, and the first layers' sums agree with
// layer_stats.tsv (which checks the input path; the deep heads of the 128 nets barely depend on it).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { buildNetwork, chwToNHWC } from '../../core/src/nn/model';
import { darknetLayout, isHead } from '../../core/src/nn/heads';
import { GOLDEN_DIR, goldenNets } from '../corpus';
import { maxAbsDiff, useBackend } from './helpers';

const TOLERANCE = 2e-4;
const STATS_LAYERS = 3;
let backend = '';

before(async () => {
  backend = await useBackend('infer');
});

function f32File(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

for (const g of goldenNets()) {
  test(`golden ${g}: every [yolo] output within ${TOLERANCE} of darknet`, (t) => {
    const dir = join(GOLDEN_DIR, g);
    const net = analyseText(readFileSync(join(dir, `${g}.cfg`), 'utf8'));
    const meta = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input: { stored: boolean; file: string | null } };
    const input = meta.input.stored
      ? f32File(join(dir, meta.input.file!))
      : synthesizeInput(net.net.width, net.net.height, net.net.channels);
    const model = buildNetwork(net, synthesizeWeights(net), { trainable: false });
    const heads = net.layers.filter(isHead).map((l) => l.index);
    const x = chwToNHWC(input, net.net.width, net.net.height, net.net.channels);
    const outs = model.forward(x, { outputs: [...Array(STATS_LAYERS).keys(), ...heads] });
    x.dispose();
    try {
      const stats = readFileSync(join(dir, 'layer_stats.tsv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split('\t'));
      for (let i = 0; i < STATS_LAYERS; i++) {
        const d = outs.get(i)!.dataSync();
        let sum = 0,
          sumAbs = 0;
        for (const v of d) {
          sum += v;
          sumAbs += Math.abs(v);
        }
        const want = Number(stats[i][6]),
          wantAbs = Number(stats[i][7]);
        assert.ok(
          Math.abs(sumAbs - wantAbs) <= 1e-4 * wantAbs && Math.abs(sum - want) <= 1e-4 * wantAbs,
          `layer ${i}: sum ${sum} / |sum| ${sumAbs}, darknet ${want} / ${wantAbs}`,
        );
      }
      const report: string[] = [];
      for (const h of heads) {
        const out = outs.get(h)!;
        const got = darknetLayout(net.layers[h], out.dataSync() as Float32Array, out.shape);
        const want = f32File(join(dir, `yolo_${h}.f32`));
        const diff = maxAbsDiff(got, want);
        report.push(`yolo_${h} ${diff.toExponential(2)}`);
        assert.ok(diff <= TOLERANCE, `yolo_${h}: max abs diff ${diff} > ${TOLERANCE}`);
      }
      t.diagnostic(`${backend}: max abs diff ${report.join(', ')}`);
    } finally {
      for (const o of outs.values()) o.dispose();
      model.dispose();
    }
  });
}
