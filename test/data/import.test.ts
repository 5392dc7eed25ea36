// data import: VOC XML, COCO JSON and CSV holding the same boxes give the same darknet dataset; bad
// records are located errors and nothing is written; inputs are never touched; images are linked or
// copied byte for byte; the train/valid split is seeded.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../../core/src/data/synth';
import { runCli } from '../cli/run';
import { COLOURS, picture } from './rects';

let dir: string;
// two pictures; boxes in pixels [x1, y1, x2, y2, label]
const BOXES: Record<string, [number, number, number, number, string][]> = {
  'a.png': [
    [20, 30, 70, 60, 'cat'],
    [100, 10, 120, 40, 'dog'],
  ],
  'b.png': [[5, 5, 45, 95, 'dog']],
  'c.png': [],
};

function write(p: string, v: string | Uint8Array): void {
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, v);
}

function voc(name: string, boxes: [number, number, number, number, string][], w = 128, h = 100): string {
  return `<annotation>\n  <folder>JPEGImages</folder>\n  <filename>${name}</filename>\n  <size><width>${w}</width><height>${h}</height><depth>3</depth></size>\n${boxes
    .map(
      ([x1, y1, x2, y2, l]) =>
        `  <object>\n    <name>${l}</name>\n    <difficult>0</difficult>\n    <bndbox>\n      <xmin>${x1}</xmin><ymin>${y1}</ymin><xmax>${x2}</xmax><ymax>${y2}</ymax>\n    </bndbox>\n  </object>\n`,
    )
    .join('')}</annotation>\n`;
}

