// Real VS Code with the built .vsix and no checkout beside it: no NODE_PATH, no darknet.pruner.nodePath,
// nothing above the installed extension that Node could resolve a package from. A detect job fails for
// want of a runtime and its notification offers Install ML Runtimes; the installer (TensorFlow.js and
// ONNX Runtime: nothing to compile — code-server's Node 24 refuses tfjs-node anyway, and the OpenVINO
// build is covered by test/cli/runtimes-install.test.ts's CLI) fills the extension's global storage;
// then Export to ONNX writes the model and Detect Objects in Image… shows, on the COCO yolov3-tiny
// weights and a real photo, the detections the checkout's CLI finds with the same runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectJobResult } from '../../core/src/protocol/jobs';
import { runCli } from '../cli/run';
import { repoRoot } from '../package/vsix';
import { REAL, realWeightsMissing } from '../real-weights';
import { VSCode, JOB_TIMEOUT, TEST_TIMEOUT, TIMEOUT, pollUntil } from './harness';

const missing = realWeightsMissing();
let vs: VSCode;

before(async () => {
  if (missing) return;
  // the editor's CLI must find no runtime but the ones it installs
  delete process.env.NODE_PATH;
  delete process.env.DARKNET_PRUNER_RUNTIMES;
  vs = await VSCode.start({
    name: 'runtimes',
    files: {
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

async function detect(runtime: string): Promise<void> {
  await vs.openFile('models/yolov3-tiny.cfg');
  await vs.runCommand('Darknet: Detect Objects in Image…');
  await vs.pickItem({ title: 'Detect: images' }, 'bus.jpg', { filter: 'bus.jpg' });
  await vs.pickItem({ title: 'Detect: class names' }, 'coco.names', { filter: 'coco.names' });
  await vs.pickItem({ title: 'Detect: runtime' }, runtime, { filter: runtime });
}

/** Folders under `dir` named `name` (the global storage's runtimes folder, wherever code-server keeps it). */
function findDir(dir: string, name: string, depth = 5): string | undefined {
  if (depth < 0 || !existsSync(dir)) return undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === 'node_modules') continue;
    if (e.name === name && dir.includes('globalStorage')) return join(dir, e.name);
    const found = findDir(join(dir, e.name), name, depth - 1);
    if (found) return found;
  }
  return undefined;
}

test(
  'a job that lacks a runtime offers Install ML Runtimes, which installs them into global storage',
  { timeout: TEST_TIMEOUT, skip: missing },
  () =>
    step('runtimes-install', async () => {
      const ext = readdirSync(join(vs.tempDir, 'extensions')).find((d) => d.startsWith('darknet-pruner.'))!;
      assert.equal(existsSync(join(vs.tempDir, 'extensions', ext, 'node_modules')), false, 'the .vsix brought node_modules');
      assert.ok(!vs.tempDir.startsWith(repoRoot), 'the editor runs inside the checkout');
      await detect('onnx');
      const failed = await vs.waitForNotification(/Detect objects failed: /, JOB_TIMEOUT);
      assert.match(failed, /Install ML Runtimes/, 'the failure does not offer the installer');
      await vs.page.locator('.notification-toast .monaco-button', { hasText: 'Install ML Runtimes' }).first().click();
      await vs.pickItem({ title: 'Install ML Runtimes' }, 'TensorFlow.js and ONNX Runtime', { filter: 'TensorFlow.js and ONNX' });
      // the account, not the progress notification ("Install ML Runtimes: fetching …")
      const done = await vs.waitForNotification(/Install ML Runtimes: (ready|nothing installed)/, JOB_TIMEOUT);
      assert.match(done, /ready: tfjs, onnxruntime-node\./);
      const runtimes = await pollUntil('the runtimes folder in global storage', () => findDir(join(vs.tempDir, 'user-data'), 'runtimes'));
      for (const pkg of ['onnxruntime-node', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'])
        assert.ok(existsSync(join(runtimes, 'node_modules', pkg, 'package.json')), `${pkg} is not in ${runtimes}`);
      await vs.clearNotifications();
    }),
);

test(
  'then Export to ONNX writes the model, and Detect Objects in Image… runs on onnxruntime',
  { timeout: TEST_TIMEOUT, skip: missing },
  () =>
    step('runtimes-jobs', async () => {
      await vs.openFile('models/yolov3-tiny.cfg');
      await vs.runCommand('Darknet: Export to ONNX…');
      await vs.waitForNotification('Wrote yolov3-tiny.onnx.', JOB_TIMEOUT);
      assert.ok(existsSync(vs.path('models/yolov3-tiny.onnx')));

      const cli = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--names', REAL.names, '--runtime', 'onnx', '--json'], repoRoot);
      assert.equal(cli.code, 0, cli.err);
      const want = (JSON.parse(cli.out) as DetectJobResult).images[0].detections;
      assert.ok(want.length > 0, 'the CLI finds objects in the photo');
      await detect('onnx');
      const frame = await vs.webview('[data-testid="detect-figure"]', JOB_TIMEOUT);
      await frame.locator(`[data-testid="detect-summary"][data-total="${want.length}"]`).waitFor({ timeout: TIMEOUT });
      const rows = await frame
        .locator('[data-testid="detection-row"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-row') ?? ''));
      assert.deepEqual(
        rows.map((r) => JSON.parse(r) as unknown),
        want,
      );
    }),
);
