// `darknet-pruner runtimes install`: the CLI bundle, copied outside the checkout (so nothing resolves
// from its node_modules), installs TensorFlow.js and onnxruntime-node from the npm registry (through
// the npm cache) into a folder; with DARKNET_PRUNER_RUNTIMES pointing there it detects objects on
// both runtimes, and without it the same command says what to install. Installing again finds
// them; a cancel during the fetch leaves neither the folder nor a temporary. The pins agree with
// package-lock.json. tfjs-node's own install script runs first (against a local server that answers
// 404, so the wheel build follows; then serving what that build made, so the script's download is
// taken; and with no compiler on PATH); a cancel during pip or node-gyp ends them and leaves nothing.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { REPO, CFG_DIR } from '../corpus';
import { ensureCliBuilt, runCli } from './run';
import { tempDir } from '../tmp';
import { cacheDir } from '../../core/src/io/cache';
import { BUILD_TOOL_PINS, RUNTIME_PINS } from '../../cli/runtimes/pins';
import type { DetectJobResult, RuntimesInstallJobResult } from '../../core/src/protocol/jobs';

const tmp = tempDir('dp-runtimes-');
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
/** The copied bundle, with no runtimes but those `env` points at. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, tmp, { NODE_PATH: '', DARKNET_PRUNER_RUNTIMES: '', ...env }, cli);

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
const CACHE = cacheDir();
const tfWheelCached = () =>
  existsSync(join(CACHE, 'wheels')) && readdirSync(join(CACHE, 'wheels')).some((f) => f.startsWith('tensorflow_cpu-2.21.0-'));

/** Runs the CLI without blocking this process (whose HTTP servers answer it); `onEvent` sees each progress event. */
function runLive(args: string[], env: NodeJS.ProcessEnv = {}, onEvent?: (message: string, child: ChildProcess) => void) {
  const t0 = Date.now();
  const events: { ms: number; message: string }[] = [];
  const child = spawn(process.execPath, [cli, ...args, '--json-events'], {
    cwd: tmp,
    env: { ...process.env, NODE_PATH: '', DARKNET_PRUNER_RUNTIMES: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let line = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    const lines = (line + c).split('\n');
    line = lines.pop()!;
    for (const l of lines) {
      const e = JSON.parse(l) as { type: string; message?: string };
      if (e.type !== 'progress') continue;
      events.push({ ms: Date.now() - t0, message: e.message! });
      onEvent?.(e.message!, child);
    }
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; at: number }>((r) =>
    child.on('close', (code, signal) => r({ code, signal, out, err, at: Date.now() })),
  );
  return { child, events, done };
}

/** An HTTP server on 127.0.0.1 answering with `answer`; `urls` lists what was asked. */
async function localServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const urls: string[] = [];
  const server = createServer((req, res) => {
    urls.push(req.url!);
    answer(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { base, urls, close };
}

const eventAt = (events: { ms: number; message: string }[], re: RegExp) => events.find((e) => re.test(e.message))?.ms;

test(
  "tfjs-node: its own install script runs first (here against a server answering 404) and, when it fails, its binding is built from the cached tensorflow-cpu wheel; detect then runs on native TensorFlow from the folder; when the script's downloads work, its result is taken",
  { timeout: 900_000 },
  async (t) => {
    if (offline) return t.skip(offline);
    if (Number(process.versions.node.split('.')[0]) >= 23)
      return t.skip(`Node ${process.versions.node}: tfjs-node is refused on Node ≥ 23 (docs/runtimes.md)`);
    if (!tfWheelCached()) return t.skip(`the tensorflow-cpu 2.21.0 wheel is not in ${join(CACHE, 'wheels')}: run npm run setup:tensorflow`);
    const cdn = await localServer((_, res) => res.writeHead(404).end('Not Found'));
    const dir = join(tmp, 'native', 'runtimes');
    try {
      // the script's own overrides of its download hosts (libtensorflow, and node-pre-gyp's prebuilt binding)
      const env = { TFJS_NODE_BASE_URI: `${cdn.base}/libtensorflow-`, npm_config_tfjs_binding_binary_host_mirror: `${cdn.base}/prebuilt/` };
      const live = runLive(['runtimes', 'install', '--dir', dir, '--only', 'tfjs-node'], env);
      const inst = await live.done;
      assert.equal(inst.code, 0, inst.err);
      const got = resultOf<RuntimesInstallJobResult>(inst.out);
      assert.deepEqual(
        got.runtimes.map((r) => [r.runtime, r.status]),
        [
          ['tfjs', 'installed'],
          ['tfjs-node', 'built'],
        ],
      );
      assert.deepEqual(cdn.urls, ['/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'], 'the install script did not ask the local server');
      const detail = got.runtimes[1].detail;
      // tar is handed the 404 page (the script does not look at the status)
      assert.match(
        detail,
        new RegExp(
          `^tfjs-node's install script failed fetching ${cdn.base}/libtensorflow-cpu-linux-x86_64-2\\.9\\.1\\.tar\\.gz: TAR_BAD_ARCHIVE`,
        ),
      );
      assert.match(
        detail,
        /; tfjs_binding\.node built against tensorflow-cpu==2\.21\.0; TensorFlow 2\.21\.0, backend 'tensorflow' computes$/,
      );
      assert.match(readFileSync(got.log!, 'utf8'), /install script failed .*; building the binding from the wheel instead/);
      const [began, failed] = [
        eventAt(live.events, /running its own install script/),
        eventAt(live.events, /building its binding from the wheel instead/),
      ];
      assert.ok(began !== undefined && failed !== undefined, JSON.stringify(live.events));
      t.diagnostic(`tfjs-node's install script failed after ${failed - began} ms; the install took ${(got.ms / 1000).toFixed(1)} s`);
    } finally {
      cdn.close();
    }
    const cfg = join(CFG_DIR, 'yolov3-tiny.cfg');
    if (!existsSync(join(tmp, 'm.weights'))) assert.equal(run(['weights', 'synth', cfg, '-o', 'm.weights']).code, 0);
    if (!existsSync(join(tmp, 'ds'))) assert.equal(run(['data', 'synth', '-o', 'ds', '--images', '1', '--size', '64']).code, 0);
    const image = join(tmp, 'ds', 'images', readdirSync(join(tmp, 'ds', 'images'))[0]);
    const r = run(['detect', cfg, 'm.weights', image, '--thresh', '0', '--json-events'], { DARKNET_PRUNER_RUNTIMES: dir });
    assert.equal(r.code, 0, r.err);
    assert.match(resultOf<DetectJobResult>(r.out).backend, /tensorflow \(@tensorflow\/tfjs-node/);

    // When its downloads work, the script's result is taken as it is. Here the local server plays
    // Google's storage with what was just built: the library as libtensorflow's tarball, the binding
    // as node-pre-gyp's prebuilt one (napi-vN/tfjs_binding.node, as published).
    const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
    const tarOf = (cwd: string, what: string, gzip: boolean) => spawn('tar', [gzip ? '-cz' : '-c', '-C', cwd, what]).stdout;
    const cdnOk = await localServer((req, res) => {
      if (req.url === '/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz') tarOf(join(pkg, 'deps'), 'lib', false).pipe(res.writeHead(200));
      else if (req.url!.endsWith('/CPU-linux-4.22.0.tar.gz')) tarOf(join(pkg, 'lib'), 'napi-v8', true).pipe(res.writeHead(200));
      else res.writeHead(404).end();
    });
    try {
      const env = {
        TFJS_NODE_BASE_URI: `${cdnOk.base}/libtensorflow-`,
        npm_config_tfjs_binding_binary_host_mirror: `${cdnOk.base}/prebuilt/`,
      };
      const again = await runLive(['runtimes', 'install', '--dir', join(tmp, 'native', 'downloaded'), '--only', 'tfjs-node'], env).done;
      assert.equal(again.code, 0, again.err);
      const got = resultOf<RuntimesInstallJobResult>(again.out);
      assert.deepEqual(
        got.runtimes.map((x) => [x.runtime, x.status]),
        [
          ['tfjs', 'installed'],
          ['tfjs-node', 'installed'],
        ],
      );
      assert.deepEqual(cdnOk.urls, ['/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz', '/prebuilt/napi-v8/4.22.0/CPU-linux-4.22.0.tar.gz']);
      assert.match(
        got.runtimes[1].detail,
        new RegExp(
          `^downloaded by tfjs-node's install script: libtensorflow from ${cdnOk.base}/libtensorflow-cpu-linux-x86_64-2\\.9\\.1\\.tar\\.gz and the prebuilt binding; TensorFlow 2\\.21\\.0, backend 'tensorflow' computes$`,
        ),
      );
      t.diagnostic(`tfjs-node from its own (local) download: the install took ${(got.ms / 1000).toFixed(1)} s`);
    } finally {
      cdnOk.close();
    }
    rmSync(join(tmp, 'native'), { recursive: true, force: true });
  },
);

test(
  'tfjs-node without python3, make or g++: its own install script is still tried, and the account gives both reasons when it fails',
  { timeout: 600_000 },
  async (t) => {
    if (offline) return t.skip(offline);
    if (Number(process.versions.node.split('.')[0]) >= 23)
      return t.skip(`Node ${process.versions.node}: tfjs-node is refused on Node ≥ 23 (docs/runtimes.md)`);
    // a PATH with this Node and setpriv only
    const bin = join(tmp, 'bare-bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const setpriv = spawnSync('/bin/sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).stdout.trim();
    if (setpriv) symlinkSync(setpriv, join(bin, 'setpriv'));
    const cdn = await localServer((_, res) => res.writeHead(404).end('Not Found'));
    const dir = join(tmp, 'bare', 'runtimes');
    try {
      const env: NodeJS.ProcessEnv = { PATH: bin, TFJS_NODE_BASE_URI: `${cdn.base}/libtensorflow-` };
      const live = runLive(['runtimes', 'install', '--dir', dir, '--only', 'tfjs-node'], { ...env, PYTHON: undefined });
      const end = await live.done;
      assert.equal(end.code, 1, end.err);
      const got = resultOf<RuntimesInstallJobResult>(end.out);
      assert.deepEqual(
        got.runtimes.map((r) => [r.runtime, r.status]),
        [
          ['tfjs', 'installed'],
          ['tfjs-node', 'failed'],
        ],
      );
      assert.deepEqual(cdn.urls, ['/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz'], 'the install script did not run');
      assert.match(
        got.runtimes[1].detail,
        /^tfjs-node's install script failed fetching .*: TAR_BAD_ARCHIVE.*; its binding cannot be built from the tensorflow-cpu==2\.21\.0 wheel here either: no python3 /,
      );
      // what works is installed; tfjs-node is not left in the folder
      assert.deepEqual(
        Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies).sort(),
        Object.keys(RUNTIME_PINS[0].packages).sort(),
      );
      assert.equal(existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node')), false);
    } finally {
      cdn.close();
      rmSync(join(tmp, 'bare'), { recursive: true, force: true });
    }
  },
);

const OV_WHEEL = 'openvino-2026.4.0-22959-cp311-cp311-manylinux_2_28_x86_64.whl';

/** The processes whose command line or working folder is under `path` (pip, node-gyp, make, g++ of an install there). */
function processesUnder(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // not ours to read
      }
      if (cmd.includes(path) || cwd.startsWith(path))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}: ${cmd.slice(0, 200)}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}

/** Every file under `dir` with its size: what a cancel must leave as it was. */
function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${join(e.parentPath, e.name).slice(dir.length)} ${statSync(join(e.parentPath, e.name)).size}`)
    .sort();
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(
  'a cancel during the pip download (Cancel: SIGTERM) or the node-gyp build (Ctrl-C: SIGINT) stops the install and its children and leaves the folder and the cache as they were',
  { timeout: 900_000 },
  async (t) => {
    if (offline) return t.skip(offline);
    if (!existsSync(join(CACHE, 'wheels', OV_WHEEL)))
      return t.skip(`the openvino wheel is not in ${join(CACHE, 'wheels')}: run npm run setup:openvino`);
    cpSync(join(REPO, 'native', 'openvino'), join(tmp, 'ext', 'native', 'openvino'), {
      recursive: true,
      filter: (f) => !f.includes(`${join('native', 'openvino', 'build')}`),
    });
    const parent = join(tmp, 'cancel-build');
    const dir = join(parent, 'runtimes');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'darknet-pruner-runtimes', private: true, dependencies: {} }) + '\n');
    writeFileSync(join(dir, 'kept.txt'), 'what was in the folder before\n');
    const before = listing(dir);
    const args = ['runtimes', 'install', '--dir', dir, '--only', 'openvino-node'];

    const leftBehind = async (cache: string, cached: string[]) => {
      await until('the children of the install to end', () => processesUnder(parent).length === 0, 10_000).catch(() =>
        assert.fail(`left running: ${processesUnder(parent).join('\n')}`),
      );
      assert.deepEqual(listing(dir), before, 'the folder changed');
      assert.deepEqual(readdirSync(parent), ['runtimes'], 'a temporary was left beside the folder');
      assert.deepEqual(readdirSync(join(cache, 'wheels')).sort(), cached, 'the wheel cache changed');
      const extract = existsSync(join(cache, 'extract')) ? readdirSync(join(cache, 'extract')) : [];
      for (const x of extract) assert.ok(existsSync(join(cache, 'extract', x, '.complete')), `a partial extract was left: ${x}`);
    };

    // 1. pip downloading the wheel, from a local index that serves it slowly; the editor's Cancel sends SIGTERM
    const wheel = readFileSync(join(CACHE, 'wheels', OV_WHEEL));
    const pypi = await localServer((req, res) => {
      if (req.url === '/simple/openvino/') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<a href="/files/${OV_WHEEL}">${OV_WHEEL}</a>`);
      } else if (req.url === `/files/${OV_WHEEL}`) {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': wheel.length });
        // a trickle: the download is still going when the cancel comes
        let at = 0;
        const timer = setInterval(() => {
          if (res.destroyed || at >= wheel.length) return clearInterval(timer);
          res.write(wheel.subarray(at, (at += 16_384)));
        }, 100);
        res.on('close', () => clearInterval(timer));
      } else res.writeHead(404).end();
    });
    const cache = join(tmp, 'cache-pip');
    try {
      const env = { DARKNET_PRUNER_CACHE: cache, PIP_INDEX_URL: `${pypi.base}/simple/`, PIP_FIND_LINKS: '', PIP_NO_CACHE_DIR: '1' };
      const live = runLive(args, env);
      await until('pip to ask the local index for the wheel file', () => pypi.urls.includes(`/files/${OV_WHEEL}`), 300_000);
      assert.ok(eventAt(live.events, /downloading the openvino==2026\.4\.0 wheel/) !== undefined, JSON.stringify(live.events));
      await until('pip to run', () => processesUnder(parent).some((p) => /^\d+ python3?[\d.]*: .* pip download /.test(p)));
      const sent = Date.now();
      live.child.kill('SIGTERM');
      const end = await live.done;
      assert.ok(end.code === 143 || end.signal === 'SIGTERM', `exit ${end.code} ${end.signal}: ${end.err}`);
      assert.match(end.err, /interrupted \(SIGTERM\)/);
      t.diagnostic(`pip download: the install ended ${end.at - sent} ms after SIGTERM`);
      await leftBehind(cache, []);
    } finally {
      pypi.close();
    }

    // 2. node-gyp compiling the addon against the cached wheel (the real cache); Ctrl-C sends SIGINT
    const cached = readdirSync(join(CACHE, 'wheels')).sort();
    const live = runLive(args);
    await until('the node-gyp step', () => eventAt(live.events, /with node-gyp/) !== undefined, 300_000);
    await until('the compiler to run', () => processesUnder(parent).some((p) => /^\d+ (make|g\+\+|cc1plus|c\+\+): /.test(p)), 120_000);
    const sent = Date.now();
    live.child.kill('SIGINT');
    const end = await live.done;
    assert.ok(end.code === 130 || end.signal === 'SIGINT', `exit ${end.code} ${end.signal}: ${end.err}`);
    assert.match(end.err, /interrupted \(SIGINT\)/);
    t.diagnostic(`node-gyp build: the install ended ${end.at - sent} ms after SIGINT`);
    await leftBehind(CACHE, cached);
    rmSync(parent, { recursive: true, force: true });
  },
);
