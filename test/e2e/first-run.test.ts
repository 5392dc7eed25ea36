// Real VS Code with the built .vsix: what a newcomer meets — the walkthrough (its steps listed), a
// cfg's weights synthesized by a command (a CLI job), and the runtime status document (the CLI's
// `env` run as a job: the editor loads no runtime itself; from the bare .vsix, which ships no
// TensorFlow.js, the document says why env cannot run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VSCode, corpusDir, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT } from './harness';
import { repoRoot } from '../package/vsix';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const walkthrough = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { walkthroughs: { title: string; steps: { title: string }[] }[] };
  }
).contributes.walkthroughs[0];

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({ name: 'first-run', files: { 'models/yolov4-tiny.cfg': cfgText } });
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

test('the walkthrough lists its steps', { timeout: TEST_TIMEOUT }, () =>
  step('walkthrough', async () => {
    // The pick lists the walkthroughs registered when it opens: first wait until the extension's
    // contributions are registered (a cfg opens in its language), a state, not a guess of time.
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.page.locator('.statusbar-item[id="status.editor.mode"]', { hasText: 'Darknet cfg' }).waitFor({ timeout: TIMEOUT });
    await vs.runCommand('Welcome: Open Walkthrough...');
    // Enter on the active row (pickItem), not a click: the row's description hover can cover the row under the pointer.
    await vs.pickItem({ placeholder: 'Select a walkthrough to open' }, walkthrough.title, { filter: walkthrough.title });
    for (const s of walkthrough.steps) await vs.waitForText(s.title, { within: '.gettingStartedContainer' });
    await vs.screenshot('walkthrough');
  }),
);

test('Synthesize Weights writes the weights beside the cfg', { timeout: TEST_TIMEOUT }, () =>
  step('synthesize', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.runCommand('Darknet: Synthesize Weights…');
    await vs.waitForText(/Wrote yolov4-tiny\.weights/, { timeout: JOB_TIMEOUT });
    const weights = vs.path('models/yolov4-tiny.weights');
    assert.ok(existsSync(weights));
    // 6,056,606 params + BN running mean/variance, as floats, after a 20-byte header
    assert.ok(statSync(weights).size > 24_000_000, `${statSync(weights).size} bytes`);
  }),
);

test('Show Runtime Status opens the report of darknet-pruner env', { timeout: TEST_TIMEOUT }, () =>
  step('runtime-status', async () => {
    await vs.runCommand('Darknet: Show Runtime Status');
    await vs.page.locator('.tabs-container .tab.active', { hasText: 'Runtime Status.md' }).waitFor({ timeout: JOB_TIMEOUT });
    await vs.waitForText('Darknet Pruner: runtime status', { within: vs.editor() });
    // The .vsix ships no TensorFlow.js: the document then says so (a checkout's env reports the backends).
    // \s: the editor renders spaces as U+00A0
    await vs.waitForText(/Backend\sfor\seach\sjob|could\snot\srun\son/, { within: vs.editor() });
    await vs.screenshot('runtime-status');
  }),
);
