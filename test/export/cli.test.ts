// `darknet-pruner export onnx`: writes a loadable model atomically, reports inputs/outputs, and turns
// bad input into located errors.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { createOrtSession } from '../../core/src/export/ort';
import { CFG_DIR } from '../corpus';
import { runMain } from '../cli/in-process';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'dp-export-'));
  dirs.push(d);
  return d;
};

const cli = (...argv: string[]) => runMain(argv);

function weightsFor(cfgText: string, dir: string): string {
  const net = analyseText(cfgText);
  const file = join(dir, 'm.weights');
  writeFileSync(file, serializeWeights(net, synthesizeWeights(net)));
  return file;
}

test('export onnx yolov3-tiny: --json describes the model; --decode --batch 1 --opset 13 runs in onnxruntime', async () => {
  const dir = tempDir();
  const cfg = join(CFG_DIR, 'yolov3-tiny.cfg');
  const w = join(dir, 'y3t.weights');
  assert.equal((await cli('weights', 'synth', cfg, '-o', w)).code, 0);
  const r = await cli('export', 'onnx', cfg, w, '-o', join(dir, 'a.onnx'), '--json', '--width', '160', '--height', '160');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.input, { name: 'input', shape: [-1, 3, 160, 160] });
  assert.deepEqual(
    j.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]),
    [
      ['head_16', [-1, 255, 5, 5]],
      ['head_23', [-1, 255, 10, 10]],
    ],
  );
  assert.equal(j.opset, 18);
  const d = await cli('export', 'onnx', cfg, w, '-o', join(dir, 'b.onnx'), '--decode', '--batch', '1', '--opset', '13');
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /output boxes \[1, 2535, 4\]/);
  const s = await createOrtSession(join(dir, 'b.onnx'));
  assert.deepEqual([...s.outputNames], ['boxes', 'objectness', 'class_probs']);
  await s.release();
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp')),
    [],
  );
});

test('export errors: unsupported layer with cfg and line, bad options, wrong weights, unknown format', async () => {
  const dir = tempDir();
  const text =
    '[net]\nwidth=8\nheight=8\nchannels=3\n\n[convolutional]\nfilters=4\nsize=1\n\n[local]\nfilters=6\nsize=1\n\n[yolo]\nclasses=1\nnum=1\nmask=0\nanchors=1,1\n';
  const cfg = join(dir, 'bad.cfg');
  writeFileSync(cfg, text);
  const w = weightsFor(text, dir);
  let r = await cli('export', 'onnx', cfg, w, '-o', join(dir, 'x.onnx'));
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.cfg: layer 1 \[local\] \(line 10\): layer type \[local\] cannot be expressed in the ONNX export/);
  assert.equal(existsSync(join(dir, 'x.onnx')), false);
  r = await cli('export', 'onnx', join(CFG_DIR, 'yolov3-tiny.cfg'), w, '-o', join(dir, 'x.onnx'));
  assert.equal(r.code, 1);
  assert.match(r.err, /m\.weights: weights end inside layer 2 \(convolutional, 32 filters\)/);
  r = await cli('export', 'onnx', cfg, w, '-o', join(dir, 'x.onnx'), '--opset', '11');
  assert.equal(r.code, 2);
  assert.match(r.err, /--opset must be ≥ 13/);
  r = await cli('export', 'onnx', cfg, w, '--mish', 'fast', '-o', 'x');
  assert.match(r.err, /--mish: expected one of op, softplus, exp, got "/);
  r = await cli('export', 'onnx', cfg, w);
  assert.match(r.err, /missing -o <model\.onnx>/);
  r = await cli('export', 'tflite', cfg, w);
  assert.match(r.err, /unknown export format "tflite"/);
});
