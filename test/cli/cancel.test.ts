// Ctrl-C / the editor's Cancel stop every long job (docs/reliability.md): after SIGTERM or SIGINT
// the CLI exits with 143 / 130, reports no success, and leaves nothing behind — killed after its
// k-th job event, or mid-write (once its temporary exists). The moments are chosen by the job's own
// state; a job that had already finished must have left its complete output, nothing else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { REPO, readCfg } from '../corpus';
import { ensureCliBuilt } from './run';
import { runAndInterrupt, type Interrupted, type KillMoment } from './interrupt';

let inputs = '';
const INPUT_FILES = ['data', 'yolov4-tiny.cfg', 'yolov4-tiny.weights', 'yolov4.cfg', 'yolov4.weights'];

before(() => {
  inputs = mkdtempSync(join(tmpdir(), 'dp-cancel-in-'));
  for (const name of ['yolov4.cfg', 'yolov4-tiny.cfg']) {
    const text = readCfg(name);
    writeFileSync(join(inputs, name), text);
    const net = analyseText(text);
    writeFileSync(join(inputs, name.replace('.cfg', '.weights')), serializeWeights(net, synthesizeWeights(net)));
  }
  // 60 images for eval (its progress event comes every 25 images)
  mkdirSync(join(inputs, 'data', 'images'), { recursive: true });
  mkdirSync(join(inputs, 'data', 'labels'), { recursive: true });
  const img = new PNG({ width: 96, height: 64 });
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37) % 251;
  const png = PNG.sync.write(img);
  const list: string[] = [];
  for (let i = 0; i < 60; i++) {
    writeFileSync(join(inputs, 'data', 'images', `im${i}.png`), png);
    writeFileSync(join(inputs, 'data', 'labels', `im${i}.txt`), '0 0.5 0.5 0.25 0.25\n');
    list.push(join(inputs, 'data', 'images', `im${i}.png`));
  }
  writeFileSync(join(inputs, 'data', 'valid.txt'), list.join('\n') + '\n');
  writeFileSync(join(inputs, 'data', 'obj.data'), `classes=80\nvalid=${join(inputs, 'data', 'valid.txt')}\n`);
});
after(() => rmSync(inputs, { recursive: true, force: true }));

/** A fresh working folder holding copies of the inputs (so an input can never be what was removed). */
function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dp-cancel-'));
  for (const f of INPUT_FILES) {
    if (f === 'data') continue;
    copyFileSync(join(inputs, f), join(dir, f));
  }
  return dir;
}

const produced = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !INPUT_FILES.includes(f))
    .sort();

interface Case {
  name: string;
  args: (dir: string) => string[];
  moment: KillMoment | 'temp';
  mustInterrupt: boolean;
  outputs: string[];
}

const cases: Case[] = [
  {
    name: 'prune channel, after reading',
    args: () => ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'],
    moment: { afterEvents: 1 },
    mustInterrupt: true,
    outputs: ['out'],
  },
  {
    name: 'prune channel, while planning',
    args: () => ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'],
    moment: { afterEvents: 2 },
    mustInterrupt: false,
    outputs: ['out'],
  },
  {
    name: 'prune channel, mid-write',
    args: () => ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'],
    moment: 'temp',
    mustInterrupt: false,
    outputs: ['out'],
  },
  {
    name: 'prune layer, after reading',
    args: () => ['prune', 'layer', 'yolov4.cfg', 'yolov4.weights', '--shortcuts', '8', '-o', 'out'],
    moment: { afterEvents: 1 },
    mustInterrupt: true,
    outputs: ['out'],
  },
  {
    name: 'prune layer, mid-write',
    args: () => ['prune', 'layer', 'yolov4.cfg', 'yolov4.weights', '--shortcuts', '8', '-o', 'out'],
    moment: 'temp',
    mustInterrupt: false,
    outputs: ['out'],
  },
  {
    name: 'sweep, mid-way',
    args: () => ['sweep', 'yolov4.cfg', 'yolov4.weights', '--percents', '0.5:0.95:0.01'],
    moment: { afterEvents: 2 },
    mustInterrupt: false,
    outputs: [],
  },
  {
    name: 'sweep with evaluation, once evaluating',
    args: () => [
      'sweep',
      'yolov4-tiny.cfg',
      'yolov4-tiny.weights',
      '--percents',
      '0.5:0.9:0.1',
      '--data',
      join(inputs, 'data', 'obj.data'),
    ],
    moment: { when: (e) => e.message?.startsWith('evaluating') === true },
    mustInterrupt: true,
    outputs: [],
  },
  {
    name: 'weights synth, mid-write',
    args: () => ['weights', 'synth', 'yolov4.cfg', '-o', 'new.weights'],
    moment: 'temp',
    mustInterrupt: false,
    outputs: ['new.weights'],
  },
  {
    name: 'export onnx, mid-write',
    args: () => ['export', 'onnx', 'yolov4-tiny.cfg', 'yolov4-tiny.weights', '-o', 'm.onnx'],
    moment: 'temp',
    mustInterrupt: false,
    outputs: ['m.onnx'],
  },
  {
    name: 'eval, after 25 of 60 images',
    args: () => ['eval', 'yolov4-tiny.cfg', 'yolov4-tiny.weights', '--data', join(inputs, 'data', 'obj.data')],
    moment: { afterEvents: 1 },
    mustInterrupt: true,
    outputs: [],
  },
];