function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = join(root, f);
    if (statSync(p).isFile()) out.set(f, createHash('sha256').update(readFileSync(p)).digest('hex'));
  }
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-import-'));
  const pngs = Object.keys(BOXES).map((name, i) => {
    const q = picture(128, 100, [{ x: 10 + 5 * i, y: 10, w: 30, h: 20, rgb: COLOURS[i] }]);
    return [name, encode(q.im.data, 128, 100, 'png')] as const;
  });
  for (const [name, png] of pngs) {
    write(join(dir, 'voc', 'JPEGImages', name), png);
    write(join(dir, 'pics', name), png);
  }
  for (const [name, boxes] of Object.entries(BOXES)) write(join(dir, 'voc', 'Annotations', name.replace('.png', '.xml')), voc(name, boxes));
  write(
    join(dir, 'boxes.csv'),
    'image_path,xmin,ymin,xmax,ymax,label\n' +
      Object.entries(BOXES)
        .flatMap(([n, bs]) => (bs.length ? bs.map((b) => `${n},${b.slice(0, 4).join(',')},${b[4]}`) : [`${n},,,,,`]))
        .join('\n') +
      '\n',
  );
  const names = Object.keys(BOXES);
  write(
    join(dir, 'coco.json'),
    JSON.stringify({
      images: names.map((n, id) => ({ id, file_name: n, width: 128, height: 100 })),
      categories: [
        { id: 1, name: 'cat' },
        { id: 2, name: 'dog' },
      ],
      annotations: names.flatMap((n, id) =>
        BOXES[n].map(([x1, y1, x2, y2, l]) => ({
          image_id: id,
          category_id: l === 'cat' ? 1 : 2,
          bbox: [x1, y1, x2 - x1, y2 - y1],
          iscrowd: 0,
        })),
      ),
    }),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('VOC, COCO and CSV with the same boxes → identical darknet datasets; inputs untouched; images linked', () => {
  const before = tree(dir);
  const common = ['--classes', 'cat,dog', '--seed', '3', '--valid-fraction', '0.34', '--json'];
  const runs = [
    ['voc', join(dir, 'voc'), 'out-voc'],
    ['coco', join(dir, 'coco.json'), 'out-coco', '--images', join(dir, 'pics')],
    ['csv', join(dir, 'boxes.csv'), 'out-csv', '--images', join(dir, 'pics')],
  ];
  for (const [format, src, out, ...rest] of runs) {
    const r = runCli(['data', 'import', format, src, '-o', join(dir, out), ...rest, ...common], dir);
    assert.equal(r.code, 0, `${format}: ${r.err}`);
    const s = JSON.parse(r.out);
    assert.deepEqual([s.images, s.train, s.valid, s.boxes, s.perClass, s.linked], [3, 2, 1, 3, [1, 2], 3]);
  }
  const voc = tree(join(dir, 'out-voc'));
  assert.deepEqual(
    [...voc.keys()],
    [
      'images/a.png',
      'images/b.png',
      'images/c.png',
      'labels/a.txt',
      'labels/b.txt',
      'labels/c.txt',
      'obj.data',
      'obj.names',
      'train.txt',
      'valid.txt',
    ],
  );
  assert.deepEqual(tree(join(dir, 'out-coco')), voc);
  assert.deepEqual(tree(join(dir, 'out-csv')), voc);
  assert.equal(
    readFileSync(join(dir, 'out-voc', 'labels', 'a.txt'), 'utf8'),
    '0 0.351563 0.450000 0.390625 0.300000\n1 0.859375 0.250000 0.156250 0.300000\n',
  );
  assert.equal(readFileSync(join(dir, 'out-voc', 'labels', 'c.txt'), 'utf8'), '', 'an image without boxes is a background image');
  assert.equal(
    readFileSync(join(dir, 'out-voc', 'obj.data'), 'utf8'),
    'classes=2\ntrain=train.txt\nvalid=valid.txt\nnames=obj.names\nbackup=backup/\n',
  );
  assert.equal(statSync(join(dir, 'out-voc', 'images', 'a.png')).ino, statSync(join(dir, 'voc', 'JPEGImages', 'a.png')).ino);
  // the inputs are as they were (hashes), and the output passes data check
  for (const [f, h] of before) assert.equal(tree(dir).get(f), h, `${f} changed`);
  const check = runCli(['data', 'check', join(dir, 'out-voc', 'obj.data')], dir);
  assert.equal(check.code, 0, check.err);
  // another seed, another split; the same seed, the same split
  const again = runCli(
    [
      'data',
      'import',
      'voc',
      join(dir, 'voc'),
      '-o',
      join(dir, 'out-seed'),
      ...common.slice(0, 2),
      '--seed',
      '4',
      '--valid-fraction',
      '0.34',
    ],
    dir,
  );
  assert.equal(again.code, 0, again.err);
  const lists = (d: string) => readFileSync(join(dir, d, 'valid.txt'), 'utf8');
  assert.notEqual(lists('out-seed'), lists('out-voc'));
});

test('class order: --classes as given, else sorted labels (VOC, CSV) or category ids (COCO); a names file works', () => {
  write(join(dir, 'names.txt'), 'dog\ncat\n');
  const r = runCli(
    [
      'data',
      'import',
      'csv',
      join(dir, 'boxes.csv'),
      '-o',
      join(dir, 'out-names'),
      '--images',
      join(dir, 'pics'),
      '--classes',
      join(dir, 'names.txt'),
    ],
    dir,
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(join(dir, 'out-names', 'obj.names'), 'utf8'), 'dog\ncat\n');
  assert.match(readFileSync(join(dir, 'out-names', 'labels', 'a.txt'), 'utf8'), /^1 0\.351563/);
  const d = runCli(['data', 'import', 'voc', join(dir, 'voc'), '-o', join(dir, 'out-default')], dir);
  assert.equal(d.code, 0, d.err);
  assert.equal(readFileSync(join(dir, 'out-default', 'obj.names'), 'utf8'), 'cat\ndog\n');
});

test('bad records: every one a located error, exit 1, nothing written and no temporary left', () => {
  const bad = join(dir, 'bad-voc');
  write(
    join(bad, 'Annotations', 'a.xml'),
    voc('a.png', [
      [20, 30, 70, 60, 'cat'],
      [50, 50, 50, 60, 'dog'],
      [100, 10, 140, 40, 'dog'],
      [1, 1, 9, 9, 'bird'],
    ]),
  );
  write(join(bad, 'Annotations', 'b.xml'), voc('b.png', [[5, 5, 45, 95, 'dog']], 200, 100));
  write(join(bad, 'Annotations', 'c.xml'), voc('zzz.png', []));
  write(join(bad, 'Annotations', 'd.xml'), '<annotation>\n<filename>a.png</filename>\n<object><name>cat</name>\n</annotation>\n');
  const r = runCli(['data', 'import', 'voc', bad, '-o', join(dir, 'out-bad'), '--images', join(dir, 'pics'), '--classes', 'cat,dog'], dir);
  assert.equal(r.code, 1, r.err);
  const A = join(bad, 'Annotations');
  assert.equal(
    r.err,
    [
      `darknet-pruner: ${bad}: 6 errors, nothing written:`,
      `  ${A}/d.xml:4: </annotation> closes <object> of line 3`,
      `  ${A}/a.xml:15: box 50,50–50,60 has no area (needs xmax > xmin and ymax > ymin)`,
      `  ${A}/a.xml:22: box 100,10–140,40 reaches outside the 128×100 image`,
      `  ${A}/a.xml:29: label "bird" is not one of the classes (cat, dog)`,
      `  ${A}/b.xml:4: size 200×100, but ${join(dir, 'pics', 'b.png')} is 128×100`,
      `  … and 1 more`,
      '',
    ].join('\n'),
  );
  assert.ok(!existsSync(join(dir, 'out-bad')));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith('.')),
    [],
  );

  write(join(dir, 'bad.csv'), 'image,xmin,ymin,xmax,ymax,label\na.png,1,2,3\nnope.png,1,1,5,5,cat\nb.png,1,1,5,5,\n');
  const c = runCli(['data', 'import', 'csv', join(dir, 'bad.csv'), '-o', join(dir, 'out-bad'), '--images', join(dir, 'pics')], dir);
  assert.equal(c.code, 1);
  assert.match(c.err, /bad\.csv:2: xmin,ymin,xmax,ymax "1,2,3," are not four numbers/);
  assert.match(c.err, /bad\.csv:4: no label/);
  assert.match(c.err, /bad\.csv:3: image nope\.png: no such file \(tried /);

  write(
    join(dir, 'bad.json'),
    JSON.stringify({
      images: [{ id: 1, file_name: 'a.png', width: 128, height: 100 }],
      categories: [{ id: 1, name: 'cat' }],
      annotations: [
        { image_id: 1, category_id: 1, bbox: [1, 1, 5, 5] },
        { image_id: 2, category_id: 1, bbox: [1, 1, 5, 5] },
        { image_id: 1, category_id: 9, bbox: [1, 1, 5, 5] },
        { image_id: 1, category_id: 1, bbox: [1, 1, 5] },
      ],
    }),
  );
  const j = runCli(['data', 'import', 'coco', join(dir, 'bad.json'), '-o', join(dir, 'out-bad'), '--images', join(dir, 'pics')], dir);
  assert.equal(j.code, 1);
  assert.match(j.err, /bad\.json: annotations\[1\]: image_id 2 is not in images/);
  assert.match(j.err, /bad\.json: annotations\[2\]: category_id 9 is not in categories/);
  assert.match(j.err, /bad\.json: annotations\[3\]: bbox must be \[x, y, width, height\], got \[1,1,5\]/);
  assert.ok(!existsSync(join(dir, 'out-bad')));
});

test('refuses an output that holds the input, or a non-empty folder', () => {
  const r = runCli(['data', 'import', 'voc', join(dir, 'voc'), '-o', dir], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /would overwrite or contain the input/);
  const s = runCli(['data', 'import', 'voc', join(dir, 'voc'), '-o', join(dir, 'out-voc')], dir);
  assert.equal(s.code, 2);
  assert.match(s.err, /directory exists and is not empty/);
});
