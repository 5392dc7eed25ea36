// Acceptance: the ONNX export, run in onnxruntime-node on the golden input, gives heads that after
// darknet's in-layer activation (applied here in JS) equal darknet's yolo_<i>.f32 within 2e-4 for all
// six goldens; the --decode graph equals darknet's box decoding (nn/decode.ts) of those golden outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { exportOnnx } from '../../core/src/export/onnx';
import { createOrtSession } from '../../core/src/export/ort';
import { decodeHead } from '../../core/src/nn/decode';
import { GOLDEN_DIR, goldenNets } from '../corpus';
import { f32File, maxAbsDiff, yoloActivate } from './helpers';

const TOLERANCE = 2e-4;
/** Decoded boxes: relative error (exp(tw) amplifies the ≤ 2e-4 head differences). */
const DECODE_REL = 2e-4;

for (const g of goldenNets()) {
  test(`golden ${g}: ONNX heads after darknet's activation within ${TOLERANCE} of darknet; --decode matches`, async (t) => {
    const dir = join(GOLDEN_DIR, g);
    const net = analyseText(readFileSync(join(dir, `${g}.cfg`), 'utf8'));
    const meta = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { input: { stored: boolean; file: string | null } };
    const { width: w, height: h, channels: c } = net.net;
    const input = meta.input.stored ? f32File(join(dir, meta.input.file!)) : synthesizeInput(w, h, c);
    const weights = synthesizeWeights(net);
    const report: string[] = [];
    const goldens = new Map<number, Float32Array>();

    const raw = exportOnnx(net, weights);
    let s = await createOrtSession(raw.bytes);
    let out = await s.run(input, [1, c, h, w]);
    await s.release();
    assert.equal(raw.heads.length, Object.keys(out).length);
    for (const head of raw.heads) {
      const want = f32File(join(dir, `yolo_${head.layer}.f32`));
      goldens.set(head.layer, want);
      const got = yoloActivate(out[head.output].data, head);
      const diff = maxAbsDiff(got, want);
      report.push(`yolo_${head.layer} ${diff.toExponential(2)}`);
      assert.ok(diff <= TOLERANCE, `yolo_${head.layer}: max abs diff ${diff} > ${TOLERANCE}`);
    }

    const dec = exportOnnx(net, weights, { decode: true });
    s = await createOrtSession(dec.bytes);
    out = await s.run(input, [1, c, h, w]);
    await s.release();
    const boxes = out.boxes.data,
      obj = out.objectness.data,
      cls = out.class_probs.data;
    const classes = dec.heads[0].classes;
    let offset = 0,
      worst = 0;
    for (const head of dec.heads) {
      const l = net.layers[head.layer];
      const hw = head.grid[0] * head.grid[1];
      const dets = decodeHead(l, goldens.get(head.layer)!, { netW: w, netH: h, imageW: w, imageH: h, letterbox: false, thresh: -Infinity });
      assert.equal(dets.length, hw * head.mask.length);
      dets.forEach((d, j) => {
        // decodeHead walks cells, then anchors; the graph walks anchors, then cells.
        const cell = Math.floor(j / head.mask.length),
          a = j % head.mask.length;
        const k = offset + a * hw + cell;
        const pairs: [number, number][] = [
          [boxes[4 * k], d.bbox.x],
          [boxes[4 * k + 1], d.bbox.y],
          [boxes[4 * k + 2], d.bbox.w],
          [boxes[4 * k + 3], d.bbox.h],
          [obj[k], d.objectness],
          ...Array.from(d.prob, (p, q): [number, number] => [obj[k] * cls[k * classes + q], p]),
        ];
        for (const [got, want] of pairs) worst = Math.max(worst, Math.abs(got - want) / Math.max(1, Math.abs(want)));
      });
      offset += hw * head.mask.length;
    }
    assert.equal(obj.length, offset);
    report.push(`decode rel ${worst.toExponential(2)}`);
    assert.ok(worst <= DECODE_REL, `decoded outputs differ from darknet's decode of the golden by ${worst} (relative)`);
    t.diagnostic(`onnxruntime-node, opset ${raw.opset}: max abs diff ${report.join(', ')}`);
  });
}
