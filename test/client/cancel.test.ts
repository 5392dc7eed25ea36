// The extension's side of Cancel (client/src/jobs/cliProcess.ts): SIGTERM, then SIGKILL if the job
// does not stop, and an outcome that says what really happened — run on the real CLI bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeExit, startCli } from '../../client/src/jobs/cliProcess';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { ensureCliBuilt } from '../cli/run';
import { REPO, readCfg } from '../corpus';

test('Cancel during a prune job: the CLI stops, the outcome says so, nothing is left', { timeout: 120_000 }, async () => {
  ensureCliBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'dp-client-cancel-'));
  try {
    const text = readCfg('yolov4.cfg');
    const net = analyseText(text);
    writeFileSync(join(dir, 'yolov4.cfg'), text);
    writeFileSync(join(dir, 'yolov4.weights'), serializeWeights(net, synthesizeWeights(net)));
    let cancelled = false;
    const run = startCli(
      { extensionPath: REPO },
      { args: ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'], cwd: dir },
      (e) => {
        if (e.type === 'progress' && !cancelled) {
          cancelled = true;
          run.cancel();
        }
      },
      () => {},
    );
    const exit = await run.done;
    assert.equal(exit.killed, false, 'the CLI stopped on SIGTERM, without escalation');
    const outcome = judgeExit(exit, true);
    assert.equal(outcome.cancelled, true, JSON.stringify(exit));
    assert.equal(outcome.ok, false);
    assert.match(outcome.cancelNote ?? '', /nothing partial/);
    assert.deepEqual(readdirSync(dir).sort(), ['yolov4.cfg', 'yolov4.weights']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a job that ignores SIGTERM is killed after the grace period, and the outcome says so', { timeout: 60_000 }, async () => {
  // A stand-in for a stuck CLI: the real one cannot be made to ignore SIGTERM.
  const ext = mkdtempSync(join(tmpdir(), 'dp-stuck-'));
  try {
    mkdirSync(join(ext, 'cli', 'out'), { recursive: true });
    writeFileSync(
      join(ext, 'cli', 'out', 'cli.js'),
      `process.on('SIGTERM', () => {});
process.stdout.write(JSON.stringify({ type: 'progress', message: 'working' }) + '\\n');
setInterval(() => {}, 1000);`,
    );
    let sent = false;
    const run = startCli(
      { extensionPath: ext },
      { args: [] },
      () => {
        if (!sent) {
          sent = true;
          run.cancel(100);
        }
      },
      () => {},
    );
    const exit = await run.done;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.killed, true);
    const outcome = judgeExit(exit, true);
    assert.equal(outcome.cancelled, true);
    assert.match(outcome.cancelNote ?? '', /killed/);
  } finally {
    rmSync(ext, { recursive: true, force: true });
  }
});

test('an exit code is judged as it happened', () => {
  const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({
    code,
    signal,
    stderr: 'darknet-pruner: x.cfg:3: bad\n',
    killed: false,
  });
  assert.deepEqual(judgeExit(exit(0), false), { ok: true, cancelled: false });
  assert.match(judgeExit(exit(0), true).cancelNote ?? '', /finished before the cancel/, 'too late a cancel is no cancel');
  assert.equal(judgeExit(exit(143), true).cancelled, true);
  assert.equal(judgeExit(exit(130), true).cancelled, true);
  assert.equal(judgeExit(exit(null, 'SIGTERM'), true).cancelled, true);
  assert.deepEqual(
    judgeExit(exit(1), true),
    { ok: false, cancelled: false, error: 'darknet-pruner: x.cfg:3: bad' },
    'a job that failed on its own failed',
  );
  assert.deepEqual(judgeExit(exit(1), false), { ok: false, cancelled: false, error: 'darknet-pruner: x.cfg:3: bad' });
});
