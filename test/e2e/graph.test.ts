// Real VS Code with the built .vsix: the network graph of yolov4-tiny.cfg — drawn from the language
// server's graph (38 layers, the two heads, no CSP violation); a click on a layer puts the editor on
// its section; the cursor in the cfg highlights its layer; editing a route's `layers=` moves its
// edge; the panel comes back after a window reload; the γ histogram's threshold colours its layers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, pollUntil, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const lines = cfgText.split('\n');
/** 1-based line of layer i's section header ([net] is not a layer). */
const headerLine = (i: number) => lines.map((l, n) => (/^\[/.test(l) && !/^\[net\]/.test(l) ? n + 1 : -1)).filter((n) => n > 0)[i];

let vs: VSCode;
let frame: Frame;
before(async () => {
  const net = analyseText(cfgText);
  vs = await VSCode.start({
    name: 'graph',
    files: { 'models/yolov4-tiny.cfg': cfgText, 'models/yolov4-tiny.weights': serializeWeights(net, synthesizeWeights(net)) },
  });
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

const edge = (from: number, to: number) => frame.locator(`path.edge[data-from="${from}"][data-to="${to}"]`);

test('Show Network Graph draws every layer, the heads and the route edges', { timeout: TEST_TIMEOUT }, () =>
  step('graph-open', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.runCommand('Darknet: Show Network Graph');
    frame = await vs.webview('[data-testid="graph-svg"] .node');
    await frame.locator('.node').nth(37).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.locator('.node').count(), 38);
    assert.deepEqual(await frame.locator('.node.head').evaluateAll((es) => es.map((e) => e.getAttribute('data-index'))), ['30', '37']);
    assert.match(await frame.locator('[data-testid="graph-title"]').innerText(), /yolov4-tiny\.cfg — 38 layers · input 416×416×3/);
    // layer 8: [route] layers = -6,-1
    assert.equal(await edge(2, 8).getAttribute('data-kind'), 'route');
    assert.equal(await edge(7, 8).getAttribute('data-kind'), 'route');
    assert.match((await frame.locator('.node[data-index="3"] title').textContent()) ?? '', /output 104×104×32/);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    await vs.screenshot('network-graph');
  }),
);

test('a click on a layer shows its section in the editor; the cursor highlights its layer', { timeout: TEST_TIMEOUT }, () =>
  step('graph-navigate', async () => {
    await frame.locator('[data-testid="graph-search"] input').fill('20');
    await frame.locator('[data-testid="graph-found"]', { hasText: '1 of 1 layer' }).waitFor({ timeout: TIMEOUT });
    await frame.locator('.node[data-index="20"]').click();
    const line = headerLine(20);
    await vs.page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .filter({ hasText: new RegExp(`Ln ${line}, Col 1\\b`) })
      .waitFor({ timeout: TIMEOUT });
    await vs.goTo(headerLine(10) + 2);
    await frame.locator('.node.cursor[data-index="10"]').waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.locator('.node.cursor').count(), 1);
  }),
);

test("the γ histogram's threshold colours the graph of the same cfg", { timeout: TEST_TIMEOUT }, () =>
  step('graph-gamma', async () => {
    // Quick Open opens the cfg in the active group, which after a click in the graph may be the
    // graph's own: put the focus on the first group (the cfg's) first, so the graph stays in sight.
    await vs.runCommand('View: Focus First Editor Group');
    await vs.page.locator('.editor-group-container.active .tab.active[data-resource-name="yolov4-tiny.cfg"]').waitFor({ timeout: TIMEOUT });
    await vs.openFile('models/yolov4-tiny.cfg');
    await vs.runCommand('Darknet: Show γ Histogram');
    const gamma = await vs.webview('[data-testid="fig-params"]');
    await gamma.locator('[data-testid="percent-slider"]').fill('0.5');
    frame = await vs.webview('[data-testid="graph-svg"] .node');
    await frame
      .locator('[data-testid="graph-legend"]', { hasText: /channels kept at γ threshold [\d.e-]+ \(global percent 0\.5\)/ })
      .waitFor({ timeout: TIMEOUT });
    // yolov4-tiny's 15 prunable layers (docs/pruning.md appendix) are filled by their kept fraction.
    assert.equal(await frame.locator('.node.overlaid').count(), 15);
    // The γ panel may cover the graph's editor group: the link is clicked by event.
    await frame.locator('[data-testid="graph-hide-gamma"]').dispatchEvent('click');
    await pollUntil('the γ overlay hidden', async () => (await frame.locator('.node.overlaid').count()) === 0);
    // Close the γ panel (the active editor) so that the graph is in sight again for the next steps.
    await vs.page.locator('.tabs-container .tab.active', { hasText: 'γ: yolov4-tiny.cfg' }).waitFor({ timeout: TIMEOUT });
    await vs.runCommand('View: Close Editor');
    await frame.locator('.node[data-index="0"]').waitFor({ timeout: TIMEOUT });
    await vs.runCommand('View: Focus First Editor Group');
    await vs.page.locator('.editor-group-container.active .tab.active[data-resource-name="yolov4-tiny.cfg"]').waitFor({ timeout: TIMEOUT });
  }),
);

test("editing a route's layers= moves its edge", { timeout: TEST_TIMEOUT }, () =>
  step('graph-edit', async () => {
    const line = lines.findIndex((l) => l.trim() === 'layers = -6,-1') + 1;
    assert.ok(line > 0);
    await vs.goTo(line, 1); // leaves the keyboard focus in the editor
    await vs.page.keyboard.press('End');
    await vs.page.keyboard.press('Shift+Home');
    await vs.page.keyboard.type('layers = -5,-1');
    await edge(3, 8).waitFor({ timeout: TIMEOUT });
    assert.equal(await edge(2, 8).count(), 0, 'the old edge is gone');
    await frame.locator('.node.cursor[data-index="8"]').waitFor({ timeout: TIMEOUT });
  }),
);

test('the graph comes back after a window reload', { timeout: TEST_TIMEOUT }, () =>
  step('graph-reload', async () => {
    await vs.runCommand('File: Save');
    await pollUntil('the edited route saved to disk', () =>
      readFileSync(vs.path('models/yolov4-tiny.cfg'), 'utf8').includes('layers = -5,-1'),
    );
    await vs.reloadWindow();
    frame = await vs.webview('[data-testid="graph-svg"] .node');
    await edge(3, 8).waitFor({ timeout: TIMEOUT });
    await frame.locator('.node').nth(37).waitFor({ timeout: TIMEOUT });
    assert.equal(await frame.locator('.node').count(), 38);
    assert.equal(await frame.locator('[data-testid="graph-search"] input').inputValue(), '20', 'the search is restored');
  }),
);
