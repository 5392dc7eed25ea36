// No command writes over an input, over an existing file without --force, or outside the place it
// was told to write (cli/outputs.ts, checked before the job runs). The real CLI bundle on
// real files in a temporary directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { runCli, type CliResult } from './run';

const CFG = `[net]
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
filters=18
size=1
stride=1
activation=linear

[yolo]
mask=0,1,2
anchors=10,13, 16,30, 33,23
classes=1
num=3
`;

let dir = '';
const at = (...p: string[]) => join(dir, ...p);
const cli = (...args: string[]): CliResult => runCli(args, dir);
const bytes = (name: string) => readFileSync(at(name));

/** Refused with one located line naming the problem, no raw errno, no stack. */
function refused(r: CliResult, re: RegExp): void {
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.err, re);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, /^darknet-pruner: /);
  assert.doesNotMatch(r.err, /ENOENT|ENOTDIR|EEXIST|EISDIR|\n\s+at /);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-outputs-'));
  writeFileSync(at('m.cfg'), CFG);
  // "trained" weights: another seed than the default, so a silent replacement would show
  assert.equal(cli('weights', 'synth', 'm.cfg', '-o', 'm.weights', '--seed', '7').code, 0);
  const png = new PNG({ width: 32, height: 32 });
  png.data.fill(128);
  writeFileSync(at('dog.png'), PNG.sync.write(png));
  writeFileSync(at('input.f32'), Buffer.alloc(32 * 32 * 3 * 4));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('weights synth: never over its cfg, over existing weights only with --force', () => {
  const cfg = bytes('m.cfg'),
    trained = bytes('m.weights');
  refused(cli('weights', 'synth', 'm.cfg', '-o', 'm.weights'), /-o m\.weights: exists; pass --force to replace it/);
  assert.deepEqual(bytes('m.weights'), trained);
  refused(cli('weights', 'synth', 'm.cfg', '-o', 'm.cfg', '--force'), /-o m\.cfg: is the input m\.cfg/);
  assert.deepEqual(bytes('m.cfg'), cfg);
  // symlinks and hard links are resolved before the comparison
  symlinkSync('m.cfg', at('link.weights'));
  refused(cli('weights', 'synth', 'm.cfg', '-o', 'link.weights', '--force'), /is the input m\.cfg/);
  linkSync(at('m.cfg'), at('hard.cfg'));
  refused(cli('weights', 'synth', 'm.cfg', '-o', 'hard.cfg', '--force'), /is the input m\.cfg/);
  assert.deepEqual(bytes('m.cfg'), cfg);
  const copy = at('copy.weights');
  writeFileSync(copy, trained);
  const r = cli('weights', 'synth', 'm.cfg', '-o', 'copy.weights', '--force');
  assert.equal(r.code, 0, r.err);
  assert.notDeepEqual(readFileSync(copy), trained, '--force replaced it');
});

test('export onnx: never over its cfg or weights, over an existing model only with --force', () => {
  const weights = bytes('m.weights');
  refused(cli('export', 'onnx', 'm.cfg', 'm.weights', '-o', 'm.weights', '--force'), /-o m\.weights: is the input m\.weights/);
  assert.deepEqual(bytes('m.weights'), weights);
  writeFileSync(at('old.onnx'), 'previous export');
  refused(cli('export', 'onnx', 'm.cfg', 'm.weights', '-o', 'old.onnx'), /exists; pass --force/);
  assert.equal(readFileSync(at('old.onnx'), 'utf8'), 'previous export');
  assert.equal(cli('export', 'onnx', 'm.cfg', 'm.weights', '-o', 'old.onnx', '--force').code, 0);
  assert.notEqual(readFileSync(at('old.onnx'), 'utf8'), 'previous export');
});

