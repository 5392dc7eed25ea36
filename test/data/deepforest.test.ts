// Real data: DeepForest's aerial RGB crops with tree crowns, annotated both as Pascal VOC XML and as
// CSV. Importing them either way gives the same darknet dataset with the stated box counts, which
// data check accepts, and the loader reads.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataset } from '../../core/src/data/check';
import { loaderItems, openLoader } from '../../core/src/data/loader';
import { runCli } from '../cli/run';
import { DEEPFOREST, skipWithoutDeepForest } from './deepforest';

const skip = skipWithoutDeepForest;
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-deepforest-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
    if (statSync(join(root, f)).isFile())
      out.set(
        f,
        createHash('sha256')
          .update(readFileSync(join(root, f)))
          .digest('hex'),
      );
  }
  return out;
}

const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean).length;

test('OSBS_029 and SOAP_061: the VOC and the CSV importers give the same dataset (61 and 37 boxes)', { skip }, () => {
  const voc = join(dir, 'voc-src');
  mkdirSync(voc);
  for (const f of ['OSBS_029.xml', 'SOAP_061.xml']) copyFileSync(join(DEEPFOREST, f), join(voc, f));
  const csv = join(dir, 'boxes.csv');
  const rows = (f: string) => readFileSync(join(DEEPFOREST, f), 'utf8').split('\n').slice(1).filter(Boolean);
  writeFileSync(
    csv,
    ['image_path,xmin,ymin,xmax,ymax,label', ...rows('testfile_deepforest.csv'), ...rows('testfile_multi.csv')].join('\n') + '\n',
  );
  const opts = ['--images', DEEPFOREST, '--classes', 'Tree,Dead,Alive', '--seed', '1', '--valid-fraction', '0.5'];
  const a = runCli(['data', 'import', 'voc', voc, '-o', join(dir, 'from-voc'), ...opts], dir);
  assert.equal(a.code, 0, a.err);
  // the XML names OSBS_029.tif, which darknet cannot read; the PNG beside it is taken, and said so
  assert.match(a.err, /OSBS_029\.xml:3: OSBS_029\.tif is TIFF, which darknet cannot read: using OSBS_029\.png beside it/);
  const b = runCli(['data', 'import', 'csv', csv, '-o', join(dir, 'from-csv'), ...opts], dir);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(tree(join(dir, 'from-csv')), tree(join(dir, 'from-voc')));
  assert.equal(lines(join(dir, 'from-voc', 'labels', 'OSBS_029.txt')), 61);
  assert.equal(lines(join(dir, 'from-voc', 'labels', 'SOAP_061.txt')), 37);
  assert.equal(
    readFileSync(join(dir, 'from-voc', 'labels', 'SOAP_061.txt'), 'utf8').split('\n')[0],
    '1 0.402500 0.292500 0.060000 0.060000',
  );
});

test('the whole VOC folder: 4 images with 61, 37, 279 and 574 boxes; data check accepts it; the loader reads it', { skip }, async () => {
  const out = join(dir, 'all');
  const r = runCli(['data', 'import', 'voc', DEEPFOREST, '-o', out, '--valid-fraction', '0', '--json'], dir);
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.deepEqual([s.images, s.boxes, s.classes, s.perClass], [4, 951, ['Alive', 'Dead', 'Tree'], [9, 28, 914]]);
  const counts = Object.fromEntries(readdirSync(join(out, 'labels')).map((f) => [f, lines(join(out, 'labels', f))]));
  assert.deepEqual(counts, {
    '2019_YELL_2_528000_4978000_image_crop2.txt': 574,
    '2019_YELL_2_541000_4977000_image_crop.txt': 279,
    'OSBS_029.txt': 61,
    'SOAP_061.txt': 37,
  });
  const report = checkDataset(join(out, 'obj.data'));
  assert.equal(report.errorCount, 0, report.errors.join('\n'));
  assert.equal(report.boxes, 951);
  const params = {
    width: 128,
    height: 128,
    channels: 3,
    letterBox: true,
    augment: true,
    flip: true,
    hue: 0.1,
    saturation: 1.5,
    exposure: 1.5,
    jitter: 0.2,
    mosaic: false,
    maxBoxes: 1000,
  };
  const loader = openLoader({ items: loaderItems(join(out, 'obj.data')), params, batch: 2, seed: 1, workers: 2, shuffle: false });
  try {
    const batch = (await loader.next())!;
    assert.deepEqual(batch.shape, [2, 3, 128, 128]);
    assert.ok(
      batch.boxes[0].length > 300 && batch.boxes[1].length > 150,
      `most trees stay in the crop (${batch.boxes.map((b) => b.length)})`,
    );
  } finally {
    await loader.close();
  }
});
