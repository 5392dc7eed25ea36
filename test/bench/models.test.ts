// How `bench` takes its models: a .cfg with the .weights after it or beside it, a pruned-model
// folder, an .onnx, an IR .xml (+ .bin, totals through its .heads.json); wrong ones named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { resolveModels } from '../../core/src/bench/models';
import { CFG_DIR } from '../corpus';

test('model arguments resolve to darknet / onnx / ir specs with BFLOPs where a cfg is known', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-models-'));
  try {
    const cfgText = readFileSync(join(CFG_DIR, 'yolov4-tiny.cfg'), 'utf8');
    const put = (p: string, t: string | Buffer = '') => {
      writeFileSync(join(dir, p), t);
      return join(dir, p);
    };
    const cfg = put('a.cfg', cfgText),
      w = put('a.weights');
    const other = put('other.weights');
    mkdirSync(join(dir, 'pruned'));
    put('pruned/a-pruned.cfg', cfgText);
    put('pruned/a-pruned.weights');
    put('pruned/prune-report.json', '{}');
    const onnx = put('m.onnx');
    mkdirSync(join(dir, 'ir'));
    const xml = put('ir/a.xml');
    put('ir/a.bin');
    put('ir/a.heads.json', JSON.stringify({ source: { cfg: '../a.cfg' }, input: { shape: [1, 3, 256, 320] } }));

    const specs = resolveModels([cfg, cfg, other, join(dir, 'pruned'), onnx, xml]);
    assert.deepEqual(
      specs.map((s) => [s.kind, s.label]),
      [
        ['darknet', 'a#1'],
        ['darknet', 'a#2'],
        ['darknet', 'pruned'],
        ['onnx', 'm.onnx'],
        ['ir', 'a.xml'],
      ],
    );
    assert.equal(specs[0].weights, w, 'NAME.weights beside the cfg');
    assert.equal(specs[1].weights, other, 'the .weights given after the cfg');
    assert.ok(Math.abs(specs[0].bflops! - 6.91) < 0.01);
    assert.ok(specs[4].bflops! < specs[0].bflops!, 'the IR totals are those of its 320×256 input');
    assert.equal(specs[3].bflops, undefined);

    assert.throws(() => resolveModels([w]), /goes after its \.cfg/);
    assert.throws(() => resolveModels([join(dir, 'nope.onnx')]), /no such file/);
    rmSync(join(dir, 'ir', 'a.bin'));
    assert.throws(() => resolveModels([xml]), /a\.bin are missing/);
    rmSync(w);
    assert.throws(() => resolveModels([cfg]), /give its \.weights after it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