test('prune: --name stays inside the output directory; an existing output only with --force', () => {
  const cfg = bytes('m.cfg'),
    weights = bytes('m.weights');
  for (const name of ['../m', 'sub/m', '..']) {
    refused(cli('prune', 'channel', 'm.cfg', 'm.weights', '-p', '0.5', '-o', 'out', '--name', name), /--name .*must be a plain file name/);
    refused(
      cli('prune', 'layer', 'm.cfg', 'm.weights', '--shortcuts', '0', '-o', 'out', '--name', name),
      /--name .*must be a plain file name/,
    );
  }
  assert.deepEqual(bytes('m.cfg'), cfg);
  assert.deepEqual(bytes('m.weights'), weights);
  assert.equal(existsSync(at('out')), false);

  assert.equal(cli('prune', 'channel', 'm.cfg', 'm.weights', '-p', '0.5', '-o', 'out', '--name', 'small').code, 0);
  const first = readFileSync(at('out', 'small.weights'));
  // checked before the job: the missing weights are never read
  refused(
    cli('prune', 'channel', 'm.cfg', 'missing.weights', '-p', '0.5', '-o', 'out'),
    /-o out: directory exists and is not empty; choose a new one or pass --force/,
  );
  const r = cli('prune', 'channel', 'm.cfg', 'm.weights', '-p', '0.3', '-o', 'out', '--name', 'small', '--force');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(readdirSync(at('out')).sort(), ['prune-report.json', 'small.cfg', 'small.weights']);
  assert.notDeepEqual(readFileSync(at('out', 'small.weights')), first, 'replaced by the p=0.3 model');
  writeFileSync(at('out', 'notes.txt'), 'mine');
  refused(
    cli('prune', 'channel', 'm.cfg', 'm.weights', '-p', '0.5', '-o', 'out', '--force'),
    /--force replaces only a model directory .* notes\.txt/,
  );
  assert.equal(readFileSync(at('out', 'notes.txt'), 'utf8'), 'mine');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.tmp-')),
    [],
    'no temporaries left',
  );
});

test('detect --out: never the input image, and a PNG is named .png', () => {
  const image = bytes('dog.png');
  refused(cli('detect', 'm.cfg', 'm.weights', 'dog.png', '--out', 'dog.png', '--force'), /--out dog\.png: is the input dog\.png/);
  writeFileSync(at('dog.jpg'), image);
  refused(cli('detect', 'm.cfg', 'm.weights', 'dog.jpg', '--out', 'dog.jpg', '--force'), /the annotated image is a PNG; name it \.png/);
  assert.deepEqual(bytes('dog.png'), image);
  assert.deepEqual(bytes('dog.jpg'), image);
});

test('forward --out-dir: never over an input, existing outputs only with --force', () => {
  const r = cli('forward', 'm.cfg', 'm.weights', '--input', 'input.f32', '--out-dir', 'fw');
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(at('fw', 'yolo_2.f32')));
  refused(cli('forward', 'm.cfg', 'm.weights', '--input', 'input.f32', '--out-dir', 'fw'), /yolo_2\.f32: exists; pass --force/);
  assert.equal(cli('forward', 'm.cfg', 'm.weights', '--input', 'input.f32', '--out-dir', 'fw', '--force').code, 0);
  // an input named like an output, in the output directory
  writeFileSync(at('fw', 'yolo_2.f32'), readFileSync(at('input.f32')));
  refused(
    cli('forward', 'm.cfg', 'm.weights', '--input', join('fw', 'yolo_2.f32'), '--out-dir', 'fw', '--force'),
    /is the input fw[/\\]yolo_2\.f32/,
  );
});

test('a missing parent directory, or a file in its place, is one clear line', () => {
  refused(
    cli('weights', 'synth', 'm.cfg', '-o', join('nodir', 'x.weights')),
    /-o nodir[/\\]x\.weights: parent directory .*nodir does not exist/,
  );
  refused(cli('weights', 'synth', 'm.cfg', '-o', join('m.cfg', 'x.weights')), /-o m\.cfg[/\\]x\.weights: .*m\.cfg is not a directory/);
  refused(cli('weights', 'synth', 'm.cfg', '-o', join('m.cfg', 'a', 'x.weights')), /a part of .* is a file, not a directory/);
  refused(cli('export', 'onnx', 'm.cfg', 'm.weights', '-o', join('nodir', 'm.onnx')), /directory .*nodir does not exist/);
  refused(cli('prune', 'channel', 'm.cfg', 'm.weights', '-p', '0.5', '-o', join('nodir', 'out')), /directory .*nodir does not exist/);
  refused(
    cli('forward', 'm.cfg', 'm.weights', '--input', 'input.f32', '--out-dir', join('nodir', 'deeper')),
    /directory .*nodir does not exist/,
  );
  refused(cli('detect', 'm.cfg', 'm.weights', 'dog.png', '--out', join('nodir', 'a.png')), /directory .*nodir does not exist/);
  assert.equal(existsSync(at('nodir')), false);
});

test('temporaries left beside the output by a killed job are removed', () => {
  const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
  mkdirSync(at('stale'));
  const temp = at('stale', `.x.weights.tmp-${gone}-1`);
  writeFileSync(temp, 'half written');
  assert.equal(cli('weights', 'synth', 'm.cfg', '-o', join('stale', 'x.weights')).code, 0);
  assert.deepEqual(readdirSync(at('stale')), ['x.weights']);
});
