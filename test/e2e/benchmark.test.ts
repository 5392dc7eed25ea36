// Real VS Code with the built .vsix: Darknet: Benchmark… from the palette on a tiny original cfg and
// the folder `prune` made from it (both made here with the CLI). The models step pre-selects the
// active cfg's family; the job runs `bench` on OpenVINO (onnxruntime where OpenVINO is missing);
// the Benchmark panel shows both models, the FPS ratio next to the BFLOPs ratio and painted
// charts; the run is saved in .darknet-pruner/bench; the panel comes back after a reload; a second
// run is listed in the history, and the first can be shown again from there.
//
// The packaged extension ships the CLI without the inference runtimes: they are found in a
// node_modules beside the installed extension, here the checkout's (linked after install).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot } from '../package/vsix';
import { openvinoMissing } from '../openvino/available';
import { VSCode, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT, pollUntil } from './harness';

const noOpenvino = openvinoMissing();
const RUNTIME = noOpenvino ? 'onnxruntime · latency' : 'OpenVINO · latency';
const noRuntime = existsSync(join(repoRoot, 'node_modules', noOpenvino ? 'onnxruntime-node' : 'openvino-node'))
  ? undefined
  : 'neither openvino-node nor onnxruntime-node is installed in this checkout; enable with: npm install && npm run setup:openvino';

