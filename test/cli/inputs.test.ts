// Files named on the command line are read only when they are regular files under a cap: a device
// or a FIFO gets one line and exit 2 at once (before, `check /dev/zero` allocated until it died and
// `check` on a FIFO waited for a writer forever).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run';

test('a device or a FIFO given as the cfg is refused with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-inputs-'));
  try {
    execFileSync('mkfifo', [join(dir, 'pipe.cfg')]);
    for (const [path, shown] of [
      ['/dev/zero', '/dev/zero'],
      [join(dir, 'pipe.cfg'), 'pipe.cfg'],
    ]) {
      for (const cmd of [['check'], ['info'], ['weights', 'synth']]) {
        const r = runCli([...cmd, path, ...(cmd[0] === 'weights' ? ['-o', join(dir, 'w.weights')] : [])], dir);
        assert.equal(r.code, 2, `${cmd.join(' ')} ${shown}: ${r.err}`);
        assert.match(r.err, /^darknet-pruner: \S+: not a regular file\n$/);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
