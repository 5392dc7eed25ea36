// Real VS Code with the built .vsix: the pruning workflow a user sees. With synthesized weights
// beside yolov4-tiny.cfg: Show γ Histogram (chart with data, live figures, no CSP violation),
// Prune Channels from the histogram's button (the job finishes, the report shows the totals, the
// pruned cfg opens), and Compare with Original (a diff editor).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);
const weights = serializeWeights(net, synthesizeWeights(net));

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({ name: 'pruning', files: { 'models/yolov4-tiny.cfg': cfgText, 'models/yolov4-tiny.weights': weights } });
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

/**
 * Runs in a webview: the painted (non-transparent) pixels of the canvas with this test id when
 * there are more than `min`, else 0 (so that waitForFunction waits for them).
 */
function paintedPixelsOver({ id, min }: { id: string; min: number }): number {
  const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement | null;
  const ctx = c?.getContext('2d');
  if (!c || !ctx || c.width === 0 || c.height === 0) return 0;
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n > min ? n : 0;
}

/** Waits until the canvas with this test id in a webview has more than `min` painted pixels. */
async function waitForPaintedCanvas(frame: Frame, id: string, min = 1000): Promise<void> {
  try {
    await frame.waitForFunction(paintedPixelsOver, { id, min }, { timeout: TIMEOUT });
  } catch (e) {
    const n = await frame.evaluate(paintedPixelsOver, { id, min: -1 }).catch(() => 'unreadable');
    throw new Error(`the ${id} canvas has ${n} painted pixels, not more than ${min} (${(e as Error).message.split('\n')[0]})`, {
      cause: e,
    });
  }
}

let gammaFrame: Frame;

test('Show γ Histogram: the chart renders with data and the figures follow the percent', { timeout: TEST_TIMEOUT }, () =>
  step('gamma', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.runCommand('Darknet: Show γ Histogram');
    gammaFrame = await vs.webview('[data-testid="gamma-chart"]');
    const figParams = gammaFrame.locator('[data-testid="fig-params"]');
    await figParams.waitFor({ timeout: TIMEOUT });
    const title = await gammaFrame.locator('[data-testid="gamma-title"]').innerText();
    // yolov4-tiny's prunable set (docs/pruning.md §Fixtures): 15 layers, 2,528 γ.
    assert.match(title, /15 prunable layers, 2,528 channels/);
    await waitForPaintedCanvas(gammaFrame, 'gamma-chart');
    // The panel stylesheet gives the chart its height.
    await gammaFrame
      .waitForFunction(() => (document.querySelector('.chart')?.getBoundingClientRect().height ?? 0) >= 300, undefined, {
        timeout: TIMEOUT,
      })
      .catch(async () => {
        const h = await gammaFrame.evaluate(() => document.querySelector('.chart')?.getBoundingClientRect().height);
        assert.fail(`the panel stylesheet is not loaded (chart height ${h}px)`);
      });
    const at80 = await figParams.innerText();
    assert.match(at80, /params 6,056,606 → [\d,]+ \(-\d+\.\d%\)/);
    await gammaFrame.locator('[data-testid="percent-slider"]').fill('0.5');
    await figParams.filter({ hasNotText: at80 }).waitFor({ timeout: TIMEOUT });
    const at50 = await figParams.innerText();
    const after = (t: string) => Number(/→ ([\d,]+)/.exec(t)![1].replace(/,/g, ''));
    assert.ok(after(at50) > after(at80), `pruning less keeps more: ${at50} vs ${at80}`);
    // synthesized γ (U(0.5, 1.5)) were never sparsity-trained: the panel says so, with the numbers (docs/pruning.md §Sparsity verdict)
    assert.match(
      await gammaFrame.locator('[data-testid="verdict-text"]').innerText(),
      /^does not look sparsity-trained: 0\.0% of 2528 \|γ\|/,
    );
    assert.match(await gammaFrame.locator('[data-testid="verdict-warning"]').innerText(), /global percent 0\.5 cuts \d+ channel\(s\)/);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    await vs.screenshot('gamma-histogram');
  }),
);

