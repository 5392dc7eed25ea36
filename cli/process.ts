// The darknet-pruner process (cli/out/cli.js): runs the command in a worker thread
// (cli/out/cli-job.js) so that Ctrl-C, the editor's Cancel (SIGTERM) and a closed pipe are
// handled at once, whatever the job is computing — see docs/reliability.md.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { JobWorkerData } from './job-protocol';
import type { JobNote } from './job-state';
import { useRuntimesFolder } from './runtimes-folder';

/** How long a worker gets to stop before the process ends itself by the signal's default action. */
const STOP_GRACE_MS = 700;

useRuntimesFolder();

const argv = process.argv.slice(2);
const events = argv.includes('--json-events');

/**
 * Run in this thread: quick, write nothing, and `env` loads every TensorFlow backend — after a
 * worker that loaded tfjs-node exits, Node unloads the library and an exit handler TensorFlow
 * registered is left pointing into it (SIGSEGV at exit).
 */
const IN_PROCESS = new Set(['env', '--version', '--help', '-h', 'help', undefined]);

if (IN_PROCESS.has(argv[0])) {
  // the job bundle from beside this file at run time (esbuild must not inline it here)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require(join(__dirname, 'cli-job.js')) as typeof import('./main');
  void main(argv, { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }).then((code) => {
    process.exitCode = code;
  });
} else {
  runInWorker();
}

function runInWorker(): void {
  // What the job has left on disk so far (temporaries, and outputs it has not yet reported).
  const written = new Set<string>();
  // Outputs a cancel keeps (job-state.ts `keep`): committed versions of them stay.
  const kept = new Set<string>();
  let finished = false;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(join(__dirname, 'cli-job.js'), {
    workerData: { argv, notes: port2 } satisfies JobWorkerData,
    transferList: [port2],
  });

  const track = (note: JobNote) => {
    if ('fd' in note) (note.fd === 1 ? process.stdout : process.stderr).write(note.text);
    else if ('finished' in note) finished = true;
    // the job is done: its exit code, without waiting for the worker's teardown
    // once what it wrote has reached stdout: a reader that went away turns it into 141 (stop)
    else if ('exit' in note)
      process.stdout.write('', (err) => {
        if (!stopping && !err) process.exit(note.exit);
      });
    else if ('keep' in note) {
      kept.add(note.keep);
      written.delete(note.keep);
    } else if ('output' in note) {
      if (!kept.has(note.output)) written.add(note.output);
    } else if (note.pending) written.add(note.temp);
    else written.delete(note.temp);
  };
  const drain = () => {
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) track(m.message as JobNote);
  };
  port1.on('message', track);
  port1.unref();

  worker.on('exit', (code) => {
    process.exitCode ??= code;
  });
  worker.on('error', (e) => {
    process.stderr.write(`darknet-pruner: internal error: ${e.message}\n`);
    process.exitCode = 70;
  });

  let stopping = false;
  async function stop(reason: string, code: number, signal?: NodeJS.Signals): Promise<void> {
    drain();
    if (stopping || (signal && finished)) return; // a finished job's exit code stands
    stopping = true;
    const stopped = await Promise.race([
      worker.terminate().then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS)),
    ]);
    drain();
    for (const p of written) rmSync(p, { recursive: true, force: true });
    if (signal) {
      if (events) process.stdout.write(JSON.stringify({ type: 'error', message: `interrupted (${signal})` }) + '\n');
      process.stderr.write(`darknet-pruner: interrupted (${signal}); partial outputs removed\n`);
    } else if (reason) {
      process.stderr.write(`darknet-pruner: ${reason}\n`);
    }
    if (stopped || !signal) process.exit(code);
    // The worker is stuck in a system call (its temporaries are gone): end as the signal would.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }

  process.on('SIGINT', () => void stop('', 130, 'SIGINT'));
  process.on('SIGTERM', () => void stop('', 143, 'SIGTERM'));
  // A reader that went away (`check … | head -1`): stop quietly, as a C tool killed by SIGPIPE would.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on(
      'error',
      (e: NodeJS.ErrnoException) => void stop(e.code === 'EPIPE' ? '' : `cannot write output: ${e.message}`, e.code === 'EPIPE' ? 141 : 74),
    );
  }
}
