// How fast a job stops on Cancel/Ctrl-C (docs/reliability.md): the time from SIGTERM to the exit of
// the real CLI, at moments chosen by the job's state, next to how long the job would have gone on
// without the signal (its own uninterrupted run, measured in the same round). Target: ≤ 1000 ms.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeWeights } from '../core/src/weights/synth';
import { serializeWeights } from '../core/src/weights/write';
import { runAndInterrupt, type KillMoment } from '../test/cli/interrupt';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const inputs = mkdtempSync(join(tmpdir(), 'dp-bench-cancel-'));
  try {
    for (const name of ['yolov4.cfg', 'yolov4-tiny.cfg']) {
      const text = (await import('node:fs')).readFileSync(join(CORPUS, 'cfg', name), 'utf8');
      writeFileSync(join(inputs, name), text);
      const net = analyseText(text);
      writeFileSync(join(inputs, name.replace('.cfg', '.weights')), serializeWeights(net, synthesizeWeights(net)));
    }
    mkdirSync(join(inputs, 'data', 'images'), { recursive: true });
    const img = new PNG({ width: 96, height: 64 });
    const list: string[] = [];
    for (let i = 0; i < 120; i++) {
      writeFileSync(join(inputs, 'data', 'images', `im${i}.png`), PNG.sync.write(img));
      list.push(join(inputs, 'data', 'images', `im${i}.png`));
    }
    writeFileSync(join(inputs, 'data', 'valid.txt'), list.join('\n') + '\n');
    writeFileSync(join(inputs, 'data', 'obj.data'), `classes=80\nvalid=${join(inputs, 'data', 'valid.txt')}\n`);
    const data = join(inputs, 'data', 'obj.data');

    const jobs: { name: string; args: string[]; moment: KillMoment | 'temp' }[] = [
      {
        name: 'prune channel yolov4, after reading',
        args: ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'],
        moment: { afterEvents: 1 },
      },
      {
        name: 'prune channel yolov4, mid-write',
        args: ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'],
        moment: 'temp',
      },
      { name: 'weights synth yolov4, mid-write', args: ['weights', 'synth', 'yolov4.cfg', '-o', 'new.weights'], moment: 'temp' },
      {
        name: 'eval yolov4-tiny, 120 images, after 25',
        args: ['eval', 'yolov4-tiny.cfg', 'yolov4-tiny.weights', '--data', data],
        moment: { afterEvents: 1 },
      },
    ];
    console.log('job                                         stop after signal (median / max)   uninterrupted run   ');
    for (const job of jobs) {
      const stops: number[] = [],
        full: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        for (const interrupt of [true, false]) {
          // interleaved: the machine is noisy
          const dir = mkdtempSync(join(tmpdir(), 'dp-bench-cancel-run-'));
          for (const f of ['yolov4.cfg', 'yolov4.weights', 'yolov4-tiny.cfg', 'yolov4-tiny.weights'])
            copyFileSync(join(inputs, f), join(dir, f));
          const t0 = performance.now();
          const moment: KillMoment = !interrupt ? { afterEvents: Infinity } : job.moment === 'temp' ? { tempIn: dir } : job.moment;
          const res = await runAndInterrupt(job.args, dir, moment);
          if (interrupt && res.sent && res.code !== 0) stops.push(res.stopMs);
          if (!interrupt) full.push(performance.now() - t0);
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const s = stops.length
        ? `${median(stops).toFixed(0).padStart(6)} / ${Math.max(...stops)
            .toFixed(0)
            .padStart(5)} ms (${stops.length}/${ROUNDS} interrupted)`
        : 'finished before every signal';
      console.log(
        `${job.name.padEnd(44)}${s.padEnd(38)}${median(full).toFixed(0).padStart(7)} ms   target ≤ 1000 ms: ${stops.length && Math.max(...stops) <= 1000 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    rmSync(inputs, { recursive: true, force: true });
  }
}

void main();
