// The client's typed settings: a value of the declared type is used, anything else (unset, wrong
// type, not in the enum, not finite) falls back to the declared default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSetting, SETTINGS } from '../../client/src/config/settings';

const config = (values: Record<string, unknown>) => ({ get: <T>(key: string) => values[key] as T });

test('values of the declared type are read as they are', () => {
  const c = config({ 'diagnostics.debounceMs': 0, detectByFirstLine: false, 'trace.server': 'verbose', 'pruner.nodePath': '/opt/node' });
  assert.equal(readSetting(c, 'diagnostics.debounceMs'), 0);
  assert.equal(readSetting(c, 'detectByFirstLine'), false);
  assert.equal(readSetting(c, 'trace.server'), 'verbose');
  assert.equal(readSetting(c, 'pruner.nodePath'), '/opt/node');
});

test('unset or malformed values give the default', () => {
  const c = config({
    'diagnostics.debounceMs': 'fast',
    detectByFirstLine: 'yes',
    'trace.server': 'loud',
    'codeLens.enable': null,
    'inlayHints.references': 1,
  });
  for (const key of Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]) assert.equal(readSetting(c, key), SETTINGS[key].default, key);
  assert.equal(readSetting(config({ 'diagnostics.debounceMs': Number.NaN }), 'diagnostics.debounceMs'), 50);
});
