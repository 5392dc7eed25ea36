// Real VS Code: Prune Channels… from the command palette with the methods that take no layer_keep
// (shortcut, regular) runs its job to the end — the extension builds the CLI's argv with
// core/src/protocol/jobs.ts, which passes --layer-keep only for slim (the CLI refuses it for the
// others; before, these two methods always failed). Each run opens its report naming the method.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({
    name: 'prune-methods',
    files: { 'models/yolov4-tiny.cfg': cfgText, 'models/yolov4-tiny.weights': serializeWeights(net, synthesizeWeights(net)) },
  });
});
after(async () => {
  await vs?.close();
});

async function pruneFromPalette(method: 'shortcut' | 'regular', outDir: string): Promise<void> {
  await vs.runCommand('Darknet: Prune Channels…');
  await vs.answerInput('Prune channels: global percent', { type: '0.5' });
  await vs.pickItem({ title: 'Prune channels: method' }, method, { filter: method });
  // No layer_keep step for this method: straight to the output folder, whose default is outDir.
  await vs.answerInput('Output folder', { expectValue: join(vs.workspace, 'models', outDir) });
  const done = await vs.waitForNotification(/Prune channels (finished|failed|cancelled)/, JOB_TIMEOUT);
  assert.match(done, /Prune channels finished\./, `the job did not finish: ${done}`);
  const report = await vs.webview(`p:has-text("channel (${method})")`);
  const totalParams = report.locator('[data-testid="total-params"]');
  await totalParams.waitFor({ timeout: TIMEOUT });
  assert.match(await totalParams.innerText(), /6,056,606\s+[\d,]+\s+-\d+\.\d%/);
  await vs.waitForFiles(`models/${outDir}`, ['prune-report.json', 'yolov4-tiny-pruned.cfg', 'yolov4-tiny-pruned.weights']);
  const written = JSON.parse(readFileSync(join(vs.workspace, 'models', outDir, 'prune-report.json'), 'utf8')) as {
    stages: { method: string; parameters: { layerKeep: number | null } }[];
  };
  assert.equal(written.stages[0].method, method);
  assert.equal(written.stages[0].parameters.layerKeep, null);
  await vs.screenshot(`prune-${method}`);
  // The next run waits for its own notification, not this one.
  await vs.clearNotifications();
}

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

test('Prune Channels… with method shortcut finishes its job and opens the report', { timeout: TEST_TIMEOUT }, () =>
  step('shortcut', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await pruneFromPalette('shortcut', 'yolov4-tiny-pruned-50');
  }),
);

test('Prune Channels… with method regular finishes its job and opens the report', { timeout: TEST_TIMEOUT }, () =>
  step('regular', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    // The default output folder moves on: the first run's folder is not empty.
    await pruneFromPalette('regular', 'yolov4-tiny-pruned-50-2');
  }),
);