function check(c: Case, r: Interrupted, dir: string, exitCode: number) {
  const left = produced(dir);
  const result = r.events.some((e) => e.type === 'result');
  if (r.code === 0) {
    assert.ok(!c.mustInterrupt, `${c.name}: the job finished although it was signalled early`);
    assert.deepEqual(left, c.outputs, `${c.name}: finished before the signal, so exactly its outputs`);
    return;
  }
  assert.ok(r.sent, `${c.name}: failed on its own: ${r.stderr}`);
  assert.ok(r.code === exitCode || r.signal !== null, `${c.name}: exit ${r.code} / ${r.signal}\n${r.stderr}`);
  assert.ok(!result, `${c.name}: an interrupted job reported a result`);
  assert.deepEqual(left, [], `${c.name}: nothing may be left behind`);
  if (r.code === exitCode) assert.equal(r.events.at(-1)?.type, 'error', `${c.name}: the last event says it was interrupted`);
}

describe('SIGTERM stops every long job and leaves nothing behind', { timeout: 600_000 }, () => {
  for (const c of cases) {
    test(c.name, async () => {
      const dir = workdir();
      try {
        const r = await runAndInterrupt(c.args(dir), dir, c.moment === 'temp' ? { tempIn: dir } : c.moment);
        check(c, r, dir, 143);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

test('Ctrl-C (SIGINT) exits 130 and removes the half-written output', { timeout: 120_000 }, async () => {
  const dir = workdir();
  try {
    const c = cases[0];
    const r = await runAndInterrupt(c.args(dir), dir, { afterEvents: 1 }, 'SIGINT');
    check(c, r, dir, 130);
    assert.equal(r.code, 130);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("after a SIGKILL mid-write, the next run into the same folder removes the dead job's temporaries", { timeout: 120_000 }, async () => {
  const dir = workdir();
  try {
    const args = ['prune', 'channel', 'yolov4.cfg', 'yolov4.weights', '-p', '0.8', '-o', 'out'];
    const killed = await runAndInterrupt(args, dir, { tempIn: dir }, 'SIGKILL');
    if (killed.code === 0) return; // finished before the kill: nothing stale to clean (checked by the cases above)
    const stale = produced(dir).filter((f) => f.includes('.tmp-'));
    assert.ok(stale.length > 0, 'SIGKILL leaves its temporary (nothing can remove it from inside)');
    const again = await runAndInterrupt([...args.slice(0, -1), 'out2'], dir, { afterEvents: Infinity });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(produced(dir), ['out2'], "the dead job's temporaries are gone; only the new output is there");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that goes away (`… | head -1`) ends the CLI quietly with 141, no stack trace', { timeout: 120_000 }, async () => {
  const dir = workdir();
  try {
    ensureCliBuilt();
    // A real pipe into `head -c 1`, as in a shell: it holds 64 kB, far less than the ≈220 kB of JSON,
    // so the CLI is still writing when the reader leaves, however slow either side is. (Node's own
    // stdio 'pipe' is a socket pair whose buffers can take all of it before the reader closes.)
    const cli = [process.execPath, join(REPO, 'bin', 'darknet-pruner.js'), 'gamma', 'yolov4.cfg', 'yolov4.weights', '--json'];
    const child = spawn('bash', ['-c', '"$@" | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}"', 'bash', ...cli], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    assert.equal(code, 141, `the CLI's exit code behind the pipe; stderr: ${stderr}`);
    assert.equal(stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
