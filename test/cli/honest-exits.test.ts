// Exit codes and messages that tell the truth: `info` fails where `check` does, a BOM is one named
// diagnostic, swapped arguments are recognised, a refusal says why, numbers are read one strict
// way, and `forward` on a classifier writes its output. The real CLI bundle on real files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CFG_DIR } from '../corpus';
import { runCli, type CliResult } from './run';

const NET = '[net]\nwidth=32\nheight=32\nchannels=3\n\n';
const conv = (filters: number, size: number, activation: string, extra = '') =>
  `[convolutional]\nbatch_normalize=1\nfilters=${filters}\nsize=${size}\nstride=1\npad=1\nactivation=${activation}\n${extra}\n`;
const HEAD =
  '[convolutional]\nfilters=18\nsize=1\nstride=1\nactivation=linear\n\n[yolo]\nmask=0,1,2\nanchors=10,13, 16,30, 33,23\nclasses=1\nnum=3\n';
/** Yolo-Fastest's residual unit: 1×1, depthwise 3×3, linear 1×1, [dropout], [shortcut]. */
const FASTEST_UNIT =
  conv(8, 1, 'leaky') +
  conv(8, 3, 'leaky', 'groups=8') +
  conv(8, 1, 'linear') +
  '[dropout]\nprobability=.15\n\n[shortcut]\nfrom=-5\nactivation=linear\n\n';
const CLASSIFIER =
  '[net]\nwidth=16\nheight=16\nchannels=3\n\n' +
  conv(8, 3, 'leaky') +
  '[maxpool]\nsize=2\nstride=2\n\n' +
  '[convolutional]\nfilters=10\nsize=1\nstride=1\nactivation=linear\n\n[avgpool]\n\n[softmax]\ngroups=1\n\n[cost]\ntype=sse\n';

let dir = '';
const at = (...p: string[]) => join(dir, ...p);
const cli = (...args: string[]): CliResult => runCli(args, dir);
const V4T = join(CFG_DIR, 'yolov4-tiny.cfg');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-honest-'));
  writeFileSync(at('m.cfg'), NET + conv(8, 3, 'leaky') + HEAD);
  assert.equal(cli('weights', 'synth', 'm.cfg', '-o', 'm.weights').code, 0);
  writeFileSync(at('empty.cfg'), '');
  writeFileSync(at('bom.cfg'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(V4T)]));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('info exits 1 on the errors check reports, printed as check prints them', () => {
  const empty = cli('info', 'empty.cfg');
  assert.equal(empty.code, 1);
  assert.match(empty.err, /^darknet-pruner: empty\.cfg:1:1: error no-sections /m);

  const info = cli('info', V4T, '--width', '417');
  const check = cli('check', V4T, '--width', '417');
  assert.equal(info.code, 1);
  assert.equal(check.code, 1);
  const mismatch = check.out.split('\n').find((l) => l.includes('route-size-mismatch'));
  assert.match(mismatch!, /error route-size-mismatch Route input layer 23 is 27×26, but layer 33 is 28×26/);
  assert.ok(info.err.split('\n').includes(`darknet-pruner: ${mismatch}`), info.err);
  assert.match(info.out, /Layers 38/, 'the table is still printed');
  assert.equal(cli('info', V4T).code, 0);
});

test('a UTF-8 BOM is one diagnostic that names it, from check and info alike', () => {
  const check = cli('check', 'bom.cfg');
  assert.equal(check.code, 1);
  const lines = check.out.trim().split('\n');
  assert.equal(lines.length, 1, check.out);
  assert.match(lines[0], /^bom\.cfg:1:1: error utf8-bom UTF-8 BOM: darknet reads it as part of the first line/);
  const info = cli('info', 'bom.cfg');
  assert.equal(info.code, 1);
  assert.equal(info.err.trim(), `darknet-pruner: ${lines[0]}`);
  assert.match(info.out, /^bom\.cfg: 416×416×3 input/, 'the rest of the file is read as darknet would read it without the BOM');
  const json = JSON.parse(cli('check', 'bom.cfg', '--json').out);
  assert.deepEqual(
    json.diagnostics.map((d: { code: string }) => d.code),
    ['utf8-bom'],
  );
});

