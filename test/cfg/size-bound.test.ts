// A cfg whose weights or activations exceed the size bound (DARKNET_MAX_BYTES, default 4 GiB) has a
// located `too-large` error, and every command refuses it with that one line before allocating
// (`filters=2000000000` used to make `weights synth` allocate 22 GB and be OOM-killed; `size=99999`
// and `channels=2000000000` ended in "internal error: Invalid typed array length").
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { sizeBoundFromEnv } from '../../core/src/cfg/size-bound';
import { corpusCfgs, readCfg } from '../corpus';
import { runMain } from '../cli/in-process';

const tiny = readCfg('yolov4-tiny.cfg');
const tooLarge = (text: string, opts = {}) => analyseText(text, opts).diagnostics.filter((d) => d.code === 'too-large');
const at = (text: string, d: { range: { start: { line: number } } }) => text.split('\n')[d.range.start.line];

test('absurd sizes are too-large errors located at the layer (or [net]) that causes them', () => {
  const filters = tiny.replace('filters=32', 'filters=2000000000');
  const [w, a] = tooLarge(filters);
  assert.equal(w.severity, 'error');
  assert.equal(w.message, 'Layer 0 (convolutional): its weights are 231 GiB, over the 4 GiB bound (DARKNET_MAX_BYTES raises it)');
  assert.equal(
    a.message,
    'Layer 0 (convolutional): its output 208×208×2000000000 is 314.8 TiB as float32, over the 4 GiB bound (DARKNET_MAX_BYTES raises it)',
  );
  assert.equal(at(filters, w), '[convolutional]');
  assert.equal(w.range.start.line, analyseText(filters).layers[0].section.line);

  const size = tiny.replace('size=3', 'size=99999');
  assert.deepEqual(
    tooLarge(size).map((d) => d.message),
    ['Layer 0 (convolutional): its weights are 3.5 TiB, over the 4 GiB bound (DARKNET_MAX_BYTES raises it)'],
  );

  const channels = tiny.replace('channels=3', 'channels=2000000000');
  const c = tooLarge(channels);
  assert.equal(
    c[0].message,
    'The network input 416×416×2000000000 is 1.2 PiB as float32, over the 4 GiB bound (DARKNET_MAX_BYTES raises it)',
  );
  assert.equal(at(channels, c[0]), '[net]');
});

test('totals: the weights and the activations a forward pass holds at once, where they cross the bound', () => {
  const net = analyseText(tiny);
  const weightBytes = net.totals.weightFloats * 4;
  const [w] = tooLarge(tiny, { maxBytes: weightBytes - 1 }).filter((d) => d.message.startsWith('The weights'));
  assert.match(w.message, /^The weights reach 23\.1 MiB at layer \d+ \(convolutional\), over the 23\.1 MiB bound$/);
  assert.deepEqual(
    tooLarge(tiny, { maxBytes: weightBytes }).filter((d) => d.message.startsWith('The weights')),
    [],
  );
  // 416×416×3 input + layer 0 (208×208×32) live at once, then the input is released
  const live = (416 * 416 * 3 + 208 * 208 * 32) * 4;
  const [a] = tooLarge(tiny, { maxBytes: live - 1 });
  assert.equal(
    a.message,
    `A forward pass holds ${(live / 2 ** 20).toFixed(1)} MiB of activations at layer 0 (convolutional), over the ${((live - 1) / 2 ** 20).toFixed(1)} MiB bound`,
  );
});

test('DARKNET_MAX_BYTES sets the bound; a value that is not a size says so and keeps the default', () => {
  assert.deepEqual(sizeBoundFromEnv({ DARKNET_MAX_BYTES: '8G' }), { bytes: 8 * 2 ** 30, text: 'the 8 GiB bound of DARKNET_MAX_BYTES' });
  assert.equal(sizeBoundFromEnv({ DARKNET_MAX_BYTES: '1500000' }).bytes, 1500000);
  assert.equal(sizeBoundFromEnv({ DARKNET_MAX_BYTES: '512MiB' }).bytes, 512 * 2 ** 20);
  assert.deepEqual(sizeBoundFromEnv({ DARKNET_MAX_BYTES: 'lots' }), {
    bytes: 4 * 2 ** 30,
    text: 'the default 4 GiB bound (DARKNET_MAX_BYTES="lots" is not a size such as 8G)',
  });
  assert.equal(sizeBoundFromEnv({}).bytes, 4 * 2 ** 30);
});

