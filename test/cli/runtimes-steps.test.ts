// The steps `runtimes install` runs (cli/runtimes/steps.ts): one that goes quiet — tfjs-node's
// install script waiting on a host that never answers — is ended with its whole process group
// after the stall limit, and says so; one that keeps writing or whose watched activity changes runs
// on. The CPU its process group uses (a compile under the script) counts as activity. Without
// setpriv, python3's prctl ties a step to the thread that runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { groupCpuTicks, runStep, StepError } from '../../cli/runtimes/steps';
import { tempDir } from '../tmp';

const tmp = tempDir('dp-steps-');
const log = join(tmp, 'steps.log');

/** Processes whose command line holds `marker`. */
function running(marker: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
}

test('a step that writes nothing and whose activity does not change is ended with its children after the stall limit', async () => {
  // a shell and a child of it, as the install script and node-pre-gyp under it
  const marker = `31.${process.pid}`;
  const step = runStep('/bin/sh', ['-c', `echo waiting; sleep ${marker}; echo never`], {
    log,
    stall: { ms: 1000, activity: () => 0, why: 'no answer from the download server?' },
  });
  const e = await step.then(
    () => assert.fail('the step was not ended'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof StepError);
  assert.match(e.message, /^sh was ended after 1 s without progress \(no answer from the download server\?\)$/);
  assert.match(e.output, /^waiting\n/);
  const end = Date.now() + 5000;
  while (running(marker).length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(running(marker), [], 'the sleep under the step was left running');
  assert.match(readFileSync(log, 'utf8'), /\(ended: nothing happened for 1 s\)/);
});

test('a step that writes, or whose activity changes, is not ended', async () => {
  const out = await runStep('/bin/sh', ['-c', 'for i in 1 2 3 4; do echo $i; sleep 0.5; done'], {
    log,
    stall: { ms: 3000, activity: () => 0, why: 'x' },
  });
  assert.equal(out.trim().split('\n').join(','), '1,2,3,4');
  let n = 0;
  const quiet = await runStep('/bin/sh', ['-c', 'sleep 2.5'], { log, stall: { ms: 1500, activity: () => n++, why: 'x' } });
  assert.equal(quiet, '');
});

test("groupCpuTicks counts the CPU of a process group's members, not of an idle one", async () => {
  const busy = spawn('/bin/sh', ['-c', 'sh -c "while :; do :; done" & wait'], { detached: true, stdio: 'ignore' });
  const idle = spawn('/bin/sh', ['-c', 'sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  try {
    const end = Date.now() + 60_000;
    while (groupCpuTicks(busy.pid!) < 20) {
      assert.ok(Date.now() < end, 'the busy group used no CPU in a minute');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(groupCpuTicks(idle.pid!) < 5, `the idle group used ${groupCpuTicks(idle.pid!)} ticks`);
  } finally {
    process.kill(-busy.pid!, 'SIGKILL');
    process.kill(-idle.pid!, 'SIGKILL');
  }
});

test(
  'without setpriv a step is tied to its thread through python3: when the thread ends, the step and its children end',
  { timeout: 120_000 },
  async (t) => {
    const python = ['/usr/bin/python3', '/bin/python3'].find((p) => existsSync(p));
    if (!python) return t.skip('python3 is not installed: apt-get install python3');
    // a PATH with python3 and no setpriv
    const bin = join(tmp, 'no-setpriv-bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(python, join(bin, 'python3'));
    const marker = `41.${process.pid}`;
    const script = `
    process.env.PATH = ${JSON.stringify(bin)};
    const { runStep } = require(${JSON.stringify(join(__dirname, '..', '..', 'cli', 'runtimes', 'steps.ts'))});
    const { parentPort } = require('node:worker_threads');
    void runStep('/bin/sh', ['-c', 'echo started; sleep ${marker}'], { log: ${JSON.stringify(log)} }).catch(() => undefined);
    parentPort.postMessage('started');`;
    const worker = new Worker(`require('tsx/cjs');${script}`, { eval: true });
    await new Promise((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    try {
      while (!running(`sleep ${marker}`).length) await new Promise((r) => setTimeout(r, 20));
      await worker.terminate();
      while (running(marker).length) await new Promise((r) => setTimeout(r, 20));
    } finally {
      for (const pid of running(marker))
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
    }
  },
);
