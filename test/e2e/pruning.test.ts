// Real VS Code with the built .vsix: the pruning workflow a user sees. With synthesized weights
// beside yolov4-tiny.cfg: Show γ Histogram (chart with data, live figures, no CSP violation),
// Prune Channels from the histogram's button (the job finishes, the report shows the totals, the
// pruned cfg opens), and Compare with Original (a diff editor).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);
const weights = serializeWeights(net, synthesizeWeights(net));

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({ name: 'pruning', files: { 'models/yolov4-tiny.cfg': cfgText, 'models/yolov4-tiny.weights': weights } });
});
after(async () => { await vs?.close(); });

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    await vs.screenshot(`${name}-FAILED`).catch(() => undefined);
    if (e instanceof Error) e.message += `\nCSP violations: ${vs.cspViolations.join('\n') || 'none'}\nconsole errors: ${vs.consoleErrors.slice(-10).join('\n')}`;
    throw e;
  }
}

/** Painted (non-transparent) pixels of the first canvas in a webview. */
async function paintedPixels(frame: Frame, testid: string): Promise<number> {
  return frame.evaluate((id) => {
    const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement | null;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || c.width === 0 || c.height === 0) return 0;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }, testid);
}

let gammaFrame: Frame;

test('Show γ Histogram: the chart renders with data and the figures follow the percent', { timeout: 180_000 }, () =>
  step('gamma', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.runCommand('Darknet: Show γ Histogram');
    gammaFrame = await vs.webview('[data-testid="gamma-chart"]');
    await gammaFrame.locator('[data-testid="fig-params"]').waitFor({ timeout: TIMEOUT });
    const title = await gammaFrame.locator('[data-testid="gamma-title"]').innerText();
    // yolov4-tiny's prunable set (pruning.md appendix): 15 layers, 2,528 γ.
    assert.match(title, /15 prunable layers, 2,528 channels/);
    assert.ok((await paintedPixels(gammaFrame, 'gamma-chart')) > 1000, 'the histogram canvas is painted');
    const chartHeight = await gammaFrame.evaluate(() => document.querySelector('.chart')!.getBoundingClientRect().height);
    assert.ok(chartHeight >= 300, `the panel stylesheet is loaded (chart height ${chartHeight}px)`);
    const at80 = await gammaFrame.locator('[data-testid="fig-params"]').innerText();
    assert.match(at80, /params 6,056,606 → [\d,]+ \(-\d+\.\d%\)/);
    await gammaFrame.locator('[data-testid="percent-slider"]').fill('0.5');
    await gammaFrame.locator('[data-testid="fig-params"]').filter({ hasNotText: at80 }).waitFor({ timeout: TIMEOUT });
    const at50 = await gammaFrame.locator('[data-testid="fig-params"]').innerText();
    const after = (t: string) => Number(/→ ([\d,]+)/.exec(t)![1].replace(/,/g, ''));
    assert.ok(after(at50) > after(at80), `pruning less keeps more: ${at50} vs ${at80}`);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    await vs.screenshot('gamma-histogram');
  }));

test('the histogram is keyboard usable and comes back after a window reload', { timeout: 180_000 }, () =>
  step('gamma-reload', async () => {
    const slider = gammaFrame.locator('[data-testid="percent-slider"]');
    const before = await gammaFrame.locator('[data-testid="fig-params"]').innerText();
    await slider.focus();
    await slider.press('ArrowRight');
    await gammaFrame.locator('[data-testid="fig-params"]').filter({ hasNotText: before }).waitFor({ timeout: TIMEOUT });
    const percent = await gammaFrame.locator('[data-testid="percent-field"]').evaluate((e) => (e as HTMLInputElement).value);
    assert.equal(percent, '0.510');
    await vs.runCommand('Developer: Reload Window');
    await vs.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: TIMEOUT });
    gammaFrame = await vs.webview('[data-testid="fig-params"]', 60_000);
    assert.equal(await gammaFrame.locator('[data-testid="percent-field"]').evaluate((e) => (e as HTMLInputElement).value), '0.510', 'the percent is restored');
    assert.match(await gammaFrame.locator('[data-testid="gamma-title"]').innerText(), /15 prunable layers/);
    assert.ok((await paintedPixels(gammaFrame, 'gamma-chart')) > 1000, 'the chart is drawn again');
    await gammaFrame.locator('[data-testid="percent-slider"]').fill('0.5');
    await gammaFrame.waitForFunction(() => (document.querySelector('[data-testid="percent-field"]') as HTMLInputElement).value === '0.500', undefined, { timeout: TIMEOUT });
  }));

test('Prune Channels from the histogram: the job finishes, the report shows the totals, the pruned cfg opens', { timeout: 240_000 }, () =>
  step('prune', async () => {
    await gammaFrame.locator('[data-testid="prune-button"]').click();
    // Method (slim is first), then the output folder (default accepted).
    const quick = vs.page.locator('.quick-input-widget');
    await quick.waitFor({ state: 'visible', timeout: TIMEOUT });
    await vs.page.keyboard.press('Enter');
    await quick.locator('.quick-input-title', { hasText: 'Output folder' }).waitFor({ timeout: TIMEOUT });
    await vs.page.keyboard.press('Enter');
    const report = await vs.webview('[data-testid="total-params"]', 120_000);
    const params = await report.locator('[data-testid="total-params"]').innerText();
    assert.match(params, /6,056,606\s+[\d,]+\s+-\d+\.\d%/);
    assert.match(await report.locator('[data-testid="report-title"]').innerText(), /yolov4-tiny-pruned\.cfg/);
    assert.ok((await paintedPixels(report, 'report-chart')) > 1000, 'the per-layer chart is painted');
    await vs.page.locator('.tabs-container .tab[data-resource-name="yolov4-tiny-pruned.cfg"]').waitFor({ timeout: TIMEOUT });
    const out = join(vs.workspace, 'models', 'yolov4-tiny-pruned-50');
    for (const f of ['yolov4-tiny-pruned.cfg', 'yolov4-tiny-pruned.weights', 'prune-report.json']) assert.ok(existsSync(join(out, f)), f);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    await vs.screenshot('prune-report');
  }));

test('Compare with Original opens a diff editor on the two cfgs', { timeout: 120_000 }, () =>
  step('compare', async () => {
    await vs.openFile('models/yolov4-tiny-pruned-50/yolov4-tiny-pruned.cfg');
    await vs.runCommand('Darknet: Compare with Original');
    await vs.page.locator('.editor-group-container.active .monaco-diff-editor').waitFor({ state: 'visible', timeout: TIMEOUT });
    await vs.page.locator('.tabs-container .tab.active', { hasText: /yolov4-tiny\.cfg ↔ yolov4-tiny-pruned\.cfg/ }).waitFor({ timeout: TIMEOUT });
    await vs.screenshot('compare-with-original');
  }));
