// `bench --runtime onnxruntime` on a cfg and on an .onnx file: latencies kept, settings reported,
// the .onnx's symbolic batch taken as 1. (OpenVINO's bench: test/openvino/bench-cli.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../cli/main';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { exportOnnx } from '../../core/src/export/onnx';
import type { BenchReport } from '../../core/src/bench/report';
import { CFG_DIR } from '../corpus';

test('bench --runtime onnxruntime measures a cfg and an .onnx', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ort-'));
  try {
    const text = readFileSync(join(CFG_DIR, 'yolov3-tiny.cfg'), 'utf8')
      .replace(/^width=\d+/m, 'width=96')
      .replace(/^height=\d+/m, 'height=96');
    writeFileSync(join(dir, 't.cfg'), text);
    const net = analyseText(text);
    const w = synthesizeWeights(net);
    writeFileSync(join(dir, 't.weights'), serializeWeights(net, w));
    writeFileSync(join(dir, 't.onnx'), exportOnnx(net, w).bytes);
    const out: string[] = [],
      err: string[] = [];
    const code = await main(
      ['bench', join(dir, 't.cfg'), join(dir, 't.onnx'), '--runtime', 'onnxruntime', '--iterations', '3', '--warmup', '1', '--json'],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
    );
    assert.equal(code, 0, err.join('\n'));
    const rep = JSON.parse(out.join('\n')) as BenchReport;
    assert.deepEqual(
      rep.models.map((m) => [m.kind, m.latenciesMs.length, m.inputShape.join('x')]),
      [
        ['darknet', 3, '1x3x96x96'],
        ['onnx', 3, '1x3x96x96'],
      ],
    );
    assert.equal(rep.models[0].settings.precision, 'f32');
    assert.equal(rep.ratios[1].bflops, null, 'an .onnx has no cfg to count BFLOPs from');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