test('the histogram is keyboard usable and comes back after a window reload', { timeout: TEST_TIMEOUT }, () =>
  step('gamma-reload', async () => {
    const slider = gammaFrame.locator('[data-testid="percent-slider"]');
    const percentField = () => gammaFrame.locator('[data-testid="percent-field"]');
    const before = await gammaFrame.locator('[data-testid="fig-params"]').innerText();
    await slider.focus();
    await slider.press('ArrowRight');
    await gammaFrame.locator('[data-testid="fig-params"]').filter({ hasNotText: before }).waitFor({ timeout: TIMEOUT });
    assert.equal(await percentField().evaluate((e) => (e as HTMLInputElement).value), '0.510');
    await vs.reloadWindow();
    gammaFrame = await vs.webview('[data-testid="fig-params"]');
    assert.equal(await percentField().evaluate((e) => (e as HTMLInputElement).value), '0.510', 'the percent is restored');
    assert.match(await gammaFrame.locator('[data-testid="gamma-title"]').innerText(), /15 prunable layers/);
    await waitForPaintedCanvas(gammaFrame, 'gamma-chart');
    await gammaFrame.locator('[data-testid="percent-slider"]').fill('0.5');
    await gammaFrame.waitForFunction(
      () => (document.querySelector('[data-testid="percent-field"]') as HTMLInputElement).value === '0.500',
      undefined,
      { timeout: TIMEOUT },
    );
  }),
);

test(
  'Prune Channels from the histogram: the job finishes, the report shows the totals, the pruned cfg opens',
  { timeout: TEST_TIMEOUT },
  () =>
    step('prune', async () => {
      await gammaFrame.locator('[data-testid="prune-button"]').click();
      // The method (slim, the default, is listed first), then the output folder (default accepted);
      // the percent and layer_keep come from the histogram.
      await vs.pickItem({ title: 'Prune channels: method' }, 'slim');
      await vs.answerInput('Output folder', { expectValue: join(vs.workspace, 'models', 'yolov4-tiny-pruned-50') });
      // the CLI's note warning (synthesized γ were never sparsity-trained) reaches the user with its numbers, while the job runs
      const warning = vs.waitForNotification(/Prune channels \(slim, 0\.5\): global percent 0\.5 cuts \d+ channel/, JOB_TIMEOUT);
      const done = await vs.waitForNotification(/Prune channels (finished|failed|cancelled)/, JOB_TIMEOUT);
      assert.match(done, /Prune channels finished\./, `the job did not finish: ${done}`);
      const warned = await warning;
      assert.match(warned, /whose \|γ\| are not near zero: threshold [\d.]+ = [\d.]+× the γ scale/);
      await vs.waitForFiles('models/yolov4-tiny-pruned-50', ['yolov4-tiny-pruned.cfg', 'yolov4-tiny-pruned.weights', 'prune-report.json']);
      const report = await vs.webview('[data-testid="total-params"]');
      const params = await report.locator('[data-testid="total-params"]').innerText();
      assert.match(params, /6,056,606\s+[\d,]+\s+-\d+\.\d%/);
      assert.match(await report.locator('[data-testid="report-title"]').innerText(), /yolov4-tiny-pruned\.cfg/);
      await waitForPaintedCanvas(report, 'report-chart');
      await vs.page.locator('.tabs-container .tab[data-resource-name="yolov4-tiny-pruned.cfg"]').waitFor({ timeout: TIMEOUT });
      assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
      await vs.screenshot('prune-report');
    }),
);

test('Compare with Original opens a diff editor on the two cfgs', { timeout: TEST_TIMEOUT }, () =>
  step('compare', async () => {
    await vs.openFile('models/yolov4-tiny-pruned-50/yolov4-tiny-pruned.cfg');
    await vs.runCommand('Darknet: Compare with Original');
    await vs.page.locator('.editor-group-container.active .monaco-diff-editor').waitFor({ state: 'visible', timeout: TIMEOUT });
    await vs.page
      .locator('.tabs-container .tab.active', { hasText: /yolov4-tiny\.cfg ↔ yolov4-tiny-pruned\.cfg/ })
      .waitFor({ timeout: TIMEOUT });
    await vs.screenshot('compare-with-original');
  }),
);
