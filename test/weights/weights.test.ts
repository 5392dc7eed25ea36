import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights, XorShift32 } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { parseWeights, WeightsError } from '../../core/src/weights/read';
import { GOLDEN_DIR, goldenNets } from '../corpus';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('xorshift32 first outputs match the golden README', () => {
  const a = new XorShift32(12345),
    b = new XorShift32(54321);
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => a.next()),
    [3336926330, 1697253807, 2816511904, 1955480042, 718842323],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => b.next()),
    [1247401778, 1732920013, 3446496708, 3160947566, 3685841772],
  );
});

for (const g of goldenNets()) {
  test(`synthesized weights and input hash to the golden SHA-256: ${g}`, () => {
    const meta = JSON.parse(readFileSync(join(GOLDEN_DIR, g, 'golden.json'), 'utf8'));
    const net = analyseText(readFileSync(join(GOLDEN_DIR, g, `${g}.cfg`), 'utf8'));
    const w = synthesizeWeights(net);
    const bytes = serializeWeights(net, w);
    assert.equal(bytes.byteLength, meta.weights.bytes);
    assert.equal(w.prngState, meta.weights.prng_state_after_last_draw);
    assert.equal(sha(bytes), meta.weights.sha256);
    const input = synthesizeInput(net.net.width, net.net.height, net.net.channels);
    assert.equal(sha(new Uint8Array(input.buffer)), meta.input.sha256);
    // Round trip: parse the bytes back and write them again byte-identically.
    const back = parseWeights(bytes, net);
    assert.equal(sha(serializeWeights(net, back)), meta.weights.sha256);
  });
}

const TINY = `[net]
width=32
height=32
channels=3
[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=leaky
[convolutional]
filters=4
size=1
activation=linear
`;

test('weights size errors are located and exact', () => {
  const net = analyseText(TINY);
  const good = serializeWeights(net, synthesizeWeights(net));
  assert.equal(net.totals.weightFloats, 8 * 4 + 8 * 27 + 4 + 4 * 8);
  assert.throws(
    () => parseWeights(good.subarray(0, 20 + 4 * 260), net, 'x.weights'),
    (e: Error) =>
      e instanceof WeightsError &&
      /weights end inside layer 1 \(convolutional, 4 filters\): file holds 260 floats, cfg needs 284/.test(e.message),
  );
  const big = new Uint8Array(good.byteLength + 8);
  big.set(good);
  assert.throws(() => parseWeights(big, net, 'x.weights'), /2 extra floats/);
  assert.throws(() => parseWeights(good.subarray(0, 10), net, 'x.weights'), /too short/);
  const odd = new Uint8Array(good.byteLength + 2);
  odd.set(good);
  assert.throws(() => parseWeights(odd, net, 'x.weights'), /not a whole number of float32/);
});

test('16-byte header of darknet 0.1 files is read', () => {
  const net = analyseText(TINY);
  const w = synthesizeWeights(net);
  const old = serializeWeights(net, w, { major: 0, minor: 1, revision: 0, seen: 7n });
  assert.equal(old.byteLength, 16 + 4 * net.totals.weightFloats);
  const back = parseWeights(old, net);
  assert.equal(back.header.seen, 7n);
  assert.deepEqual(back.layers[1]!.blocks.weights, w.layers[1]!.blocks.weights);
});