test('no corpus cfg is too large, even at 2048×2048', () => {
  for (const f of corpusCfgs()) {
    for (const opts of [{}, { width: 2048, height: 2048 }])
      assert.deepEqual(
        tooLarge(readCfg(f), opts).map((d) => d.message),
        [],
        `${f} ${JSON.stringify(opts)}`,
      );
  }
});

const work = mkdtempSync(join(tmpdir(), 'dp-size-bound-'));
after(() => rmSync(work, { recursive: true, force: true }));

const cli = (...argv: string[]) => runMain(argv);

test('every command refuses a too-large cfg with one located line, exit 1, nothing written', async () => {
  const cases = {
    filters: tiny.replace('filters=32', 'filters=2000000000'),
    size: tiny.replace('size=3', 'size=99999'),
    channels: tiny.replace('channels=3', 'channels=2000000000'),
  };
  writeFileSync(join(work, 'dummy.weights'), new Uint8Array(20));
  writeFileSync(join(work, 'dummy.f32'), new Uint8Array(16));
  writeFileSync(join(work, 'dummy.data'), 'classes=80\nvalid=none.txt\n');
  for (const [name, text] of Object.entries(cases)) {
    const cfg = join(work, `${name}.cfg`);
    writeFileSync(cfg, text);
    const line = tooLarge(text)[0].range.start.line + 1;
    const w = join(work, 'dummy.weights'),
      out = (x: string) => join(work, `${name}-${x}`);
    const commands = [
      ['weights', 'synth', cfg, '-o', out('synth.weights')],
      ['prune', 'channel', cfg, w, '--global-percent', '0.5', '-o', out('channel')],
      ['prune', 'layer', cfg, w, '--shortcuts', '1', '-o', out('layer')],
      ['gamma', cfg, w],
      ['sweep', cfg, w, '--percents', '0.5:0.6:0.1'],
      ['forward', cfg, w, '--input', join(work, 'dummy.f32'), '--out-dir', out('forward')],
      ['detect', cfg, w, join(work, 'dummy.f32')],
      ['eval', cfg, w, '--data', join(work, 'dummy.data')],
      ['export', 'onnx', cfg, w, '-o', out('model.onnx')],
      ['diff', cfg, cfg],
    ];
    for (const argv of commands) {
      const r = await cli(...argv);
      const what = `${name}: ${argv.slice(0, 2).join(' ')}`;
      assert.equal(r.code, 1, `${what}: ${r.err}`);
      const last = r.err.split('\n').pop()!;
      assert.ok(last.startsWith(`darknet-pruner: ${cfg}:${line}:1: too-large `), `${what}: ${last}`);
      assert.ok(!/\n\s+at /.test(r.err), `${what}: no stack trace`);
    }
    assert.deepEqual(
      readdirSync(work).filter((f) => f.startsWith(`${name}-`)),
      [],
      'nothing written',
    );
    const check = await cli('check', cfg);
    assert.equal(check.code, 1);
    assert.match(check.out, new RegExp(`^${cfg}:${line}:1: error too-large `, 'm'));
  }
  // a size override that makes a good cfg absurd is refused the same way
  const good = join(work, 'tiny.cfg');
  writeFileSync(good, tiny);
  const r = await cli(
    'export',
    'onnx',
    good,
    join(work, 'dummy.weights'),
    '-o',
    join(work, 'big.onnx'),
    '--width',
    '200000',
    '--height',
    '200000',
  );
  assert.equal(r.code, 1);
  assert.match(r.err, /too-large The network input 200000×200000×3 is 447 GiB as float32/);
  assert.ok(!existsSync(join(work, 'big.onnx')));
});
