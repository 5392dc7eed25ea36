// Real VS Code, workspace trust on and the workspace not trusted (Restricted Mode): package.json
// declares limited support, so the extension runs — the language server answers and the γ
// histogram opens — but each command that would start a darknet-pruner process refuses with a
// message saying why, from the palette and from the histogram's Prune button, and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({
    name: 'untrusted',
    trusted: false,
    files: {
      'models/yolov4-tiny.cfg': cfgText,
      'models/yolov4-tiny.weights': serializeWeights(net, synthesizeWeights(net)),
      // A workspace-chosen executable: never to be run without trust.
      '.vscode/settings.json': JSON.stringify({ 'darknet.pruner.nodePath': './not-node' }),
    },
  });
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

const models = () => readdirSync(join(vs.workspace, 'models')).sort();

/** The refusal toast for a job command, with its button; then cleared. */
async function expectRefusal(title: string): Promise<void> {
  const text = await vs.waitForNotification('Restricted Mode does not allow');
  assert.match(
    text,
    new RegExp(
      `${title} runs the darknet-pruner command line, which Restricted Mode does not allow\\. Trust this workspace to run pruning jobs\\.`,
    ),
  );
  assert.match(text, /Manage Workspace Trust/);
  await vs.screenshot(`refused-${title.replace(/ /g, '-').toLowerCase()}`);
  await vs.clearNotifications();
}

test('the workspace is in Restricted Mode and the language server answers', { timeout: TEST_TIMEOUT }, () =>
  step('language', async () => {
    await vs.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: TIMEOUT });
    await vs.openFile('models/yolov4-tiny.cfg');
    const line = cfgText.split('\n').findIndex((l) => l.trim() === '[convolutional]') + 1;
    assert.match(await vs.hoverAt(line, '[convolutional]', { expect: 'Layer 0' }), /416×416×3 → 208×208×32/);
    await vs.dismiss();
  }),
);

test('Prune Channels…, Prune Layers… and Pruning Sweep… refuse without asking anything', { timeout: TEST_TIMEOUT }, () =>
  step('refuse', async () => {
    for (const title of ['Prune Channels', 'Prune Layers', 'Pruning Sweep']) {
      await vs.runCommand(`Darknet: ${title}…`);
      await expectRefusal(title);
      assert.equal(await vs.page.locator('.quick-input-widget').isVisible(), false, `${title} asked for input`);
    }
    assert.deepEqual(models(), ['yolov4-tiny.cfg', 'yolov4-tiny.weights']);
  }),
);

test('the γ histogram works, and its Prune button refuses too', { timeout: TEST_TIMEOUT }, () =>
  step('gamma', async () => {
    await vs.runCommand('Darknet: Show γ Histogram');
    const gamma = await vs.webview('[data-testid="gamma-chart"]');
    await gamma.locator('[data-testid="fig-params"]').waitFor({ timeout: TIMEOUT });
    await gamma.locator('[data-testid="prune-button"]').click();
    await expectRefusal('Prune Channels');
    assert.deepEqual(models(), ['yolov4-tiny.cfg', 'yolov4-tiny.weights']);
  }),
);
