// `darknet-pruner export openvino`: the IR, its .bin and the heads side file in the output directory
// (created when missing), heads named and shaped as in the ONNX export; --fp16 halves the .bin;
// existing outputs are kept without --force; no temporaries are left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { exportOnnx } from '../../core/src/export/onnx';
import { CFG_DIR } from '../corpus';
import { openvinoMissing } from './available';
import { runMain as cli } from '../cli/in-process';

test("export openvino writes .xml, .bin and .heads.json with the ONNX export's heads", { skip: openvinoMissing() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'export-ov-'));
  try {
    const cfgText = readFileSync(join(CFG_DIR, 'yolov4-tiny.cfg'), 'utf8');
    const cfg = join(dir, 'yolov4-tiny.cfg'),
      weights = join(dir, 'yolov4-tiny.weights');
    writeFileSync(cfg, cfgText);
    const net = analyseText(cfgText, { width: 320, height: 256 });
    writeFileSync(weights, serializeWeights(net, synthesizeWeights(net)));
    const out = join(dir, 'ir');
    const r = await cli(['export', 'openvino', cfg, weights, '-o', out, '--input-size', '320x256', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(readdirSync(out).sort(), ['yolov4-tiny.bin', 'yolov4-tiny.heads.json', 'yolov4-tiny.xml']);
    const side = JSON.parse(readFileSync(join(out, 'yolov4-tiny.heads.json'), 'utf8'));
    const onnx = exportOnnx(net, synthesizeWeights(net), { batch: 1 });
    assert.deepEqual(side.heads, onnx.heads);
    assert.deepEqual(side.outputs, onnx.outputs);
    assert.deepEqual(side.input.shape, [1, 3, 256, 320]);
    assert.equal(side.weights, 'f32');
    const f32Bin = statSync(join(out, 'yolov4-tiny.bin')).size;

    const again = await cli(['export', 'openvino', cfg, weights, '-o', out, '--input-size', '320x256']);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists; pass --force/);
    assert.doesNotMatch(again.err, /\n\s+at /, 'a stack trace');

    const half = await cli(['export', 'openvino', cfg, weights, '-o', out, '--input-size', '320x256', '--fp16', '--force']);
    assert.equal(half.code, 0, half.err);
    const f16Bin = statSync(join(out, 'yolov4-tiny.bin')).size;
    assert.ok(f16Bin < 0.55 * f32Bin, `--fp16 .bin ${f16Bin} vs f32 ${f32Bin}`);
    assert.equal(JSON.parse(readFileSync(join(out, 'yolov4-tiny.heads.json'), 'utf8')).weights, 'f16');
    assert.deepEqual(
      readdirSync(out).filter((n) => n.startsWith('.')),
      [],
      'temporaries left behind',
    );

    const bad = await cli(['export', 'openvino', cfg, weights, '-o', join(dir, 'ir2'), '--input-size', '320']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--input-size must be WxH/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
