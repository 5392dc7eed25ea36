// darknet-pruner: the command line over core/ (the jobs the extension launches).

import { CliError, commandHelp, type CommandSpec } from './args';
import { isMainThread, workerData } from 'node:worker_threads';
import type { JobEvent } from './events';
import type { JobWorkerData } from './job-protocol';
import { noteJob, onJobNote } from './job-state';
import { onWriteNote, removePendingTemps } from '../core/src/io/atomic';
import { UserError } from '../core/src/errors';
import { useRuntimesFolder } from './runtimes-folder';

export interface CommandContext {
  out(text: string): void;
  err(text: string): void;
}

interface Command {
  /** The command's flag specs (one per subcommand): its parser and its --help. */
  SPECS: readonly CommandSpec[];
  run(argv: string[], ctx: CommandContext): number | Promise<number>;
}

// Commands load on use: those that need TensorFlow.js (or ONNX Runtime) must not make the cfg,
// weights and pruning commands depend on it (the packaged extension ships the CLI without them).
export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  info: { summary: 'layer table and totals (shapes, params, BFLOPs) of a cfg', load: () => import('./commands/info') },
  check: { summary: 'diagnostics of a cfg', load: () => import('./commands/check') },
  weights: { summary: 'synthesize deterministic .weights for a cfg', load: () => import('./commands/weights') },
  gamma: { summary: 'BN-γ statistics and histograms', load: () => import('./commands/gamma') },
  prune: { summary: 'channel pruning (slim/shortcut/regular) and layer pruning', load: () => import('./commands/prune') },
  sweep: { summary: 'params/BFLOPs/size over a range of global percents', load: () => import('./commands/sweep') },
  diff: { summary: 'pruned cfg against its original', load: () => import('./commands/diff') },
  env: { summary: 'TensorFlow.js backends, ONNX Runtime and OpenVINO availability', load: () => import('./commands/env') },
  forward: {
    summary: 'forward pass, writes darknet-layout yolo_<i>.f32 (output_<i>.f32 for a classifier)',
    load: () => import('./commands/forward'),
  },
  detect: { summary: 'detect objects in images', load: () => import('./commands/detect') },
  eval: { summary: 'P, R, F1, mAP on a darknet dataset', load: () => import('./commands/eval') },
  export: { summary: 'export to ONNX or OpenVINO IR', load: () => import('./commands/export') },
  bench: {
    summary: 'inference speed (OpenVINO, onnxruntime, TF.js): latency percentiles, FPS, ratios; benchmark_app reference',
    load: () => import('./commands/bench'),
  },
  train: {
    summary: 'train a detector as darknet does (loss, SGD, lr policy); sparsity, fine-tuning, checkpoints, resume',
    load: () => import('./commands/train'),
  },
  data: { summary: 'training data: check a dataset, import VOC/COCO/CSV, draw a synthetic one', load: () => import('./commands/data') },
  runtimes: {
    summary: 'install the ML runtimes (TensorFlow.js, onnxruntime-node, tfjs-node, openvino-node) into a folder',
    load: () => import('./commands/runtimes'),
  },
};

function usage(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'usage: darknet-pruner <command> [options]   (darknet-pruner <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(w)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    ctx.out('0.1.0');
    return 0;
  }
  const entry = COMMANDS[name];
  try {
    if (!entry) throw new CliError(`unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`);
    const cmd = await entry.load().catch((e: NodeJS.ErrnoException) => {
      const missing = /Cannot find module '([^']+)'/.exec(e.message ?? '')?.[1];
      if (e.code !== 'MODULE_NOT_FOUND' || !missing) throw e;
      throw new CliError(
        `"${name}" needs the package ${missing}, which is not installed next to this CLI (run it from a checkout after npm install, or install the ML runtimes: darknet-pruner runtimes install --dir <dir> and DARKNET_PRUNER_RUNTIMES=<dir>; in the editor: Darknet: Install ML Runtimes)`,
      );
    });
    if (rest.includes('--help')) {
      ctx.out(commandHelp(name, cmd.SPECS, rest));
      return 0;
    }
    const code = await cmd.run(rest, ctx);
    noteJob({ finished: true });
    return code;
  } catch (e) {
    const known = e instanceof UserError;
    const message = known ? e.line : `internal error: ${(e as Error).message ?? String(e)}`;
    // the documented event for a failed job (cli/events.ts), then the one-line error
    if (rest.includes('--json-events')) ctx.out(JSON.stringify({ type: 'error', message } satisfies JobEvent));
    ctx.err(`darknet-pruner: ${message}`);
    if (!known && process.env.DARKNET_PRUNER_DEBUG) ctx.err(String((e as Error).stack));
    return known ? e.exitCode : 70;
  }
}

const stdio: CommandContext = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

function runHere(argv: string[]): void {
  main(argv, stdio).then(
    (code) => {
      process.exitCode = code;
      noteJob({ exit: code });
    },
    (e) => {
      process.stderr.write(`darknet-pruner: ${(e as Error).message}\n`);
      process.exitCode = 70;
      noteJob({ exit: 70 });
    },
  );
}

if (!isMainThread && (workerData as JobWorkerData | undefined)?.notes) {
  // cli/out/cli-job.js in the worker that cli/process.ts started
  const { argv, notes } = workerData as JobWorkerData;
  onJobNote((note) => notes.postMessage(note));
  onWriteNote((note) => notes.postMessage(note));
  // A worker's own process.stdout reaches the parent only when the worker's event loop turns, which
  // a busy job may not do for minutes: post each write at once instead.
  const forward =
    (fd: 1 | 2) =>
    (chunk: string | Uint8Array, ...rest: unknown[]) => {
      noteJob({ fd, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      if (done) queueMicrotask(done);
      return true;
    };
  process.stdout.write = forward(1) as typeof process.stdout.write;
  process.stderr.write = forward(2) as typeof process.stderr.write;
  runHere(argv);
} else if (require.main === module) {
  // run directly (tsx, a single bundle): no worker, so a signal is only seen between awaits
  const onSignal = (signal: NodeJS.Signals) => {
    removePendingTemps();
    process.stderr.write(`darknet-pruner: interrupted (${signal}); partial outputs removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  useRuntimesFolder();
  runHere(process.argv.slice(2));
}
