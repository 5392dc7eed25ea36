// The three ways our ONNX export writes Mish (the Mish op, x·tanh(softplus x), the exp form) are all
// exact on OpenVINO: on the golden nets that use Mish, each form compiled at f32 gives heads within
// 2e-4 of darknet's. (bench/activation-forms.ts measures which is fastest per runtime.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { exportOnnx } from '../../core/src/export/onnx';
import { compileOpenvino } from '../../core/src/openvino/runtime';
import { GOLDEN_DIR, goldenNets } from '../corpus';
import { f32File, maxAbsDiff, yoloActivate } from '../export/helpers';
import { openvinoMissing } from './available';

const TOLERANCE = 2e-4;
const skip = openvinoMissing();

for (const g of goldenNets()) {
  const dir = join(GOLDEN_DIR, g);
  const text = readFileSync(join(dir, `${g}.cfg`), 'utf8');
  if (!/activation\s*=\s*mish/.test(text)) continue;
  test(`golden ${g}: every Mish form on OpenVINO f32 within ${TOLERANCE} of darknet`, { skip }, (t) => {
    const net = analyseText(text);
    const meta = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input: { stored: boolean; file: string | null } };
    const { width: w, height: h, channels: c } = net.net;
    const input = meta.input.stored ? f32File(join(dir, meta.input.file!)) : synthesizeInput(w, h, c);
    const weights = synthesizeWeights(net);
    const report: string[] = [];
    for (const mish of ['op', 'softplus', 'exp'] as const) {
      const ex = exportOnnx(net, weights, { batch: 1, mish });
      const out = compileOpenvino(ex.bytes, { precision: 'f32' }).run(input);
      let worst = 0;
      for (const head of ex.heads)
        worst = Math.max(worst, maxAbsDiff(yoloActivate(out[head.output], head), f32File(join(dir, `yolo_${head.layer}.f32`))));
      report.push(`${mish} ${worst.toExponential(2)}`);
      assert.ok(worst <= TOLERANCE, `mish ${mish}: max abs diff ${worst}`);
    }
    t.diagnostic(`max abs diff vs darknet: ${report.join(', ')}`);
  });
}
