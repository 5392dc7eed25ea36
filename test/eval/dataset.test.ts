// Dataset reading: .data parsing and path resolution (cwd first, as darknet, then the file's
// directory), darknet's image → label path rule, label validation with file:line, lazy iteration;
// and the reference MERGE NMS.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DatasetError,
  findLabelFile,
  iterateDataset,
  labelPathFor,
  parseDataFile,
  readImageList,
  readLabels,
} from '../../core/src/eval/dataset';
import { referenceNms } from '../../core/src/eval/reference-nms';
import type { Detection } from '../../core/src/nn/decode';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dp-ds-'));
  dirs.push(dir);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

test('label path: /images/ and /JPEGImages/ become /labels/, the image extension becomes .txt', () => {
  assert.equal(labelPathFor('/d/coco/images/val2017/0001.jpg'), '/d/coco/labels/val2017/0001.txt');
  assert.equal(labelPathFor('/d/VOC/JPEGImages/a.JPEG'), '/d/VOC/labels/a.txt');
  assert.equal(labelPathFor('/d/obj/b.png'), '/d/obj/b.txt');
  assert.equal(labelPathFor('C:\\d\\images\\c.bmp'), 'C:\\d\\labels\\c.txt');
});

test("label lookup: darknet's labels/ path first, then beside the image; every path tried is named", () => {
  const dir = tree({
    'a/images/x.jpg': '',
    'a/images/x.txt': '0 .5 .5 .1 .1\n',
    'b/images/y.png': '',
    'b/labels/y.txt': '',
    'b/images/y.txt': '',
    'c/images/z.png': '',
  });
  assert.equal(findLabelFile(join(dir, 'a/images/x.jpg')).path, join(dir, 'a/images/x.txt'));
  assert.equal(findLabelFile(join(dir, 'b/images/y.png')).path, join(dir, 'b/labels/y.txt'));
  assert.deepEqual(findLabelFile(join(dir, 'c/images/z.png')), {
    path: undefined,
    tried: [join(dir, 'c/labels/z.txt'), join(dir, 'c/images/z.txt')],
  });
  assert.deepEqual(findLabelFile(join(dir, 'd/obj/w.png')).tried, [join(dir, 'd/obj/w.txt')]);
});

test('.data: keys, comments, first duplicate wins; valid= relative to cwd first, then to the .data directory', () => {
  const dir = tree({
    'cfg/obj.data': '# comment\nclasses= 2\ntrain = x\nvalid = list.txt\nvalid = other.txt\nnames = obj.names\nbackup=backup/\n',
    'cfg/list.txt': 'a.png\n',
    'cfg/obj.names': 'cat\ndog\n\n',
    'list.txt': 'b.png\n',
  });
  const fromRoot = parseDataFile(join(dir, 'cfg', 'obj.data'), dir);
  assert.equal(fromRoot.valid, join(dir, 'list.txt')); // darknet opens relative to the working directory
  const elsewhere = parseDataFile(join(dir, 'cfg', 'obj.data'), tmpdir());
  assert.equal(elsewhere.valid, join(dir, 'cfg', 'list.txt'));
  assert.deepEqual(elsewhere.names, ['cat', 'dog']);
  assert.equal(elsewhere.classes, 2);
  assert.deepEqual(elsewhere.warnings, []);
});

test('.data errors name the file and line and list the paths tried', () => {
  const dir = tree({ 'a.data': 'classes=2\nvalid=missing.txt\n', 'b.data': 'classes=two\nvalid=x\n', 'c.data': 'names=x\n' });
  assert.throws(
    () => parseDataFile(join(dir, 'a.data'), dir),
    (e: Error) => e instanceof DatasetError && /a\.data:2: valid=missing\.txt: no such file \(tried .*missing\.txt\)/.test(e.message),
  );
  assert.throws(() => parseDataFile(join(dir, 'b.data'), dir), /b\.data:1: classes=two is not a positive integer/);
  assert.throws(() => parseDataFile(join(dir, 'c.data'), dir), /c\.data: no valid= line/);
  assert.throws(() => parseDataFile(join(dir, 'none.data'), dir), /none\.data: no such file/);
});

