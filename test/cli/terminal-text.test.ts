// What the CLI prints from a cfg cannot drive the terminal: escape sequences (clear screen, window
// title), C1 controls and bidi overrides in section names or values are printed as visible escapes,
// in check, info and the errors of the commands that refuse a cfg; --json stays valid JSON.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCfg } from '../corpus';
import { runMain } from './in-process';

const work = mkdtempSync(join(tmpdir(), 'dp-terminal-'));
after(() => rmSync(work, { recursive: true, force: true }));

// ESC [2J clears the screen, ESC ]0;…BEL sets the title, U+009B is a one-character CSI, U+202E flips the text.
const NASTY = '\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e';
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex -- what must not reach the terminal

const cfg = join(work, 'nasty.cfg');
writeFileSync(
  cfg,
  readCfg('yolov3-tiny.cfg').replace('activation=leaky', `activation=${NASTY}leaky`).replace('[maxpool]', `[maxpool${NASTY}]`),
);

const cli = (...argv: string[]) => runMain(argv);

test('check prints the cfg text with visible escapes', async () => {
  const r = await cli('check', cfg);
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.out + r.err, RAW);
  assert.ok(r.out.includes('"\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202eleaky" is not a valid activation'), r.out);
  assert.ok(r.out.includes('"[maxpool\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202e]"'), r.out);
});

test('check --json is the same JSON value, with no raw control characters on the terminal', async () => {
  const r = await cli('check', cfg, '--json');
  assert.doesNotMatch(r.out, RAW);
  const j = JSON.parse(r.out) as { diagnostics: { code: string; message: string }[] };
  assert.ok(
    j.diagnostics.some((d) => d.message.includes(`"${NASTY}leaky"`)),
    'the message itself is unchanged',
  );
});

test('info and the refusing commands escape it too', async () => {
  const info = await cli('info', cfg);
  assert.equal(info.code, 1);
  assert.doesNotMatch(info.out + info.err, RAW);
  assert.ok(info.out.includes('maxpool\\x1b[2J'), info.out);
  const infoJson = await cli('info', cfg, '--json');
  assert.doesNotMatch(infoJson.out, RAW);
  JSON.parse(infoJson.out);
  const synth = await cli('weights', 'synth', cfg, '-o', join(work, 'x.weights'));
  assert.equal(synth.code, 1);
  assert.doesNotMatch(synth.err, RAW);
  assert.match(synth.err, /\\x1b\[2J/);
});
