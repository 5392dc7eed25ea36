// data check: every problem of a darknet-layout training set found and located (label lines, list
// lines, images), background images told apart from missing label files, the figures right; the
// trainer's requireTrainable refuses a dataset with errors; the CLI exits 1 naming the first errors.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataset, requireTrainable, sizeBin } from '../../core/src/data/check';
import { writeLayout } from '../../core/src/data/layout';
import { synthImage } from '../../core/src/data/synth';
import { DatasetError, parseDataFile } from '../../core/src/eval/dataset';
import { runCli } from '../cli/run';

let dir: string;
const png = (i: number) => synthImage(i, { classes: 2, size: 64, seed: 5, format: 'png' }).bytes;

function files(root: string, tree: Record<string, string | Uint8Array>): void {
  for (const [p, v] of Object.entries(tree)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), v);
  }
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-check-'));
  files(join(dir, 'bad'), {
    'obj.data': 'classes=2\ntrain=train.txt\nvalid=valid.txt\nnames=obj.names\n',
    'obj.names': 'circle\nsquare\n',
    'train.txt': 'images/a.png\nimages/b.png\nimages/c.png\nimages/a.png\nimages/d.png\nimages/gone.png\nimages/e.png\n',
    'valid.txt': 'images/f.png\nimages/b.png\n',
    'images/a.png': png(0),
    'images/b.png': png(1),
    'images/c.png': png(2).subarray(0, 300),
    'images/d.png': png(3),
    'images/e.png': 'not an image at all',
    'images/f.png': png(4),
    // a: four problems and two good boxes; b: background (empty); c: good label, corrupt image; d: no label file
    'labels/a.txt': '0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0 0.1\n7 0.5 0.5 0.1 0.1\n0 0.95 0.5 0.2 0.2\n1 0.1 0.1 0.01 0.01\n0 1.2 0.5 0.1 0.1\n',
    'labels/b.txt': '',
    'labels/c.txt': '1 0.5 0.5 0.6 0.6\n',
    'labels/e.txt': '0 .5 .5 .1 .1\n',
    'labels/f.txt': '1 0.5 0.5 0.3 0.3\n',
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('every problem located, in list order; figures count only what parsed', () => {
  const r = checkDataset(join(dir, 'bad', 'obj.data'), { cwd: join(dir, 'bad') });
  // the truncated PNG's error ends with the decoder's own words
  assert.match(r.errors[6], /^images\/c\.png: corrupt image: cannot decode PNG: \S/);
  assert.deepEqual(
    r.errors.map((e, i) => (i === 6 ? e.replace(/PNG: .*/, "PNG: (pngjs's message)") : e)),
    [
      'train.txt:6: image images/gone.png: no such file (tried ' + join(dir, 'bad', 'images', 'gone.png') + ')',
      'train.txt:4: duplicate of line 1 (images/a.png)',
      'labels/a.txt:2: box width and height must be positive, got 0 0.1',
      'labels/a.txt:3: class 7 is outside 0…1 (classes=2)',
      'labels/a.txt:4: box 0.95 0.5 0.2 0.2 reaches outside [0, 1] (edges 0.85…1.05, 0.4…0.6)',
      'labels/a.txt:6: box centre 1.2 0.5 is outside [0, 1]',
      "images/c.png: corrupt image: cannot decode PNG: (pngjs's message)",
      'images/d.png: no label file (tried labels/d.txt, images/d.txt); a background image needs an empty one',
      'images/e.png: not an image (neither PNG nor JPEG)',
    ],
  );
  assert.equal(r.errorCount, 9);
  assert.deepEqual(r.warnings, [
    'valid.txt:2: images/b.png is also in the train list (train.txt:2): it is evaluated on images it trained on',
  ]);
  assert.deepEqual(
    r.lists.map((l) => [l.role, l.images]),
    [
      ['train', 5],
      ['valid', 2],
    ],
  );
  assert.equal(r.images, 6);
  assert.equal(r.backgroundImages, 1);
  assert.equal(r.missingLabels, 1);
  assert.deepEqual(r.perClass, [2, 3]);
  assert.equal(r.boxes, 5);
  assert.equal(
    r.sizeHistogram.reduce((s, b) => s + b.count, 0),
    5,
  );
  assert.equal(r.sizeHistogram[sizeBin(0.01, 0.01)].count, 1);
  assert.equal(r.sizeHistogram[sizeBin(0.6, 0.6)].label, '1/2–1');
});

test('requireTrainable: a DatasetError naming the first five errors and the count; a clean dataset passes', () => {
  assert.throws(
    () => requireTrainable(join(dir, 'bad', 'obj.data'), { cwd: join(dir, 'bad') }),
    (e: Error) => {
      assert.ok(e instanceof DatasetError);
      const lines = e.message.split('\n');
      assert.equal(lines[0], `${join(dir, 'bad', 'obj.data')}: 9 errors:`);
      assert.equal(lines.length, 7);
      assert.match(lines[6], /… and 4 more \(darknet-pruner data check /);
      return true;
    },
  );
  const good = join(dir, 'good');
  const images = [0, 1, 2, 3].map((i) => ({
    name: `g${i}.png`,
    bytes: png(i),
    labels: synthImage(i, { classes: 2, size: 64, seed: 5, format: 'png' }).labels,
  }));
  writeLayout(good, { names: ['circle', 'square'], images, validFraction: 0.25, seed: 1 });
  const r = requireTrainable(join(good, 'obj.data'));
  assert.equal(r.errorCount, 0);
  assert.equal(r.images, 4);
  assert.equal(
    r.boxes,
    images.reduce((s, i) => s + i.labels.length, 0),
  );
});

test('.data for training: train= required, valid= defaults to the train list (darknet)', () => {
  files(join(dir, 'd'), { 'only-train.data': 'classes=1\ntrain=t.txt\n', 't.txt': 'x.png\n', 'no-train.data': 'classes=1\nvalid=t.txt\n' });
  const d = parseDataFile(join(dir, 'd', 'only-train.data'), dir, 'train');
  assert.equal(d.train, join(dir, 'd', 't.txt'));
  assert.equal(d.valid, d.train);
  assert.throws(() => parseDataFile(join(dir, 'd', 'no-train.data'), dir, 'train'), /no-train\.data: no train= line/);
  assert.equal(parseDataFile(join(dir, 'd', 'no-train.data'), dir).train, undefined);
});

test('CLI: exit 1 with the first errors on stderr; --json has the full report; a clean set exits 0', () => {
  const bad = runCli(['data', 'check', 'obj.data'], join(dir, 'bad'));
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /darknet-pruner: obj\.data: 9 errors:\n {2}train\.txt:6: image images\/gone\.png: no such file/);
  assert.match(bad.err, /labels\/a\.txt:2: box width and height must be positive/);
  assert.match(bad.out, /6 images \(train 5, valid 2\), 1 background \(empty label file\), 5 boxes, 2 classes/);
  assert.match(bad.out, /circle\s+2\nsquare\s+3/);
  const json = runCli(['data', 'check', 'obj.data', '--json', '--no-decode'], join(dir, 'bad'));
  assert.equal(json.code, 1);
  const report = JSON.parse(json.out);
  assert.equal(report.errorCount, 8, 'without decoding, the truncated PNG is not found');
  const good = runCli(['data', 'check', join(dir, 'good', 'obj.data')], dir);
  assert.equal(good.code, 0, good.err);
  assert.match(good.out, /^4 images \(train 3, valid 1\)/);
});