test('labels: parsed, validated with file:line; a missing file is undefined (darknet: no objects)', () => {
  const dir = tree({
    'ok.txt': '0 0.5 0.5 0.2 0.3\n\n1 0.1 0.2 0.1 0.1 extra\n',
    'cls.txt': '0 .5 .5 .1 .1\n3 .5 .5 .1 .1\n',
    'num.txt': '0 .5 x .1 .1\n',
    'neg.txt': '-1 .5 .5 .1 .1\n',
  });
  assert.deepEqual(readLabels(join(dir, 'ok.txt'), 2), [
    { cls: 0, cx: 0.5, cy: 0.5, w: 0.2, h: 0.3 },
    { cls: 1, cx: 0.1, cy: 0.2, w: 0.1, h: 0.1 },
  ]);
  assert.equal(readLabels(join(dir, 'nope.txt'), 2), undefined);
  assert.throws(() => readLabels(join(dir, 'cls.txt'), 2), /cls\.txt:2: class 3 is outside 0…1/);
  assert.throws(() => readLabels(join(dir, 'num.txt'), 2), /num\.txt:1: box ".5 x .1 .1" is not four numbers/);
  assert.throws(() => readLabels(join(dir, 'neg.txt'), 2), /neg\.txt:1: class "-1" is not a non-negative integer/);
});

test('image list: paths resolved per line; iteration is lazy (labels read only when reached)', () => {
  const dir = tree({
    'd/images/a.png': '',
    'd/images/b.png': '',
    'd/labels/a.txt': '0 .5 .5 .1 .1\n',
    'd/labels/b.txt': 'garbage\n',
    'd/list.txt': 'images/a.png\n\nimages/b.png\n',
  });
  const list = readImageList(join(dir, 'd', 'list.txt'), dir, tmpdir());
  assert.deepEqual(list.images, [join(dir, 'd/images/a.png'), join(dir, 'd/images/b.png')]);
  const it = iterateDataset(list, 1);
  const first = it.next();
  assert.equal(first.done, false);
  assert.equal(first.value!.labels!.length, 1); // b's bad label file has not been touched yet
  assert.throws(() => it.next(), /b\.txt:1: expected "class cx cy w h"/);
  assert.deepEqual(
    [...iterateDataset(list, 1, 1)].map((x) => x.index),
    [0],
  );
  const bad = tree({ 'list.txt': 'a.png\nmissing.png\n', 'a.png': '' });
  assert.throws(() => readImageList(join(bad, 'list.txt'), bad, tmpdir()), /list\.txt:2: image missing\.png: no such file/);
});

function det(x: number, y: number, w: number, h: number, obj: number, cls: number[]): Detection {
  return { bbox: { x, y, w, h }, objectness: obj, prob: Float32Array.from(cls.map((c) => obj * c)), layer: 0 };
}

test('reference NMS: one label per box, MERGE of overlapping boxes weighted by conf, 2 px rule, classes kept apart', () => {
  const o = { conf: 0.001, nmsIou: 0.5, imageW: 100, imageH: 100, inNetW: 100, inNetH: 100 };
  const preds = referenceNms(
    [
      det(0.5, 0.5, 0.2, 0.2, 0.9, [1, 0.1]), // class 0, conf .9: box 40..60
      det(0.52, 0.5, 0.2, 0.2, 0.6, [1, 0.2]), // class 0, conf .6: box 42..62, IoU .82 → merged into the first
      det(0.5, 0.5, 0.2, 0.2, 0.8, [0.1, 1]), // class 1 at the same place: kept separately
      det(0.1, 0.1, 0.01, 0.2, 0.99, [1, 0]), // 1 px wide: dropped
    ],
    o,
  );
  assert.equal(preds.length, 2);
  assert.deepEqual(
    preds.map((p) => [p.cls, Number(p.conf.toFixed(6))]),
    [
      [0, 0.9],
      [1, 0.8],
    ],
  );
  const x1 = (0.9 * 40 + 0.6 * 42) / 1.5;
  assert.ok(Math.abs(preds[0].box[0] - x1) < 1e-4, `merged x1 ${preds[0].box[0]} vs ${x1}`);
  // Single-class nets: conf is the objectness (the class factor is forced to 1).
  const one = referenceNms([det(0.5, 0.5, 0.2, 0.2, 0.7, [0.5])], o);
  assert.ok(Math.abs(one[0].conf - 0.7) < 1e-6);
});
