// Cancelling a job (the editor sends SIGTERM) leaves no partial output: either the job had
// finished (complete folder) or nothing at all — never a temporary or half-written folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { REPO, readCfg } from '../corpus';

test('SIGTERM during prune channel leaves nothing partial', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-cancel-'));
  try {
    const text = readCfg('yolov4.cfg');
    const net = analyseText(text);
    writeFileSync(join(dir, 'yolov4.cfg'), text);
    writeFileSync(join(dir, 'yolov4.weights'), serializeWeights(net, synthesizeWeights(net)));
    const results: string[] = [];
    // Kill at several moments; whatever the timing, the outcome must be all or nothing.
    for (const [afterEvents, delayMs] of [[1, 150], [2, 400], [3, 800]]) {
      const child = spawn(process.execPath, [join(REPO, 'bin', 'darknet-pruner.js'), 'prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '--global-percent', '0.8', '-o', `out${afterEvents}`, '--json-events'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      const timer = setTimeout(() => child.kill('SIGTERM'), delayMs);
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      clearTimeout(timer);
      const left = readdirSync(dir).filter((f) => f !== 'yolov4.cfg' && f !== 'yolov4.weights').sort();
      if (code === 0) {
        assert.deepEqual(left, [`out${afterEvents}`], 'finished before the signal: only the complete output');
        assert.equal(readdirSync(join(dir, `out${afterEvents}`)).length, 3);
        rmSync(join(dir, `out${afterEvents}`), { recursive: true });
      } else {
        // 143: our handler removed what was in progress; null: killed before the CLI had even started.
        assert.ok(code === 143 || code === null, `exit code after SIGTERM: ${code}`);
        assert.deepEqual(left, [], `nothing left behind after cancel at ${delayMs} ms`);
      }
      results.push(`${afterEvents}:${code}`);
    }
    assert.ok(results.some((r) => !r.endsWith(':0')), `at least one run was really interrupted: ${results.join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
