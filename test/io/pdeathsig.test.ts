// core/src/io/pdeathsig.ts: the python3 prctl shim that ties a child to the thread starting it where
// setpriv is missing (train --engine darknet, bench's benchmark_app). A worker thread starts a silent
// child through the shim and one without it, then ends: the first is killed, the second lives on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { PDEATHSIG_EXEC } from '../../core/src/io/pdeathsig';

const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout?.trim();
const skip = !python
  ? 'python3 is not on PATH: install python3 (apt-get install python3)'
  : process.platform !== 'linux' && 'PR_SET_PDEATHSIG is Linux only';

/** Gone, or a zombie nobody reaps. */
function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

const WORKER = `
const { spawn } = require('node:child_process');
const { parentPort, workerData } = require('node:worker_threads');
const tied = spawn(workerData.python, ['-c', workerData.shim, '/bin/sleep', '600'], { stdio: 'ignore' });
const free = spawn('/bin/sleep', ['600'], { stdio: 'ignore' });
tied.unref();
free.unref();
parentPort.postMessage({ tied: tied.pid, free: free.pid });
setInterval(() => {}, 1000);
`;

test('a child started through the shim dies with the thread that started it', { skip }, async () => {
  const worker = new Worker(WORKER, { eval: true, workerData: { python, shim: PDEATHSIG_EXEC } });
  const pids = await new Promise<{ tied: number; free: number }>((res, rej) => {
    worker.once('message', res);
    worker.once('error', rej);
  });
  try {
    // the shim has exec'd sleep (the prctl is in place) once the process image is sleep's
    for (let i = 0; readFileSync(`/proc/${pids.tied}/comm`, 'utf8').trim() !== 'sleep'; i++) {
      assert.ok(i < 2000, 'the shim did not exec /bin/sleep');
      await new Promise((r) => setTimeout(r, 5));
    }
    await worker.terminate();
    for (let i = 0; !ended(pids.tied); i++) {
      assert.ok(i < 2000, `the child started through the shim (pid ${pids.tied}) still runs after its thread ended`);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(!ended(pids.free), 'the child started without the shim lives on (the test can tell them apart)');
  } finally {
    for (const pid of [pids.tied, pids.free])
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
  }
});
