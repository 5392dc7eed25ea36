// Install ML Runtimes without VS Code: which job errors it answers (the CLI's own messages for a
// missing runtime, as the CLI prints them), and the account it gives of a `runtimes install` result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountLines, accountSummary, needsRuntime, RUNTIME_CHOICES } from '../../client/src/runtime/installAccount';
import { RUNTIME_IDS } from '../../cli/runtimes/pins';
import { EVAL_RUNTIMES } from '../../core/src/eval/runtimes';
import { jobResult, type RuntimesInstallJobResult } from '../../core/src/protocol/jobs';

test('a missing runtime is answered with the offer; other failures are not', () => {
  for (const rt of EVAL_RUNTIMES)
    assert.ok(needsRuntime(`--runtime ${rt.name}: ${rt.package} cannot be used here: not found (to install: ${rt.setup})`), rt.name);
  assert.ok(needsRuntime('"detect" needs the package @tensorflow/tfjs-core, which is not installed next to this CLI (…)'));
  assert.equal(needsRuntime('yolov3.cfg:12: [convolutional] filters=0 must be positive'), false);
  assert.equal(needsRuntime(undefined), false);
});

test('every choice names only runtimes the CLI knows', () => {
  for (const c of RUNTIME_CHOICES) for (const id of c.only ?? []) assert.ok((RUNTIME_IDS as string[]).includes(id), `${c.label}: ${id}`);
});

test('the account says what is ready, skipped and failed, and why', () => {
  const r: RuntimesInstallJobResult = {
    dir: '/s/runtimes',
    node: '24.1.0',
    log: '/c/runtimes-install.log',
    ms: 1000,
    runtimes: [
      { runtime: 'tfjs', packages: [], status: 'installed', detail: 'tfjs-core 4.22.0' },
      { runtime: 'onnxruntime-node', packages: [], status: 'found', detail: 'in /s/runtimes' },
      { runtime: 'tfjs-node', packages: [], status: 'skipped', detail: 'needs Node ≤ 22' },
      { runtime: 'openvino-node', packages: [], status: 'failed', detail: 'no g++' },
    ],
  };
  assert.ok(jobResult('runtimes install', r), 'the result has the shape the extension reads');
  assert.equal(accountSummary(r), 'ready: tfjs, onnxruntime-node; skipped: tfjs-node; failed: openvino-node');
  assert.deepEqual(accountLines(r)[2], 'tfjs-node: skipped — needs Node ≤ 22');
});
