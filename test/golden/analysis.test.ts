import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { CFG_DIR, GOLDEN_DIR, corpusCfgs, goldenNets, readLayersJson } from '../corpus';

const cases: [string, string, string][] = [
  ...corpusCfgs().map((c): [string, string, string] => [c, join(CFG_DIR, c), join(CFG_DIR, c.replace(/\.cfg$/, '.layers.json'))]),
  ...goldenNets().map((g): [string, string, string] => [
    `golden/${g}`,
    join(GOLDEN_DIR, g, `${g}.cfg`),
    join(GOLDEN_DIR, g, `${g}.layers.json`),
  ]),
];

for (const [name, cfgPath, jsonPath] of cases) {
  test(`analysis matches darknet: ${name}`, () => {
    const want = readLayersJson(jsonPath);
    const net = analyseText(readFileSync(cfgPath, 'utf8'));
    assert.equal(net.layers.length, want.layers.length, 'layer count');
    for (const w of want.layers) {
      const l = net.layers[w.index];
      const where = `layer ${w.index} (${w.type})`;
      assert.equal(l.type, w.type, `${where} type`);
      assert.deepEqual(l.output, w.out, `${where} output shape`);
      assert.equal(l.outputs, w.outputs, `${where} outputs`);
      assert.equal(l.weightFloats, w.weight_floats, `${where} weight floats`);
      assert.equal(l.bflops, Math.fround(w.bflops), `${where} bflops`);
      if (Array.isArray(w.input_layers))
        assert.deepEqual(
          l.refs.map((r) => r.target),
          w.input_layers,
          `${where} resolved inputs`,
        );
    }
    assert.equal(net.totals.weightFloats, want.weights_total_floats, 'total weight floats');
    assert.equal(net.totals.bflops.toFixed(3), want.total_bflops_float32_accumulated.toFixed(3), 'printed total BFLOPs');
    assert.equal(net.totals.bflops, Math.fround(want.total_bflops_float32_accumulated), 'float32 total BFLOPs');
    const errors = net.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], 'no errors on a darknet-accepted cfg');
  });
}

test('darknet.txt totals agree with the analysis', () => {
  for (const c of readdirSync(CFG_DIR).filter((f) => f.endsWith('.darknet.txt'))) {
    const txt = readFileSync(join(CFG_DIR, c), 'utf8');
    const total = /Total BFLOPS\s+([\d.]+)/.exec(txt)![1];
    const net = analyseText(readFileSync(join(CFG_DIR, c.replace('.darknet.txt', '.cfg')), 'utf8'));
    assert.equal(net.totals.bflops.toFixed(3), total, c);
  }
});
