// `darknet-pruner env` probes Python's openvino isolated (python3 -I, from the filesystem root): an
// openvino.py in the folder it runs in (a cloned repository) is neither run nor reported as OpenVINO.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';

const repo = mkdtempSync(join(tmpdir(), 'dp-env-repo-'));
after(() => rmSync(repo, { recursive: true, force: true }));

test('an openvino.py in the current folder is not imported by the probe', async () => {
  const marker = join(repo, 'RAN');
  writeFileSync(join(repo, 'openvino.py'), `open(${JSON.stringify(marker)}, 'w').write('x')\n__version__ = '9.9'\n`);
  const out: string[] = [];
  const cwd = process.cwd();
  process.chdir(repo);
  try {
    await main(['env', '--json'], { out: (t) => out.push(t), err: () => undefined });
  } finally {
    process.chdir(cwd);
  }
  assert.equal(existsSync(marker), false, 'openvino.py ran');
  const env = JSON.parse(out.join('\n')) as { runtimes: { name: string; version: string | null }[] };
  const py = env.runtimes.find((r) => r.name === 'python openvino');
  assert.ok(py, 'the Python probe ran');
  assert.notEqual(py.version, '9.9');
});
