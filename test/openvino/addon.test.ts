// The openvino-node API as the product uses it, on whichever addon is installed (ours from
// native/openvino, or the official one): tensors sharing a typed array's memory, models from ONNX
// bytes and files, reshape, compile properties read back, infer / inferAsync, AsyncInferQueue's
// callback and promise, saveModelSync round trip, and errors as JS exceptions (never a crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../../core/src/weights/synth';
import { exportOnnx } from '../../core/src/export/onnx';
import { createAsyncInferQueue, loadOpenvino, type OvTensor } from '../../core/src/openvino/api';
import { readCfg } from '../corpus';
import { openvinoMissing } from './available';

const skip = openvinoMissing();

function tinyOnnx(dynamicBatch: boolean): { bytes: Uint8Array; input: Float32Array; outputs: string[] } {
  const net = analyseText(readCfg('yolov3-tiny.cfg'), { width: 64, height: 64 });
  const ex = exportOnnx(net, synthesizeWeights(net), dynamicBatch ? {} : { batch: 1 });
  return { bytes: ex.bytes, input: synthesizeInput(64, 64, 3), outputs: ex.outputs.map((o) => o.name) };
}

const copy = (r: Record<string, OvTensor>) =>
  Object.fromEntries(Object.entries(r).map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)]));

test('models, tensors, infer and inferAsync agree; properties read back', { skip }, async () => {
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  assert.ok(core.getAvailableDevices().includes('CPU'));
  const onnx = tinyOnnx(true);
  const model = core.readModelSync(onnx.bytes);
  assert.deepEqual(
    model.inputs.map((p) => p.anyName),
    ['input'],
  );
  assert.deepEqual(model.outputs.map((p) => p.anyName).sort(), [...onnx.outputs].sort());
  assert.equal(model.inputs[0].getPartialShape().isStatic(), false);
  model.reshape('[1,3,64,64]');
  assert.equal(model.inputs[0].getPartialShape().toString(), '[1,3,64,64]');
  const cm = core.compileModelSync(model, 'CPU', { INFERENCE_PRECISION_HINT: 'f32', PERFORMANCE_HINT: 'LATENCY' });
  assert.equal(cm.getProperty('INFERENCE_PRECISION_HINT'), 'f32');
  assert.equal(cm.getProperty('PERFORMANCE_HINT'), 'LATENCY');

  const data = Float32Array.from(onnx.input);
  const tensor = new ov.Tensor('f32', [1, 3, 64, 64], data);
  data[0] = 0.25;
  assert.equal((tensor.data as Float32Array)[0], 0.25, 'the tensor shares the typed array');
  const req = cm.createInferRequest();
  const sync = copy(req.infer({ input: tensor }));
  const other = cm.createInferRequest();
  const [a, b] = await Promise.all([req.inferAsync({ input: tensor }), other.inferAsync([tensor])]);
  for (const name of onnx.outputs) {
    assert.deepEqual(Float32Array.from(a[name].data as Float32Array), sync[name]);
    assert.deepEqual(Float32Array.from(b[name].data as Float32Array), sync[name]);
  }
});

test('AsyncInferQueue: callback (null, request, userData), promise resolves userData, release refuses more', { skip }, async () => {
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  const onnx = tinyOnnx(false);
  const cm = core.compileModelSync(core.readModelSync(onnx.bytes), 'CPU', { INFERENCE_PRECISION_HINT: 'f32' });
  const want = copy(cm.createInferRequest().infer({ input: new ov.Tensor('f32', [1, 3, 64, 64], onnx.input) }))[onnx.outputs[0]];
  const queue = createAsyncInferQueue(ov, cm, 2);
  const seen: number[] = [];
  queue.setCallback((err, request, userData) => {
    assert.equal(err, null);
    const got = Float32Array.from(request.getTensor(onnx.outputs[0]).data as Float32Array);
    assert.deepEqual(got, want);
    seen.push((userData as { k: number }).k);
  });
  const input = { input: new ov.Tensor('f32', [1, 3, 64, 64], onnx.input) };
  const done = await Promise.all([0, 1, 2, 3, 4].map((k) => queue.startAsync(input, { k })));
  assert.deepEqual(
    done.map((d) => (d as { k: number }).k),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
  queue.release();
  assert.throws(() => queue.startAsync(input, { k: 5 }), /released/);
});

test('saveModelSync round trip (f32 and f16 weights); errors are JS exceptions', { skip }, () => {
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  const onnx = tinyOnnx(false);
  const dir = mkdtempSync(join(tmpdir(), 'ov-addon-'));
  try {
    const model = core.readModelSync(onnx.bytes);
    ov.saveModelSync(model, join(dir, 'm.xml'), false);
    ov.saveModelSync(model, join(dir, 'h.xml'), true);
    const run = (m: Parameters<typeof core.compileModelSync>[0]) =>
      copy(
        core
          .compileModelSync(m, 'CPU', { INFERENCE_PRECISION_HINT: 'f32' })
          .createInferRequest()
          .infer({ input: new ov.Tensor('f32', [1, 3, 64, 64], onnx.input) }),
      );
    const ref = run(model),
      ir = run(core.readModelSync(join(dir, 'm.xml'))),
      half = run(core.readModelSync(join(dir, 'h.xml'), join(dir, 'h.bin')));
    for (const name of onnx.outputs) {
      assert.deepEqual(ir[name], ref[name]);
      assert.ok(
        half[name].every((v, i) => Math.abs(v - ref[name][i]) < 0.05),
        'f16 weights stay close',
      );
    }

    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    assert.throws(() => core.readModelSync(join(dir, 'missing.xml')), Error);
    assert.throws(() => core.readModelSync(join(dir, 'bad.onnx')), Error);
    const req = core.compileModelSync(model, 'CPU', {}).createInferRequest();
    assert.throws(() => req.infer({ nope: new ov.Tensor('f32', [1, 3, 64, 64], onnx.input) }), Error);
    assert.throws(() => req.infer({ input: new Float32Array(5) }), Error);
    assert.throws(() => core.compileModelSync(model, 'NO_SUCH_DEVICE', {}), Error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
