// Content-based detection for `.cfg` files that VS Code opened as Properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, corpusCfgs, readCfg } from '../corpus';
import { FIRST_LINE, firstLineOf, looksLikeMisdetectedCfg } from '../../client/src/detect';
import { LANGUAGE_ID } from '../../client/src/constants';

test('the client uses the same first-line rule as package.json', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    contributes: { languages: { id: string; firstLine?: string }[] };
  };
  assert.equal(FIRST_LINE.source, pkg.contributes.languages.find((l) => l.id === LANGUAGE_ID)!.firstLine);
});

test('firstLineOf handles LF, CRLF, CR, a BOM and one-line texts', () => {
  assert.equal(firstLineOf('[net]\nwidth=1'), '[net]');
  assert.equal(firstLineOf('[net]\r\nwidth=1'), '[net]');
  assert.equal(firstLineOf('[net]\rwidth=1'), '[net]');
  assert.equal(firstLineOf('\uFEFF[network]\n'), '[network]');
  assert.equal(firstLineOf('[net]'), '[net]');
  assert.equal(firstLineOf(''), '');
});

test('misdetected .cfg documents: generic language, .cfg name, [net]/[network] first line', () => {
  assert.equal(looksLikeMisdetectedCfg('properties', '/m/custom.cfg', '[net]'), true);
  assert.equal(looksLikeMisdetectedCfg('ini', 'C:\\m\\CUSTOM.CFG', ' [ network ] '), true);
  assert.equal(looksLikeMisdetectedCfg('plaintext', '/m/custom.cfg', '[net]'), true);
  assert.equal(looksLikeMisdetectedCfg('properties', '/p/setup.cfg', '[metadata]'), false);
  assert.equal(looksLikeMisdetectedCfg('properties', '/m/custom.conf', '[net]'), false);
  assert.equal(looksLikeMisdetectedCfg('python', '/m/custom.cfg', '[net]'), false);
  assert.equal(looksLikeMisdetectedCfg(LANGUAGE_ID, '/m/custom.cfg', '[net]'), false);
  assert.equal(looksLikeMisdetectedCfg('properties', '/m/custom.cfg', '# [net]'), false);
  for (const name of corpusCfgs())
    assert.equal(looksLikeMisdetectedCfg('properties', `/x/${name}`, firstLineOf(readCfg(name))), true, name);
});
