// prune channel / prune layer / sweep end to end on corpus cfgs with synthesized weights, and every
// bad input: a clear error and nothing written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { parseWeights } from '../../core/src/weights/read';
import { CFG_DIR, readCfg, REPO } from '../corpus';
import { runMain } from '../cli/in-process';
import { tempDir } from '../tmp';

const work = tempDir('dp-prune-');

const cli = (...argv: string[]) => runMain(argv);

const weightsFor = (name: string, seed = 12345) => {
  const path = join(work, `${name}-${seed}.weights`);
  if (!existsSync(path)) {
    const net = analyseText(readCfg(name));
    writeFileSync(path, serializeWeights(net, synthesizeWeights(net, seed)));
  }
  return path;
};

/** The directory analyses without errors and its weights hold exactly the floats the cfg needs. */
function checkModelDir(dir: string) {
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 3, files.join(','));
  const cfg = files.find((f) => f.endsWith('.cfg'))!,
    wts = files.find((f) => f.endsWith('.weights'))!;
  const net = analyseText(readFileSync(join(dir, cfg), 'utf8'));
  assert.deepEqual(
    net.diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const bytes = readFileSync(join(dir, wts));
  assert.equal(bytes.byteLength, 20 + 4 * net.totals.weightFloats);
  parseWeights(bytes, net);
  const report = JSON.parse(readFileSync(join(dir, 'prune-report.json'), 'utf8'));
  assert.equal(report.totals.after.weightsBytes, bytes.byteLength);
  assert.equal(report.totals.after.params, net.totals.params);
  assert.equal(report.totals.after.bflops, Number(net.totals.bflops.toFixed(6)));
  return { net, report };
}

test('prune channel on yolov4-tiny: compact cfg keeps text, report lists kept channels, figures match', async () => {
  const w = weightsFor('yolov4-tiny.cfg');
  const out = join(work, 'v4t-slim');
  const r = await cli('prune', 'channel', join(CFG_DIR, 'yolov4-tiny.cfg'), w, '--global-percent', '0.7', '-o', out, '--json');
  assert.equal(r.code, 0, r.err);
  const { net, report } = checkModelDir(out);
  const data = JSON.parse(r.out);
  assert.equal(data.report.kind, 'channel');
  assert.equal(report.source.weightsSha256.length, 64);
  const st = report.stages[0];
  assert.equal(st.method, 'slim');
  assert.equal(st.population.gammas, 2528);
  assert.equal(st.thresholdIndex, Math.trunc(2528 * 0.7));
  for (const l of st.layers) {
    assert.equal(net.layers[l.index].attrs.filters, l.filtersAfter);
    if (l.kept) assert.equal(l.kept.length, l.filtersAfter);
  }
  for (const i of [2, 10, 18, 32])
    assert.equal(st.layers.find((l: { index: number }) => l.index === i).filtersAfter, net.layers[i].attrs.filters);
  // only filters= values change: the text has the same lines, anchors untouched
  const a = readCfg('yolov4-tiny.cfg').split('\n'),
    b = readFileSync(join(out, 'yolov4-tiny-pruned.cfg'), 'utf8').split('\n');
  assert.equal(a.length, b.length);
  a.forEach((line, k) => {
    if (line !== b[k]) assert.match(line, /^filters=/, `line ${k + 1}`);
  });
});

test('prune channel --then-shortcuts on yolov3, then prune layer on the directory', async () => {
  const w = weightsFor('yolov3.cfg');
  const out1 = join(work, 'v3-cl');
  const r1 = await cli(
    'prune',
    'channel',
    join(CFG_DIR, 'yolov3.cfg'),
    w,
    '-p',
    '0.85',
    '--layer-keep',
    '0.05',
    '--then-shortcuts',
    '4',
    '-o',
    out1,
  );
  assert.equal(r1.code, 0, r1.err);
  const m1 = checkModelDir(out1);
  assert.equal(m1.net.layers.length, 107 - 12);
  assert.equal(m1.report.kind, 'channel+layer');
  assert.equal(m1.report.removed.length, 12);
  const out2 = join(work, 'v3-cl-l');
  const r2 = await cli('prune', 'layer', out1, '--shortcuts', '3', '-o', out2);
  assert.equal(r2.code, 0, r2.err);
  const m2 = checkModelDir(out2);
  assert.equal(m2.net.layers.length, 107 - 21);
  assert.equal(m2.report.provenance.kind, 'channel+layer', 'the input directory report is carried along');
  assert.equal(m2.report.prunedToOriginal.length, m2.net.layers.length);
  // the two yolov3 neck routes still point at the same tensors (same shapes)
  for (const l of m2.net.layers.filter((x) => x.type === 'route')) assert.ok(l.output && l.output[2] > 0);
});

