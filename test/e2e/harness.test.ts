// Checks the e2e harness itself against VS Code's own features, so that a failure in a feature
// test points at the feature and not at the harness: webview frame access (the built-in Markdown
// preview is a webview), the command palette, Quick Open, and a clean shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { VSCode, TEST_TIMEOUT, TIMEOUT } from './harness';

let vs: VSCode;

before(async () => {
  vs = await VSCode.start({
    name: 'harness',
    files: {
      'docs/notes.md': '# Harness heading\n\nA paragraph with *emphasis*.\n',
      'top.txt': 'line one\nline two has a marker\n',
    },
  });
});

after(async () => {
  await vs?.close();
});

test('the installed extension is listed by code-server', { timeout: TEST_TIMEOUT }, async () => {
  const r = await vs.listExtensions();
  assert.ok(
    r.some((id) => id.startsWith('darknet-pruner.darknet-pruner')),
    `installed: ${r.join(', ')}`,
  );
});

test('openFile opens a file at the workspace root; goTo and columnOf place the cursor', { timeout: TEST_TIMEOUT }, async () => {
  await vs.openFile('top.txt');
  await vs.goTo(vs.lineOf('marker'), vs.columnOf(2, 'marker'));
  assert.match(await vs.statusItem('status.editor.selection'), /Ln 2, Col 16/);
});

test('openFile, runCommand and webview frames work on a built-in webview', { timeout: TEST_TIMEOUT }, async () => {
  await vs.openFile('docs/notes.md');
  await vs.runCommand('Markdown: Open Preview to the Side');
  const frame = await vs.webview('h1');
  assert.equal((await frame.locator('h1').innerText()).trim(), 'Harness heading');
  assert.equal((await frame.locator('em').innerText()).trim(), 'emphasis');
  await vs.waitForText('Preview notes.md', { within: '.tabs-container', timeout: TIMEOUT });
  await vs.screenshot('markdown-preview');
});

test('close() kills the code-server process group and removes the temporary folders', { timeout: TEST_TIMEOUT }, async () => {
  const pid = vs.serverPid;
  const tmp = vs.tempDir;
  assert.ok(pid && existsSync(tmp));
  await vs.close();
  assert.throws(() => process.kill(-pid, 0), /ESRCH/, 'a process of the code-server group is still alive');
  assert.equal(existsSync(tmp), false, `${tmp} still exists`);
});
