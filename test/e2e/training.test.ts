// Real VS Code with the built .vsix: Sparsity Train… from the palette on a tiny detector and a tiny
// synthesized dataset (`darknet-pruner data synth`, made by the test in the workspace). The weights
// beside the cfg and the only .data under its folder are offered or found; the job runs 2 epochs on
// whatever backend the CLI picks; the training dashboard shows each step live and both epochs (loss
// parts, P/R/mAP, γ below thresholds, the stacked γ histograms), comes back after a window reload,
// resumes the run for a third epoch, and opens Show γ Histogram on the run's latest weights.
//
// The .vsix ships no ML runtime: as test/e2e/detect.test.ts does, the extension's CLI gets this
// checkout's node_modules through NODE_PATH and, through the darknet.pruner.nodePath folder setting,
// the Node the checkout runs on (tfjs-node needs Node ≤ 22; code-server's own Node is 24).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { runCli } from '../cli/run';
import { repoRoot } from '../package/vsix';
import { tinyCfg } from '../train/darknet-fixture';
import { VSCode, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = tinyCfg({ batch: 4, lr: 0.005, maxBatches: 100 });
const weights = serializeWeights(analyseText(cfgText), synthesizeWeights(analyseText(cfgText)));

let vs: VSCode;
before(async () => {
  process.env.NODE_PATH = join(repoRoot, 'node_modules');
  vs = await VSCode.start({
    name: 'training',
    files: {
      'tiny.cfg': cfgText,
      'tiny.weights': weights,
      '.vscode/settings.json': JSON.stringify({ 'darknet.pruner.nodePath': process.execPath }),
    },
  });
  // 10 images of 64×64, 2 to valid: 8 training images, batch 4 → 2 steps per epoch.
  const r = runCli(
    ['data', 'synth', '-o', vs.path('set'), '--classes', '2', '--images', '10', '--size', '64', '--seed', '3', '--valid-fraction', '0.2'],
    vs.workspace,
  );
  assert.equal(r.code, 0, r.err);
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

/** Waits until the dashboard's status element has these data attributes (status, at least n epochs / steps). */
async function dashboardState(
  frame: Frame,
  want: { status?: string; epochs?: number; steps?: number },
  timeout = JOB_TIMEOUT,
): Promise<void> {
  try {
    await frame.waitForFunction(
      (w) => {
        const s = document.querySelector('[data-testid="training-status"]') as HTMLElement | null;
        if (!s) return false;
        const rows = document.querySelectorAll('[data-testid="epoch-row"]').length;
        return (
          (w.status === undefined || s.dataset.status === w.status) &&
          rows >= (w.epochs ?? 0) &&
          Number(s.dataset.epochs ?? 0) >= (w.epochs ?? 0) &&
          Number(s.dataset.steps ?? 0) >= (w.steps ?? 0)
        );
      },
      want,
      { timeout },
    );
  } catch (e) {
    const seen = await frame
      .locator('[data-testid="training-status"]')
      .evaluate((s) => `${s.textContent} ${JSON.stringify((s as HTMLElement).dataset)}`)
      .catch(() => 'no status');
    throw new Error(`the dashboard did not reach ${JSON.stringify(want)}; it shows: ${seen}`, { cause: e });
  }
}

function paintedPixelsOver({ id, min }: { id: string; min: number }): number {
  const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement | null;
  const ctx = c?.getContext('2d');
  if (!c || !ctx || c.width === 0 || c.height === 0) return 0;
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n > min ? n : 0;
}

async function waitForPaintedCanvas(frame: Frame, id: string, min = 1000): Promise<void> {
  await frame.waitForFunction(paintedPixelsOver, { id, min }, { timeout: TIMEOUT });
}

/** The table's cells, row by row. */
const tableRows = (frame: Frame) =>
  frame.locator('[data-testid="epoch-row"]').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent ?? '')));

let dashboard: Frame;
const runDir = () => join(vs.workspace, 'runs', 'tiny-sparse');