test('prune channel (shortcut and regular methods) and prune layer on yolov4 (full size)', async () => {
  const w = weightsFor('yolov4.cfg');
  for (const method of ['shortcut', 'regular']) {
    const out = join(work, `v4-${method}`);
    const r = await cli('prune', 'channel', join(CFG_DIR, 'yolov4.cfg'), w, '-p', '0.6', '--method', method, '-o', out);
    assert.equal(r.code, 0, r.err);
    const { report } = checkModelDir(out);
    assert.equal(report.stages[0].population.gammas, method === 'regular' ? 25920 : 26944);
  }
  const out = join(work, 'v4-layer');
  const r = await cli('prune', 'layer', join(CFG_DIR, 'yolov4.cfg'), w, '--shortcuts', '8', '-o', out, '--json');
  assert.equal(r.code, 0, r.err);
  const { net, report } = checkModelDir(out);
  assert.equal(net.layers.length, 162 - 24);
  assert.equal(report.stages[0].removedUnits.length, 8);
});

test('prune channel --json-events writes progress, artifacts and one result', () => {
  const w = weightsFor('yolov4-tiny.cfg');
  const out = join(work, 'v4t-events');
  const p = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'cli/main.ts'),
      'prune',
      'channel',
      join(CFG_DIR, 'yolov4-tiny.cfg'),
      w,
      '-p',
      '0.5',
      '-o',
      out,
      '--json-events',
    ],
    { encoding: 'utf8', cwd: REPO },
  );
  assert.equal(p.status, 0, p.stderr);
  const events = p.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(events.some((e) => e.type === 'progress'));
  assert.deepEqual(
    events.filter((e) => e.type === 'artifact').map((e) => e.kind),
    ['cfg', 'weights', 'report'],
  );
  assert.equal(events.filter((e) => e.type === 'result').length, 1);
  checkModelDir(out);
});

test('sweep: monotone figures, suggestion before the first emptied layer, totals equal the written model', async () => {
  const w = weightsFor('yolov4-tiny.cfg');
  const r = await cli('sweep', join(CFG_DIR, 'yolov4-tiny.cfg'), w, '--percents', '0.5:0.99:0.01', '--json');
  assert.equal(r.code, 0, r.err);
  const data = JSON.parse(r.out);
  assert.equal(data.points.length, 50);
  assert.equal(data.points[20].percent, 0.7);
  for (let k = 1; k < data.points.length; k++) assert.ok(data.points[k].params <= data.points[k - 1].params);
  const firstEmpty = data.points.findIndex((p: { emptied: number[] }) => p.emptied.length > 0);
  assert.ok(firstEmpty > 0, 'uniform synthetic γ empty a layer only near the top');
  assert.equal(data.suggested.index, firstEmpty - 1);
  const v4tDir = join(work, 'v4t-slim'); // from the first test, p = 0.7
  const written = JSON.parse(readFileSync(join(v4tDir, 'prune-report.json'), 'utf8'));
  assert.equal(data.points[20].params, written.totals.after.params);
  assert.equal(data.points[20].weightsBytes, written.totals.after.weightsBytes);
});

