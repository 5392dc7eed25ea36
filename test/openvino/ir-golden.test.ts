// Acceptance: on the six golden nets, the OpenVINO IR written by `export openvino` and the ONNX
// export, both compiled by OpenVINO on the CPU at f32 (INFERENCE_PRECISION_HINT=f32), give heads that
// after darknet's in-layer activation equal darknet's yolo_<i>.f32 within 2e-4. The IR with f16
// weights (--fp16) stays within FP16_TOLERANCE (measured: see docs/openvino.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { exportOnnx } from '../../core/src/export/onnx';
import { exportOpenvinoIr } from '../../core/src/openvino/ir-export';
import { compileOpenvino } from '../../core/src/openvino/runtime';
import { GOLDEN_DIR, goldenNets } from '../corpus';
import { f32File, maxAbsDiff, yoloActivate } from '../export/helpers';
import { openvinoMissing } from './available';

const TOLERANCE = 2e-4;
/** f16 weights (f32 compute): measured worst 8.5e-3 (yolov3-spp-128), others 2.5e-5…2.1e-4 (docs/openvino.md). */
const FP16_TOLERANCE = 2e-2;

const skip = openvinoMissing();

for (const g of goldenNets()) {
  test(
    `golden ${g}: OpenVINO f32 on the IR and on the ONNX within ${TOLERANCE} of darknet; f16-weight IR within ${FP16_TOLERANCE}`,
    { skip },
    (t) => {
      const dir = join(GOLDEN_DIR, g);
      const net = analyseText(readFileSync(join(dir, `${g}.cfg`), 'utf8'));
      const meta = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input: { stored: boolean; file: string | null } };
      const { width: w, height: h, channels: c } = net.net;
      const input = meta.input.stored ? f32File(join(dir, meta.input.file!)) : synthesizeInput(w, h, c);
      const weights = synthesizeWeights(net);
      const tmp = mkdtempSync(join(tmpdir(), 'ir-golden-'));
      const report: string[] = [];
      try {
        const ir = exportOpenvinoIr(net, weights);
        ir.save(join(tmp, 'f32.xml'));
        exportOpenvinoIr(net, weights, { fp16: true }).save(join(tmp, 'f16.xml'));
        const onnx = exportOnnx(net, weights, { batch: 1 });
        const runs = {
          ir: compileOpenvino(join(tmp, 'f32.xml'), { precision: 'f32' }),
          onnx: compileOpenvino(onnx.bytes, { precision: 'f32' }),
          fp16: compileOpenvino(join(tmp, 'f16.xml'), { precision: 'f32' }),
        };
        for (const [kind, runner] of Object.entries(runs)) {
          assert.equal(runner.settings.precision, 'f32', `${kind}: compiled at ${runner.settings.precision}`);
          const out = runner.run(input);
          let worst = 0;
          for (const head of ir.heads) {
            const got = yoloActivate(out[head.output], head);
            worst = Math.max(worst, maxAbsDiff(got, f32File(join(dir, `yolo_${head.layer}.f32`))));
          }
          report.push(`${kind} ${worst.toExponential(2)}`);
          assert.ok(worst <= (kind === 'fp16' ? FP16_TOLERANCE : TOLERANCE), `${kind}: max abs diff ${worst}`);
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      t.diagnostic(`OpenVINO CPU f32, max abs diff vs darknet: ${report.join(', ')}`);
    },
  );
}
