// Real VS Code: a darknet.* setting changed while the server runs reaches it — the server pulls the
// `darknet` section (workspace/configuration) when VS Code reports a change, without the client's
// deprecated configurationSection push — and the inlay hints follow.
import { test, before, after } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VSCode, corpusDir, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({ name: 'settings', files: { 'models/yolov4-tiny.cfg': cfgText } });
});
after(async () => {
  await vs?.close();
});

test('turning off darknet.inlayHints.layerIndex drops the layer index from the hints', { timeout: TEST_TIMEOUT }, async () => {
  try {
    await vs.openFile('models/yolov4-tiny.cfg');
    const firstConv = vs.editor().locator('.view-line', { hasText: '[convolutional]' }).first();
    // Layer 0 of yolov4-tiny: "[convolutional] 0 → 208×208×32".
    await firstConv.filter({ hasText: /0\s*→\s*208×208×32/ }).waitFor({ timeout: TIMEOUT });
    mkdirSync(join(vs.workspace, '.vscode'), { recursive: true });
    writeFileSync(join(vs.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'darknet.inlayHints.layerIndex': false }));
    await firstConv.filter({ hasText: /\]\s*→\s*208×208×32/ }).waitFor({ timeout: TIMEOUT });
    await vs.screenshot('layer-index-off');
  } catch (e) {
    await vs.screenshot('settings-FAILED').catch(() => undefined);
    throw e;
  }
});
