// replaceDir (core/src/io/atomic.ts): a finished temporary directory renamed over an existing one,
// whose previous contents come back if the rename fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceDir, tempPathFor } from '../../core/src/io/atomic';
import { tempDir } from '../tmp';

function folderWith(path: string, text: string): string {
  mkdirSync(path);
  writeFileSync(join(path, 'file.txt'), text);
  return path;
}

test('replaceDir puts the new directory in place and removes the old one', () => {
  const parent = tempDir('dp-replace-dir-');
  const dest = folderWith(join(parent, 'out'), 'old');
  const tmp = folderWith(tempPathFor(dest), 'new');
  replaceDir(tmp, dest);
  assert.equal(readFileSync(join(dest, 'file.txt'), 'utf8'), 'new');
  assert.deepEqual(readdirSync(parent), ['out']);
});

test('replaceDir into a new place', () => {
  const parent = tempDir('dp-replace-dir-');
  const dest = join(parent, 'out');
  replaceDir(folderWith(tempPathFor(dest), 'new'), dest);
  assert.equal(readFileSync(join(dest, 'file.txt'), 'utf8'), 'new');
  assert.deepEqual(readdirSync(parent), ['out']);
});

test('replaceDir puts the old directory back when the rename fails', () => {
  const parent = tempDir('dp-replace-dir-');
  const dest = folderWith(join(parent, 'out'), 'old');
  const gone = tempPathFor(dest); // never made: renaming it over dest fails after dest was moved aside
  assert.throws(() => replaceDir(gone, dest), { code: 'ENOENT' });
  assert.equal(readFileSync(join(dest, 'file.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(parent), ['out'], 'nothing hidden left beside it');
});
