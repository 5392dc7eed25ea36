// `darknet-pruner runtimes install`: the CLI bundle, copied outside the checkout (so nothing resolves
// from its node_modules), installs TensorFlow.js and onnxruntime-node from the npm registry (through
// the npm cache) into a folder; with DARKNET_PRUNER_RUNTIMES pointing there it detects objects on
// both runtimes, and without it the same command says what to install. Installing again finds
// them; a cancel during the fetch leaves neither the folder nor a temporary. The pins agree with
// package-lock.json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, CFG_DIR } from '../corpus';
import { ensureCliBuilt } from './run';
import { BUILD_TOOL_PINS, RUNTIME_PINS } from '../../cli/runtimes/pins';
import type { DetectJobResult, RuntimesInstallJobResult } from '../../core/src/protocol/jobs';

const tmp = mkdtempSync(join(tmpdir(), 'dp-runtimes-'));
const cli = join(tmp, 'ext', 'cli', 'out', 'cli.js');
const runtimes = join(tmp, 'storage', 'runtimes');
let offline: string | undefined;

before(async () => {
  ensureCliBuilt();
  mkdirSync(join(tmp, 'ext', 'cli', 'out'), { recursive: true });
  for (const f of ['cli.js', 'cli-job.js']) copyFileSync(join(REPO, 'cli', 'out', f), join(tmp, 'ext', 'cli', 'out', f));
  const registry = process.env.npm_config_registry ?? 'https://registry.npmjs.org/';
  offline = await fetch(new URL('onnxruntime-node', registry), { method: 'HEAD', signal: AbortSignal.timeout(20_000) }).then(
    (r) => (r.ok ? undefined : `the npm registry ${registry} answered ${r.status}`),
    (e: Error) => `the npm registry ${registry} is unreachable (${e.message}); this test fetches onnxruntime-node from it`,
  );
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: tmp,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NODE_PATH: '', DARKNET_PRUNER_RUNTIMES: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const resultOf = <T>(out: string): T => (JSON.parse(out.trim().split('\n').pop()!) as { data: T }).data;

test('the pins are the versions package-lock.json installs', () => {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  for (const [pkg, version] of [...RUNTIME_PINS.flatMap((r) => Object.entries(r.packages)), ...Object.entries(BUILD_TOOL_PINS)])
    assert.equal(version, lock.packages[`node_modules/${pkg}`]?.version, `${pkg}: pinned ${version}`);
});

test('installs tfjs and onnxruntime-node into a folder that detect then runs from', { timeout: 600_000 }, (t) => {
  if (offline) return t.skip(offline);
  const cfg = join(CFG_DIR, 'yolov3-tiny.cfg');
  assert.equal(run(['weights', 'synth', cfg, '-o', 'm.weights']).code, 0);
  assert.equal(run(['data', 'synth', '-o', 'ds', '--images', '1', '--size', '64']).code, 0);
  const image = join(tmp, 'ds', 'images', readdirSync(join(tmp, 'ds', 'images'))[0]);
  const detect = (runtime: string, env: NodeJS.ProcessEnv = {}) =>
    run(['detect', cfg, 'm.weights', image, '--runtime', runtime, '--thresh', '0', '--json-events'], env);

  const bare = detect('onnx');
  assert.notEqual(bare.code, 0, 'detect ran with no runtime installed');
  // the error names what installs it, which the editor answers with its Install ML Runtimes offer
  assert.match(bare.err, /to install: npm install onnxruntime-node/, bare.err);

  const inst = run(['runtimes', 'install', '--dir', runtimes, '--only', 'onnxruntime-node,tfjs', '--json-events']);
  assert.equal(inst.code, 0, inst.err);
  const got = resultOf<RuntimesInstallJobResult>(inst.out);
  assert.deepEqual(
    got.runtimes.map((r) => [r.runtime, r.status]),
    [
      ['tfjs', 'installed'],
      ['onnxruntime-node', 'installed'],
    ],
  );
  assert.match(got.runtimes[1].detail, /onnxruntime 1\.30\.0, execution providers .*cpu/);
  assert.deepEqual(
    readdirSync(join(tmp, 'storage')).filter((f) => f !== 'runtimes'),
    [],
    'a temporary was left beside the folder',
  );

  const env = { DARKNET_PRUNER_RUNTIMES: runtimes };
  const onnx = detect('onnx', env);
  assert.equal(onnx.code, 0, onnx.err);
  const tfjs = detect('tfjs', env);
  assert.equal(tfjs.code, 0, tfjs.err);
  const [a, b] = [resultOf<DetectJobResult>(onnx.out), resultOf<DetectJobResult>(tfjs.out)];
  assert.equal(a.runtime, 'onnx');
  assert.ok(a.images[0].detections.length > 0, 'no detection at --thresh 0');
  assert.equal(a.images[0].detections.length, b.images[0].detections.length, 'onnx and tfjs (wasm) disagree on the count');

  const again = run(['runtimes', 'install', '--dir', runtimes, '--only', 'onnxruntime-node', '--json-events']);
  assert.equal(again.code, 0, again.err);
  const found = resultOf<RuntimesInstallJobResult>(again.out).runtimes;
  assert.deepEqual(
    found.map((r) => [r.runtime, r.status]),
    [['onnxruntime-node', 'found']],
  );
  assert.equal(resultOf<RuntimesInstallJobResult>(again.out).log, null, 'nothing should have run');
});

test('a cancel during the fetch leaves neither the folder nor a temporary', { timeout: 300_000 }, async (t) => {
  if (offline) return t.skip(offline);
  const parent = join(tmp, 'cancelled');
  const dir = join(parent, 'runtimes');
  const child = spawn(process.execPath, [cli, 'runtimes', 'install', '--dir', dir, '--only', 'onnxruntime-node', '--json-events'], {
    cwd: tmp,
    env: { ...process.env, NODE_PATH: '', DARKNET_PRUNER_RUNTIMES: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buf = '';
  let stderr = '';
  let sent = false;
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    // the fetch has begun: the temporary folder exists and is being filled
    if (!sent && /"type":"progress","message":"fetching /.test(buf)) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
  assert.ok(sent, `the install ended before its fetch began: ${stderr}`);
  assert.ok(code === 143 || signal === 'SIGTERM', `exit ${code} ${signal}: ${stderr}`);
  assert.equal(existsSync(dir), false, 'the folder was made');
  assert.deepEqual(readdirSync(parent), [], 'something was left beside it');
});

// The native binding build (as `npm run setup:tensorflow`, which caches the wheel): ≈ 100 s, 1.4 GB.
const CACHE = process.env.DARKNET_PRUNER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'darknet-pruner');
const tfWheelCached = () =>
  existsSync(join(CACHE, 'wheels')) && readdirSync(join(CACHE, 'wheels')).some((f) => f.startsWith('tensorflow_cpu-2.21.0-'));

test(
  "builds tfjs-node's binding from the cached tensorflow-cpu wheel; detect then runs on native TensorFlow from the folder",
  { timeout: 900_000 },
  (t) => {
    if (offline) return t.skip(offline);
    if (Number(process.versions.node.split('.')[0]) >= 23)
      return t.skip(`Node ${process.versions.node}: tfjs-node is refused on Node ≥ 23 (docs/runtimes.md)`);
    if (!tfWheelCached()) return t.skip(`the tensorflow-cpu 2.21.0 wheel is not in ${join(CACHE, 'wheels')}: run npm run setup:tensorflow`);
    const dir = join(tmp, 'native', 'runtimes');
    const inst = run(['runtimes', 'install', '--dir', dir, '--only', 'tfjs-node', '--json-events']);
    assert.equal(inst.code, 0, inst.err);
    assert.deepEqual(
      resultOf<RuntimesInstallJobResult>(inst.out).runtimes.map((r) => [r.runtime, r.status]),
      [
        ['tfjs', 'installed'],
        ['tfjs-node', 'built'],
      ],
    );
    const cfg = join(CFG_DIR, 'yolov3-tiny.cfg');
    if (!existsSync(join(tmp, 'm.weights'))) assert.equal(run(['weights', 'synth', cfg, '-o', 'm.weights']).code, 0);
    if (!existsSync(join(tmp, 'ds'))) assert.equal(run(['data', 'synth', '-o', 'ds', '--images', '1', '--size', '64']).code, 0);
    const image = join(tmp, 'ds', 'images', readdirSync(join(tmp, 'ds', 'images'))[0]);
    const r = run(['detect', cfg, 'm.weights', image, '--thresh', '0', '--json-events'], { DARKNET_PRUNER_RUNTIMES: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(resultOf<DetectJobResult>(r.out).backend, /tensorflow \(@tensorflow\/tfjs-node/);
    rmSync(join(tmp, 'native'), { recursive: true, force: true });
  },
);