test('a .weights file given as the cfg: "did you swap cfg and weights?", never its bytes', () => {
  for (const args of [
    ['info', 'm.weights'],
    ['check', 'm.weights'],
    ['prune', 'channel', 'm.weights', 'm.cfg', '-p', '0.5', '-o', 'out'],
    ['diff', 'm.weights', 'm.cfg'],
    ['gamma', 'm.weights', 'm.cfg'],
    ['sweep', 'm.weights', 'm.cfg'],
    ['export', 'onnx', 'm.weights', 'm.cfg', '-o', 'm.onnx'],
  ]) {
    const r = cli(...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(
      r.err.trim().split('\n').pop(),
      'darknet-pruner: m.weights: a .weights file, not a cfg (did you swap cfg and weights?)',
      args.join(' '),
    );
    assert.ok(![...r.err].some((c) => c === '\ufffd' || (c < ' ' && c !== '\n')), 'no binary garbage');
    assert.equal(r.out, '', args.join(' '));
  }
  // and a cfg given as the weights
  for (const args of [
    ['prune', 'channel', 'm.cfg', 'm.cfg', '-p', '0.5', '-o', 'out'],
    ['gamma', 'm.cfg', 'm.cfg'],
    ['export', 'onnx', 'm.cfg', 'm.cfg', '-o', 'm.onnx'],
  ]) {
    const r = cli(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(
      r.err,
      /m\.cfg: not a Darknet \.weights file \(it starts with text: a cfg\? did you swap cfg and weights\?\)/,
      args.join(' '),
    );
  }
});

test('prune layer says why each [shortcut] is not a removable unit (Yolo-Fastest: a [dropout] before it)', () => {
  const text = NET + conv(8, 3, 'leaky') + FASTEST_UNIT + FASTEST_UNIT + HEAD;
  const shortcutLines = text.split('\n').flatMap((l, k) => (l === '[shortcut]' ? [k + 1] : []));
  writeFileSync(at('fastest.cfg'), text);
  assert.equal(cli('weights', 'synth', 'fastest.cfg', '-o', 'fastest.weights').code, 0);
  const r = cli('prune', 'layer', 'fastest.cfg', 'fastest.weights', '--shortcuts', '1', '-o', 'cut');
  assert.equal(r.code, 1);
  assert.match(r.err, /--shortcuts 1 is larger than the 0 removable residual unit\(s\); 2 \[shortcut\]\(s\) are not removable: /);
  assert.ok(
    r.err.includes(`[shortcut] 5 (line ${shortcutLines[0]}): layer 4 before it is [dropout], not a conv with batch_normalize`),
    r.err,
  );
  assert.ok(
    r.err.includes(`[shortcut] 10 (line ${shortcutLines[1]}): layer 9 before it is [dropout], not a conv with batch_normalize`),
    r.err,
  );
  const none = cli('prune', 'layer', 'm.cfg', 'm.weights', '--shortcuts', '1', '-o', 'cut');
  assert.match(none.err, /larger than the 0 removable residual unit\(s\): the cfg has no \[shortcut\] layer/);
});

test('numbers: "" and 1e-400 are not 0, and a percent range has no duplicate points', () => {
  for (const v of ['', '1e-400', '0x10', 'Infinity', ' ']) {
    const r = cli('prune', 'channel', 'm.cfg', 'm.weights', '--global-percent', v, '-o', 'out');
    assert.equal(r.code, 2, `--global-percent "${v}"`);
    assert.match(
      r.err,
      /^darknet-pruner: --global-percent(?: expects a number, got ".*"|: 1e-400 is too small to tell from 0)$/m,
      `"${v}": ${r.err}`,
    );
  }
  assert.match(cli('gamma', 'm.cfg', 'm.weights', '--percent', '1e-400').err, /--percent: 1e-400 is too small to tell from 0/);
  const s = cli('sweep', 'm.cfg', 'm.weights', '--percents', '0.5:0.6:1e-4', '--json');
  assert.equal(s.code, 0, s.err);
  const percents: number[] = JSON.parse(s.out).points.map((p: { percent: number }) => p.percent);
  assert.equal(percents.length, 1001);
  assert.equal(new Set(percents).size, 1001, 'every point distinct');
  assert.deepEqual([percents[0], percents[1], percents[1000]], [0.5, 0.5001, 0.6]);
  assert.match(cli('sweep', 'm.cfg', 'm.weights', '--percents', '0.5::0.1').err, /--percents end expects a number, got ""/);
});

test('a non-finite γ is refused by prune as by gamma', () => {
  const w = readFileSync(at('m.weights'));
  // layer 0 (8 filters, batch_normalize): biases[8], then scales (γ) — γ[3] = +∞, after the 20-byte header
  w.writeFloatLE(Infinity, 20 + 4 * 8 + 4 * 3);
  writeFileSync(at('inf.weights'), w);
  assert.match(cli('gamma', 'm.cfg', 'inf.weights').err, /γ\[3\] is Infinity/);
  const p = cli('prune', 'channel', 'm.cfg', 'inf.weights', '-p', '0.5', '-o', 'inf-out');
  assert.equal(p.code, 1);
  assert.match(p.err, /layer 0 \(convolutional, line 6\): γ of channel 3 is Infinity/);
  assert.match(cli('sweep', 'm.cfg', 'inf.weights').err, /γ of channel 3 is Infinity/);
});

test('forward on a classifier writes its output layer (output_<i>.f32, the [softmax] before [cost])', () => {
  writeFileSync(at('cls.cfg'), CLASSIFIER);
  assert.equal(cli('weights', 'synth', 'cls.cfg', '-o', 'cls.weights').code, 0);
  const input = Buffer.alloc(16 * 16 * 3 * 4);
  for (let i = 0; i < 16 * 16 * 3; i++) input.writeFloatLE((i % 7) / 7, 4 * i);
  writeFileSync(at('cls.f32'), input);
  const r = cli('forward', 'cls.cfg', 'cls.weights', '--input', 'cls.f32', '--out-dir', 'cls-out', '--json');
  assert.equal(r.code, 0, r.err);
  const { outputs } = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.deepEqual(
    outputs.map((o: { layer: number; type: string }) => [o.layer, o.type]),
    [[4, 'softmax']],
  );
  const out = readFileSync(at('cls-out', 'output_4.f32'));
  const p = Array.from({ length: out.length / 4 }, (_, k) => out.readFloatLE(4 * k));
  assert.equal(p.length, 10);
  assert.ok(
    p.every((v) => v > 0 && v < 1),
    p.join(' '),
  );
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'a probability distribution');
});