test('Sparsity Train… from the palette: a 2-epoch job, the dashboard shows every step and both epochs', { timeout: TEST_TIMEOUT }, () =>
  step('sparsity-train', async () => {
    await vs.openFile('tiny.cfg');
    await vs.runCommand('Darknet: Sparsity Train…');
    await vs.pickItem({ title: 'Sparsity Train…: start from' }, 'tiny.weights');
    // The only .data under the cfg's folder (set/obj.data) is used without asking.
    await vs.answerInput('Sparsity training: s', { expectValue: '0.001', type: '0.01' });
    await vs.pickItem({ title: 'Sparsity training: prune mode (the γ set)' }, 'slim');
    await vs.answerInput('Sparsity Train…: epochs', { type: '2' });
    await vs.answerInput('Sparsity Train…: batch');
    await vs.answerInput('Run folder', { expectValue: runDir() });
    dashboard = await vs.webview('[data-testid="training-status"]');
    const done = await vs.waitForNotification(/Sparsity Train tiny (finished|failed|cancelled)/, JOB_TIMEOUT);
    assert.match(done, /Sparsity Train tiny finished/, `the job did not finish: ${done}`);
    await dashboardState(dashboard, { status: 'finished', epochs: 2, steps: 4 });
    assert.match(await dashboard.locator('[data-testid="training-title"]').innerText(), /tiny-sparse \(sparsity training\)/);
    const rows = await tableRows(dashboard);
    assert.equal(rows.length, 2);
    // epoch, iteration, loss, box, obj, cls, P, R, mAP, lr, 4 thresholds, mean |γ|, suggested point: all measured.
    for (const [i, r] of rows.entries()) {
      assert.equal(r[0], String(i + 1));
      assert.equal(r[1], String(2 * (i + 1)));
      assert.ok(
        r.every((c) => c !== '–'),
        `a cell of epoch ${i + 1} is empty: ${r.join(' | ')}`,
      );
    }
    assert.match(await dashboard.locator('[data-testid="settled"]').innerText(), /suggested prune point/);
    for (const id of ['loss-chart', 'metrics-chart', 'gamma-epochs-chart']) await waitForPaintedCanvas(dashboard, id);
    await vs.waitForFiles('runs/tiny-sparse', [
      'metrics.jsonl',
      'gamma.jsonl',
      'checkpoint.dpck',
      'last.weights',
      'best.weights',
      'command.txt',
    ]);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    await vs.screenshot('training-dashboard');
  }),
);

test('the dashboard comes back after a window reload, from the run folder', { timeout: TEST_TIMEOUT }, () =>
  step('training-reload', async () => {
    await vs.reloadWindow();
    dashboard = await vs.webview('[data-testid="training-status"]');
    await dashboardState(dashboard, { status: 'finished', epochs: 2 }, TIMEOUT);
    assert.equal((await tableRows(dashboard)).length, 2);
    await waitForPaintedCanvas(dashboard, 'gamma-epochs-chart');
  }),
);

test('Resume continues the run for a third epoch; Show γ Histogram opens on its latest weights', { timeout: TEST_TIMEOUT }, () =>
  step('training-resume', async () => {
    await dashboard.locator('[data-testid="resume-button"]:not([disabled])').click();
    await vs.answerInput('Resume: epochs', { expectValue: '3' });
    const done = await vs.waitForNotification(/Resume tiny-sparse (finished|failed|cancelled)/, JOB_TIMEOUT);
    assert.match(done, /Resume tiny-sparse finished/, `the job did not finish: ${done}`);
    await dashboardState(dashboard, { status: 'finished', epochs: 3 });
    assert.deepEqual(
      (await tableRows(dashboard)).map((r) => r[1]),
      ['2', '4', '6'],
    );
    await dashboard.locator('[data-testid="gamma-button"]:not([disabled])').click();
    const gamma = await vs.webview('[data-testid="gamma-title"]');
    assert.match(await gamma.locator('[data-testid="gamma-title"]').innerText(), /tiny\.cfg \(\d+ prunable layers/);
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
  }),
);

test("Open Training Run… lists the workspace's runs and shows the finished run's dashboard again", { timeout: TEST_TIMEOUT }, () =>
  step('open-training-run', async () => {
    const tab = vs.page.locator('.tabs-container .tab', { hasText: 'Training: tiny-sparse' });
    await vs.runCommand('View: Close All Editors');
    await tab.waitFor({ state: 'detached', timeout: TIMEOUT });
    await vs.runCommand('Darknet: Open Training Run…');
    await vs.pickItem({ title: 'Open Training Run' }, 'runs/tiny-sparse');
    await tab.waitFor({ timeout: TIMEOUT });
    dashboard = await vs.webview('[data-testid="training-status"]');
    await dashboardState(dashboard, { status: 'finished', epochs: 3 }, TIMEOUT);
    await waitForPaintedCanvas(dashboard, 'metrics-chart');
    assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
  }),
);