let vs: VSCode;
let made = '';
before(async () => {
  if (noRuntime) return;
  // The models, made with the CLI: a 64×64 residual detector, its synthesized weights, and a 50 % channel-pruned folder.
  made = mkdtempSync(join(tmpdir(), 'dp-e2e-bench-models-'));
  const models = join(made, 'models');
  mkdirSync(models);
  writeFileSync(
    join(models, 'm.cfg'),
    readFileSync(join(repoRoot, 'examples', 'residual-detector.cfg'), 'utf8')
      .replace('width=256', 'width=64')
      .replace('height=256', 'height=64'),
  );
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'darknet-pruner.js'), ...args], { cwd: models, encoding: 'utf8' });
    assert.equal(r.status, 0, `darknet-pruner ${args.join(' ')}: ${r.stderr}`);
  };
  cli(['weights', 'synth', 'm.cfg', '-o', 'm.weights']);
  cli(['prune', 'channel', 'm.cfg', 'm.weights', '--global-percent', '0.5', '-o', 'm-pruned-50']);
  vs = await VSCode.start({ name: 'benchmark', files: { models: { copyFrom: models } } });
  const extensions = join(vs.tempDir, 'extensions');
  const installed = readdirSync(extensions).find((d) => d.startsWith('darknet-pruner.'))!;
  symlinkSync(join(repoRoot, 'node_modules'), join(extensions, installed, 'node_modules'), 'dir');
});
after(async () => {
  await vs?.close();
  if (made) rmSync(made, { recursive: true, force: true });
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

/** Runs in the page: every row with one of these labels is checked in the (multi-select) quick pick. */
function rowsChecked(labels: string[]): boolean {
  const rows = Array.from(document.querySelectorAll<HTMLElement>('.quick-input-widget .quick-input-list .monaco-list-row'));
  const label = (r: HTMLElement) => (r.querySelector('.label-name')?.textContent ?? '').trim();
  const checked = (r: HTMLElement) =>
    r.getAttribute('aria-checked') === 'true' ||
    !!r.querySelector('input[type=checkbox]:checked') ||
    !!r.querySelector('.monaco-custom-toggle.checked');
  return labels.every((l) => rows.some((r) => label(r) === l && checked(r)));
}

/** Runs in a webview: painted pixels of the canvas with this test id when more than `min`, else 0. */
function paintedPixelsOver({ id, min }: { id: string; min: number }): number {
  const c = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement | null;
  const ctx = c?.getContext('2d');
  if (!c || !ctx || c.width === 0 || c.height === 0) return 0;
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n > min ? n : 0;
}

/** Darknet: Benchmark… with the open cfg's family pre-selected, the runtime and the length. */
async function runBenchmark(length: { type?: string; expectValue?: string }): Promise<void> {
  await vs.openFile('models/m.cfg');
  await vs.runCommand('Darknet: Benchmark…');
  await vs.waitForQuickInput({ title: 'Benchmark: models', item: 'm-pruned-50', focused: true });
  await vs.page.waitForFunction(rowsChecked, ['m', 'm-pruned-50'], { timeout: TIMEOUT, polling: 'raf' }).catch(async (e: Error) => {
    throw new Error(
      `the original and its pruned folder are not both pre-selected: ${await vs.describeQuickInput()} (${e.message.split('\n')[0]})`,
    );
  });
  await vs.quickInputWidget().locator('input.input').first().press('Enter');
  await vs.pickItem({ title: 'Benchmark: runtime' }, RUNTIME);
  await vs.answerInput('Benchmark: length per model', length);
}

const number = async (f: Frame, id: string) => Number((await f.locator(`[data-testid="${id}"]`).innerText()).replace(/[×,]/g, ''));
const historyDir = () => vs.path('.darknet-pruner/bench');
const savedRuns = () =>
  existsSync(historyDir())
    ? readdirSync(historyDir())
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

let panel: Frame;
let summary = '';

test(
  'Benchmark… from the palette: the panel shows the original and the pruned model with their FPS ratio',
  { skip: noRuntime, timeout: TEST_TIMEOUT },
  () =>
    step('benchmark', async () => {
      await runBenchmark({ type: '20' });
      panel = await vs.webview('[data-testid="bench-summary"]', JOB_TIMEOUT);
      assert.equal(await panel.locator('[data-testid="model-label-0"]').innerText(), 'm');
      assert.equal(await panel.locator('[data-testid="model-label-1"]').innerText(), 'm-pruned-50');
      summary = await panel.locator('[data-testid="bench-summary"]').innerText();
      assert.match(summary, /^m-pruned-50: FPS ×\d+\.\d\d of m at BFLOPs ×0\.\d\d$/);
      const [fps0, fps1, ratio] = [await number(panel, 'fps-0'), await number(panel, 'fps-1'), await number(panel, 'fps-ratio-1')];
      assert.ok(fps0 > 0 && fps1 > 0, `FPS ${fps0}, ${fps1}`);
      assert.ok(Math.abs(ratio - fps1 / fps0) <= 0.01 + 0.01 * ratio, `the FPS ratio ${ratio} is the FPS shown ${fps1} / ${fps0}`);
      assert.match(
        await panel.locator('[data-testid="bflops-ratio-1"]').innerText(),
        /^×0\.4\d$/,
        'a 50 % channel prune leaves under half the BFLOPs',
      );
      assert.equal(await panel.locator('[data-testid="median-0"]').count(), 1);
      for (const id of ['bench-box', 'bench-fps', 'bench-ratio'])
        await panel.waitForFunction(paintedPixelsOver, { id, min: 500 }, { timeout: TIMEOUT });
      // OpenVINO runs read the profiling counters: a slowest-layers table per model; onnxruntime has none.
      assert.equal(
        await panel.locator('[data-testid="bench-slowest"]').count(),
        noOpenvino ? 0 : 2,
        'slowest layers from the profiling counters',
      );
      if (!noOpenvino)
        assert.match(
          await panel.locator('[data-testid="bench-slowest"]').first().innerText(),
          /layer \d+\s+convolutional\s+[\d.]+\s+[\d.]+%/,
        );
      // Saved in the workspace and listed as the run shown.
      assert.equal(savedRuns().length, 1);
      const saved = JSON.parse(readFileSync(join(historyDir(), savedRuns()[0]), 'utf8')) as {
        args: string[];
        report: { models: { label: string; latenciesMs: number[] }[] };
      };
      assert.deepEqual(
        saved.report.models.map((m) => [m.label, m.latenciesMs.length]),
        [
          ['m', 20],
          ['m-pruned-50', 20],
        ],
      );
      assert.ok(saved.args.includes('--iterations') && saved.args.includes('20'));
      assert.equal(saved.args.includes('--profile'), !noOpenvino);
      assert.equal(await panel.locator('[data-testid="bench-history"] li').count(), 1);
      await panel.locator('[data-testid="history-current"]').waitFor({ timeout: TIMEOUT });
      assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
      await vs.screenshot('benchmark-panel');
    }),
);

test(
  'the panel comes back after a window reload; a second run joins the history, the first can be shown again',
  { skip: noRuntime, timeout: TEST_TIMEOUT },
  () =>
    step('benchmark-history', async () => {
      await vs.reloadWindow();
      panel = await vs.webview('[data-testid="bench-summary"]');
      assert.equal(await panel.locator('[data-testid="bench-summary"]').innerText(), summary, 'the same run is shown');
      await panel.waitForFunction(paintedPixelsOver, { id: 'bench-box', min: 500 }, { timeout: TIMEOUT });
      const first = savedRuns()[0];
      // The runtime and length asked last are proposed first.
      await runBenchmark({ expectValue: '20' });
      await pollUntil('the second run to be saved', () => savedRuns().length === 2, {
        timeout: JOB_TIMEOUT,
        describe: () => JSON.stringify(savedRuns()),
      });
      panel = await vs.webview('[data-testid="bench-history"]');
      await panel.waitForFunction(() => document.querySelectorAll('[data-testid="bench-history"] li').length === 2, undefined, {
        timeout: TIMEOUT,
      });
      const olderLink = panel.locator(`[data-testid="history-${first}"]`);
      await olderLink.waitFor({ timeout: TIMEOUT });
      await olderLink.click();
      await panel.waitForFunction(
        (id) => !document.querySelector(`[data-testid="history-${id}"]`) && !!document.querySelector('[data-testid="history-current"]'),
        first,
        { timeout: TIMEOUT },
      );
      assert.equal(await panel.locator('[data-testid="bench-summary"]').innerText(), summary, 'the first run is shown again');
      assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
    }),
);
