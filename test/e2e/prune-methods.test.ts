// Real VS Code: Prune Channels… from the command palette with the methods that take no layer_keep
// (shortcut, regular) runs its job to the end — the extension builds the CLI's argv with
// core/src/protocol/jobs.ts, which passes --layer-keep only for slim (the CLI refuses it for the
// others; before, these two methods always failed). Each run opens its report naming the method.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({ name: 'prune-methods', files: { 'models/yolov4-tiny.cfg': cfgText, 'models/yolov4-tiny.weights': serializeWeights(net, synthesizeWeights(net)) } });
});
after(async () => { await vs?.close(); });

/** Answers the quick input step with this title: optionally types a value (or a pick's filter), then Enter. */
async function answer(title: string, value?: string): Promise<void> {
  const quick = vs.page.locator('.quick-input-widget');
  await quick.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: TIMEOUT });
  if (value !== undefined) await quick.locator('input.input').first().fill(value);
  await vs.page.keyboard.press('Enter');
}

async function pruneFromPalette(method: 'shortcut' | 'regular', outDir: string): Promise<void> {
  // Not vs.runCommand: the command answers with its own quick inputs, so the widget never closes.
  const quick = vs.page.locator('.quick-input-widget');
  await vs.page.keyboard.press('F1');
  await quick.waitFor({ state: 'visible', timeout: TIMEOUT });
  await quick.locator('input.input').first().fill('>Darknet: Prune Channels…');
  await quick.locator('.quick-input-list .monaco-list-row', { hasText: /^Darknet: Prune Channels…/ }).first().click();
  await answer('Prune channels: global percent', '0.5');
  await answer('Prune channels: method', method);
  // No layer_keep step for this method: straight to the output folder.
  await answer('Output folder');
  const toast = vs.page.locator('.notification-toast', { hasText: /Prune channels (finished|failed)/ }).first();
  await toast.waitFor({ state: 'visible', timeout: 120_000 });
  const text = (await toast.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /Prune channels finished\./, `the job did not finish: ${text}`);
  const report = await vs.webview(`p:has-text("channel (${method})")`, TIMEOUT);
  assert.match(await report.locator('[data-testid="total-params"]').innerText(), /6,056,606\s+[\d,]+\s+-\d+\.\d%/);
  const written = JSON.parse(readFileSync(join(vs.workspace, 'models', outDir, 'prune-report.json'), 'utf8')) as { stages: { method: string; parameters: { layerKeep: number | null } }[] };
  assert.equal(written.stages[0].method, method);
  assert.equal(written.stages[0].parameters.layerKeep, null);
  assert.ok(existsSync(join(vs.workspace, 'models', outDir, 'yolov4-tiny-pruned.weights')));
  await vs.screenshot(`prune-${method}`);
  await vs.runCommand('Notifications: Clear All Notifications');
}

async function step(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await vs.screenshot(`${name}-FAILED`).catch(() => undefined);
    throw e;
  }
}

test('Prune Channels… with method shortcut finishes its job and opens the report', { timeout: 240_000 }, () =>
  step('shortcut', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await pruneFromPalette('shortcut', 'yolov4-tiny-pruned-50');
  }));

test('Prune Channels… with method regular finishes its job and opens the report', { timeout: 240_000 }, () =>
  step('regular', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    // The default output folder moves on: the first run's folder is not empty.
    await pruneFromPalette('regular', 'yolov4-tiny-pruned-50-2');
  }));
