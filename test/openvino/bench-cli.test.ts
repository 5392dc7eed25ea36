// `darknet-pruner bench` on OpenVINO: every iteration's latency kept, settings read back from the
// compiled model, several models with ratios, throughput mode with its infer requests all in flight
// at once (not serialized), benchmark_app as a reference; wrong arguments give one-line errors.
// No timing assertions: speed is bench/openvino.ts's business.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import type { BenchReport } from '../../core/src/bench/report';
import { openvinoVenv } from '../../core/src/openvino/venv';
import { CFG_DIR } from '../corpus';
import { openvinoMissing } from './available';
import { runMain as cli } from '../cli/in-process';

const skip = openvinoMissing();
let dir = '';
let cfg = '';

test.before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const text = readFileSync(join(CFG_DIR, 'yolov4-tiny.cfg'), 'utf8')
    .replace(/^width=\d+/m, 'width=128')
    .replace(/^height=\d+/m, 'height=128');
  cfg = join(dir, 'tiny.cfg');
  writeFileSync(cfg, text);
  const net = analyseText(text);
  writeFileSync(join(dir, 'tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
});
test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('latency mode: two models interleaved, every latency kept, f32 read back, ratios', { skip }, async () => {
  const ir = join(dir, 'ir');
  assert.equal((await cli(['export', 'openvino', cfg, join(dir, 'tiny.weights'), '-o', ir])).code, 0);
  const r = await cli(['bench', cfg, join(ir, 'tiny.xml'), '--iterations', '5', '--warmup', '1', '--precision', 'f32', '--json']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as BenchReport;
  assert.equal(rep.models.length, 2);
  for (const m of rep.models) {
    assert.equal(m.latenciesMs.length, 5);
    assert.equal(m.latency.iterations, 5);
    assert.ok(m.latency.minMs <= m.latency.medianMs && m.latency.medianMs <= m.latency.p90Ms && m.latency.p90Ms <= m.latency.p99Ms);
    assert.equal(m.settings.precision, 'f32');
    assert.equal(m.settings.requests, 1);
    assert.equal(m.maxInFlight, 1);
    assert.ok(m.fps > 0);
  }
  assert.equal(rep.models[1].kind, 'ir');
  assert.ok(Math.abs(rep.ratios[1].bflops! - 1) < 1e-9, 'the IR of the same cfg has its BFLOPs (through .heads.json)');
  assert.ok(rep.machine.logicalCpus >= 1 && rep.machine.cpu.length > 0);
  assert.match(rep.openvino!.version, /^2026\./);
});

test('throughput mode keeps all its infer requests in flight at once', { skip }, async () => {
  const r = await cli(['bench', cfg, '--hint', 'throughput', '--iterations', '6', '--rounds', '1', '--warmup', '1', '--json']);
  assert.equal(r.code, 0, r.err);
  const m = (JSON.parse(r.out) as BenchReport).models[0];
  assert.equal(m.settings.hint, 'THROUGHPUT');
  assert.ok(Number(m.settings.requests) >= 1);
  assert.equal(
    m.maxInFlight,
    Math.min(Number(m.settings.requests), 6),
    `requests ${m.settings.requests}, at most ${m.maxInFlight} in flight`,
  );
  assert.equal(m.completed, 6);
});

test('--mosaic measures the 2×-size network and counts four frames per inference', { skip }, async () => {
  const r = await cli(['bench', cfg, '--mosaic', '--iterations', '2', '--warmup', '1', '--json']);
  assert.equal(r.code, 0, r.err);
  const rep = JSON.parse(r.out) as BenchReport;
  assert.equal(rep.framesPerInference, 4);
  assert.deepEqual(rep.models[0].inputShape, [1, 3, 256, 256]);
  assert.equal(rep.models[0].framesPerSecond, 4 * rep.models[0].fps);
});

test(
  '--reference benchmark_app measures the same model next to ours',
  { skip: skip ?? (openvinoVenv() ? undefined : 'no benchmark_app venv; enable with: npm run setup:openvino') },
  async () => {
    const r = await cli(['bench', cfg, '--iterations', '2', '--rounds', '1', '--warmup', '1', '--reference', 'benchmark_app', '--json']);
    assert.equal(r.code, 0, r.err);
    const ref = (JSON.parse(r.out) as BenchReport).models[0].reference!;
    assert.ok(!('error' in ref), JSON.stringify(ref));
    assert.ok(ref.iterations >= 2 && ref.medianMs > 0 && ref.fps > 0);
    assert.match(ref.command, /-hint latency -shape input\[1,3,128,128\]/);
  },
);

test('wrong arguments give one-line errors', { skip }, async () => {
  const cases: [string[], RegExp][] = [
    [['bench', cfg, '--runtime', 'tvm'], /--runtime: expected one of tfjs, onnxruntime, openvino, got "tvm"/],
    [['bench', cfg, '--time', '1', '--iterations', '2'], /--time or --iterations, not both/],
    [['bench', cfg, '--runtime', 'onnxruntime', '--hint', 'throughput'], /throughput .* --runtime openvino only/],
    [['bench', cfg, '--runtime', 'onnxruntime', '--reference', 'benchmark_app'], /compares against --runtime openvino/],
    [['bench', join(dir, 'tiny.weights')], /goes after its \.cfg/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.split('\n').length, 1, r.err);
  }
});
