// Show Runtime Status: `darknet-pruner env` run as a job (--json-events, as the extension runs it)
// gives one `result` event whose data has the shape the extension reads (jobResult('env')), and the
// document made from it names every backend and runtime, what each job would use, and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { jobResult, parseJobEvent } from '../../core/src/protocol/jobs';
import { runtimeStatusFailureMarkdown, runtimeStatusMarkdown } from '../../client/src/runtime/statusMarkdown';
import { REPO } from '../corpus';

test('env --json-events → the runtime status document', { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli', 'main.ts'), 'env', '--json-events'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 110_000,
  });
  assert.equal(r.status, 0, r.stderr.slice(-1000));
  const events = r.stdout
    .split('\n')
    .map(parseJobEvent)
    .filter((e) => e !== undefined);
  const results = events.filter((e) => e.type === 'result');
  assert.equal(results.length, 1, r.stdout.slice(0, 500));
  const report = jobResult('env', results[0].type === 'result' ? results[0].data : undefined);
  assert.ok(report, 'the result does not have the env shape');
  const md = runtimeStatusMarkdown(report, new Date('2026-01-02T03:04:05Z'));
  assert.match(md, /^# Darknet Pruner: runtime status/);
  assert.match(md, /on 2026-01-02 03:04:05 UTC/);
  assert.match(md, /\*\*Training:\*\* /);
  assert.match(md, /\*\*Inference \(detect, eval, forward\):\*\* /);
  for (const b of report.tfjsBackends) assert.ok(md.includes(`| ${b.name} | ${b.package} |`), `backend ${b.name} missing`);
  for (const x of report.runtimes) assert.ok(md.includes(`| ${x.name} |`), `runtime ${x.name} missing`);
});

test('a backend that cannot be used says why; a failed choice says so', () => {
  const md = runtimeStatusMarkdown({
    node: 'v20.0.0',
    darknetBackend: 'wasm',
    tfjsBackends: [
      {
        name: 'tensorflow',
        package: '@tensorflow/tfjs-node',
        version: null,
        available: false,
        gpu: false,
        why: 'not installed | optional',
        details: {},
      },
    ],
    train: { error: 'no backend can train' },
    infer: {
      name: 'wasm',
      candidate: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      version: '4.22.0',
      gpu: false,
      reason: 'forced by DARKNET_BACKEND',
      skipped: [{ name: 'tensorflow', why: 'not installed' }],
      details: {},
    },
    runtimes: [{ name: 'onnxruntime-node', installed: true, version: '1.30.0', loadable: true, detail: 'loaded' }],
  } as never);
  assert.match(md, /\| ✘ \| tensorflow \| @tensorflow\/tfjs-node \| not installed \| no \| not installed \\\| optional \|/);
  assert.match(md, /\*\*Training:\*\* none — no backend can train/);
  assert.match(md, /- skipped `tensorflow`: not installed/);
  assert.match(md, /DARKNET_BACKEND=wasm/);
  assert.match(md, /\| ✔ \| onnxruntime-node \| 1\.30\.0 \| loaded \|/);
});

test('when env cannot run (an installed extension without TensorFlow.js), the document says why and what to do', () => {
  const md = runtimeStatusFailureMarkdown(
    '"env" needs the package @tensorflow/tfjs-core, which is not installed next to this CLI (run it from a checkout after npm install)',
  );
  assert.match(md, /^# Darknet Pruner: runtime status/);
  assert.match(md, /> "env" needs the package @tensorflow\/tfjs-core/);
  assert.match(md, /no `@tensorflow\/tfjs-core` beside it/);
});