test('bad inputs give a clear error and write nothing', async () => {
  const cfg = join(CFG_DIR, 'yolov4-tiny.cfg');
  const good = readFileSync(weightsFor('yolov4-tiny.cfg'));
  const bad = (name: string, data: Uint8Array) => {
    const p = join(work, name);
    writeFileSync(p, data);
    return p;
  };
  const wrongHeader = new Uint8Array(good);
  new DataView(wrongHeader.buffer).setInt32(0, -5, true);
  const cases: [string[], RegExp][] = [
    [['prune', 'channel', cfg, bad('trunc.weights', good.subarray(0, good.byteLength - 400)), '-p', '0.5'], /weights end inside layer 36/],
    [
      [
        'prune',
        'channel',
        cfg,
        bad('big.weights', new Uint8Array([...good.subarray(0, 1000), ...good.subarray(1000), 0, 0, 0, 0])),
        '-p',
        '0.5',
      ],
      /1 extra floats/,
    ],
    [['prune', 'channel', cfg, bad('header.weights', wrongHeader), '-p', '0.5'], /not a Darknet \.weights file/],
    [
      ['prune', 'channel', join(CFG_DIR, 'yolov3-tiny.cfg'), weightsFor('yolov4-tiny.cfg'), '-p', '0.5'],
      /yolov4-tiny.*floats|floats.*cfg needs/,
    ],
    [['prune', 'channel', cfg, weightsFor('yolov4-tiny.cfg'), '-p', '1'], /must be < 1/],
    [['prune', 'channel', cfg, weightsFor('yolov4-tiny.cfg'), '-p', '-0.2'], /must be ≥ 0/],
    [['prune', 'channel', cfg, weightsFor('yolov4-tiny.cfg')], /missing --global-percent/],
    [
      ['prune', 'channel', cfg, weightsFor('yolov4-tiny.cfg'), '-p', '0.5', '--method', 'fast'],
      /--method: expected one of slim, shortcut, regular, got "fast"/,
    ],
    [['prune', 'channel', cfg, weightsFor('yolov4-tiny.cfg'), '-p', '0.5', '--method', 'regular', '--layer-keep', '0.1'], /slim only/],
    [['prune', 'layer', cfg, weightsFor('yolov4-tiny.cfg'), '--shortcuts', '1'], /larger than the 0 removable/],
    [['prune', 'layer', join(CFG_DIR, 'yolov3.cfg'), weightsFor('yolov3.cfg'), '--shortcuts', '24'], /24 is larger than the 23 removable/],
    [['prune', 'channel', join(work, 'nope.cfg'), weightsFor('yolov4-tiny.cfg'), '-p', '0.5'], /nope\.cfg: no such file/],
    [['sweep', cfg, weightsFor('yolov4-tiny.cfg'), '--percents', '0.5:1.2:0.1'], /end < 1/],
  ];
  for (const [k, [argv, re]] of cases.entries()) {
    const out = join(work, `bad-${k}`);
    const args = argv[0] === 'sweep' ? argv : [...argv, '-o', out];
    const r = await cli(...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.doesNotMatch(r.err, /internal error|at .*\.ts:\d+/);
    assert.equal(existsSync(out), false, `nothing written for ${args.join(' ')}`);
  }
  assert.deepEqual(
    readdirSync(work).filter((f) => f.includes('.tmp-')),
    [],
    'no temporaries left',
  );
});

test('output directory: never an input, never over existing content', async () => {
  const w = weightsFor('yolov4-tiny.cfg');
  const cfg = join(CFG_DIR, 'yolov4-tiny.cfg');
  const r1 = await cli('prune', 'channel', cfg, w, '-p', '0.5', '-o', work);
  assert.match(r1.err, /would overwrite or contain the input/);
  const r2 = await cli('prune', 'channel', cfg, w, '-p', '0.5', '-o', w);
  assert.match(r2.err, /would overwrite or contain the input|is the input file/);
  const r3 = await cli('prune', 'layer', join(work, 'v4t-slim'), '--shortcuts', '0', '-o', join(work, 'v4t-slim'));
  assert.match(r3.err, /would overwrite or contain the input/);
  const r4 = await cli('prune', 'channel', cfg, w, '-p', '0.5', '-o', join(work, 'missing-parent', 'x'));
  assert.match(r4.err, /parent directory .* does not exist/);
  const before = readFileSync(w);
  assert.equal(Buffer.compare(before, readFileSync(w)), 0);
});
