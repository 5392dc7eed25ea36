// tfjs-node and openvino-node never share a process (docs/runtimes.md §One native runtime per process): with
// either loaded, asking for the other is refused with the reason, and its library is not mapped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { openvinoMissing } from './available';

const CHILD = join(__dirname, 'fixtures', 'exclusion-child.ts');
const runChild = (order: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, order], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
};

test('with native TensorFlow loaded, openvino-node is refused and libopenvino never mapped', { skip: openvinoMissing() }, (t) => {
  const r = runChild('tensorflow-first');
  if (r.skipped) {
    t.skip(String(r.skipped));
    return;
  }
  assert.equal(r.loaded, false);
  assert.equal(r.refused, true);
  assert.equal(r.openvinoMapped, false);
  assert.match(String(r.why), /tfjs-node is already loaded in this process/);
});

test('with openvino-node loaded, the tensorflow backend is not loaded, and says why', { skip: openvinoMissing() }, () => {
  const r = runChild('openvino-first');
  assert.equal(r.loaded, false);
  assert.equal(r.tensorflowMapped, false);
  assert.match(String(r.why), /openvino-node is already loaded in this process/);
});
