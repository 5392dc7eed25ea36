// Real VS Code with the built .vsix, real trained weights: Detect Objects in Image… from the palette
// on the COCO yolov3-tiny weights and a real photo. The panel shows the photo (loaded through the
// webview's resource roots) with exactly the boxes, labels and scores `darknet-pruner detect`
// prints at its defaults; the score slider and NMS kind re-select without a new job (again equal
// to the CLI at that threshold and kind); the choice survives a window reload.
//
// The .vsix ships no ML runtime (the runtimes come from a checkout's npm install), so the
// extension's CLI is given this checkout's node_modules through NODE_PATH, and, through the
// darknet.pruner.nodePath setting (machine-overridable: in code-server's remote window a folder
// setting, not a user one), the Node the checkout runs on: tfjs-node needs Node ≤ 22, and on
// code-server's own Node 24 inference would fall back to wasm, whose floats need not match the
// CLI's native TensorFlow to the last bit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { DetectionRow } from '../../core/src/nn/select-detections';
import type { DetectJobResult } from '../../core/src/protocol/jobs';
import { runCli } from '../cli/run';
import { repoRoot } from '../package/vsix';
import { REAL, realWeightsMissing } from '../real-weights';
import { VSCode, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT } from './harness';

const missing = realWeightsMissing();

/** What `darknet-pruner detect` prints (--json) for the photo with these extra options. */
function cliRows(extra: string[] = []): DetectionRow[] {
  const r = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--names', REAL.names, '--json', ...extra], repoRoot);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as DetectJobResult).images[0].detections;
}

let vs: VSCode;
let atDefaults: DetectionRow[] = [];
before(async () => {
  if (missing) return;
  atDefaults = cliRows();
  process.env.NODE_PATH = join(repoRoot, 'node_modules');
  vs = await VSCode.start({
    name: 'detect',
    files: {
      '.vscode/settings.json': JSON.stringify({ 'darknet.pruner.nodePath': process.execPath }),
      'models/yolov3-tiny.cfg': readFileSync(REAL.cfg, 'utf8'),
      'models/yolov3-tiny.weights': { copyFrom: REAL.weights },
      'models/coco.names': { copyFrom: REAL.names },
      'photos/bus.jpg': { copyFrom: REAL.photo },
    },
  });
});
after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

/** The panel's rows (as it lists them) once it shows `total` detections with this summary state. */
async function rowsWhen(frame: Frame, want: { total: number; defaults: boolean }): Promise<DetectionRow[]> {
  const summary = frame.locator(`[data-testid="detect-summary"][data-total="${want.total}"][data-defaults="${want.defaults}"]`);
  try {
    await summary.waitFor({ timeout: TIMEOUT });
  } catch (e) {
    const seen = await frame
      .locator('[data-testid="detect-summary"]')
      .innerText()
      .catch(() => 'no summary');
    throw new Error(`the panel did not reach ${want.total} detections (defaults: ${want.defaults}); it shows: ${seen}`, { cause: e });
  }
  const rows = await frame.locator('[data-testid="detection-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-row') ?? ''));
  assert.equal(await frame.locator('[data-testid="detection-box"]').count(), rows.length, 'one box drawn per row');
  return rows.map((r) => JSON.parse(r) as DetectionRow);
}

/** Waits until the photo has loaded in the panel at its natural size. */
async function photoLoaded(frame: Frame): Promise<void> {
  await frame
    .waitForFunction(
      () => {
        const img = document.querySelector('[data-testid="detect-image"]') as HTMLImageElement | null;
        return !!img && img.complete && img.naturalWidth === 810 && img.naturalHeight === 1080;
      },
      undefined,
      { timeout: TIMEOUT },
    )
    .catch(async (e: Error) => {
      const seen = await frame.evaluate(() => {
        const i = document.querySelector('img');
        return i ? `${i.src}: complete ${i.complete}, ${i.naturalWidth}×${i.naturalHeight}` : 'no img';
      });
      throw new Error(`the photo did not load in the panel (${seen})`, { cause: e });
    });
}

let frame: Frame;

test(
  'Detect Objects in Image…: the panel shows the photo with the boxes and labels `darknet-pruner detect` prints',
  { timeout: TEST_TIMEOUT, skip: missing },
  () =>
    step('detect', async () => {
      assert.ok(atDefaults.length > 0, 'the CLI finds objects in the photo');
      await vs.openFile('models/yolov3-tiny.cfg');
      await vs.runCommand('Darknet: Detect Objects in Image…');
      await vs.pickItem({ title: 'Detect: images' }, 'bus.jpg');
      await vs.pickItem({ title: 'Detect: class names' }, 'coco.names');
      await vs.pickItem({ title: 'Detect: runtime' }, 'tfjs');
      frame = await vs.webview('[data-testid="detect-figure"]', JOB_TIMEOUT);
      const rows = await rowsWhen(frame, { total: atDefaults.length, defaults: true });
      assert.deepEqual(rows, atDefaults);
      await photoLoaded(frame);
      const labels = await frame.locator('[data-testid="detection-box"] text').allTextContents();
      assert.deepEqual(labels.sort(), atDefaults.map((r) => `${r.name} ${(r.prob * 100).toFixed(0)}%`).sort());
      assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
      await vs.screenshot('detect-panel');
    }),
);

test(
  'the score slider and NMS kind re-select from the candidates as the CLI would, and survive a reload',
  { timeout: TEST_TIMEOUT, skip: missing },
  () =>
    step('detect-slider', async () => {
      const low = cliRows(['--thresh', '0.1']);
      const lowNone = cliRows(['--thresh', '0.1', '--nms-kind', 'none']);
      assert.ok(
        low.length > atDefaults.length && lowNone.length > low.length,
        `a lower threshold finds more (${low.length}), without NMS more again (${lowNone.length})`,
      );
      await frame.locator('[data-testid="thresh-slider"]').fill('0.1');
      assert.deepEqual(await rowsWhen(frame, { total: low.length, defaults: false }), low);
      // the toolkit's dropdown, set as its own change handler reads it
      await frame.locator('[data-testid="nms-kind"]').evaluate((e) => {
        (e as HTMLElement & { value: string }).value = 'none';
        e.dispatchEvent(new Event('change'));
      });
      assert.deepEqual(await rowsWhen(frame, { total: lowNone.length, defaults: false }), lowNone);
      await vs.reloadWindow();
      frame = await vs.webview('[data-testid="detect-figure"]');
      assert.deepEqual(
        await rowsWhen(frame, { total: lowNone.length, defaults: false }),
        lowNone,
        'the threshold and NMS kind are restored',
      );
      assert.equal(await frame.locator('[data-testid="thresh-value"]').innerText(), '0.100');
      await photoLoaded(frame);
      await frame.locator('[data-testid="reset"]').click();
      assert.deepEqual(await rowsWhen(frame, { total: atDefaults.length, defaults: true }), atDefaults);
      assert.deepEqual(vs.cspViolations, [], 'no CSP violation');
      await vs.screenshot('detect-panel-reloaded');
    }),
);
