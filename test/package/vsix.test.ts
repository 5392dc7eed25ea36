// Packages the extension as `npm run package` does and checks what the .vsix holds: the runtime
// files only (allowlist .vscodeignore), under 5 MB, no sources, maps, tests or fixtures, and
// bundles that need nothing from node_modules but the optional native runtimes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest } from 'vscode-languageserver-protocol/node';
import { buildVsix, extractZip, listZip, readZipEntry, repoRoot, type ZipEntry } from './vsix';

const MAX_BYTES = 5 * 1024 * 1024;
// The only packages a bundle may leave to run-time resolution: `vscode` (the host's), the optional
// native runtimes, and tfjs-core with its JS backends — kept external so that tfjs-node shares the
// one tfjs-core copy, and loaded only by the network commands (forward, detect, eval, export), which
// the CLI imports on use. The cfg, weights and pruning commands run from the bare .vsix (tested below).
// tsx/cjs: only in the data loader's bootstrap for a .ts worker script (tests from source); the
// bundle starts cli/out/data-loader-worker.js and never takes that path (core/src/data/loader.ts).
const allowedExternal = [
  /^vscode$/,
  /^@tensorflow\/tfjs-node(-gpu)?$/,
  /^@tensorflow\/tfjs-(core|backend-cpu|backend-wasm)(\/.*)?$/,
  /^onnxruntime-node$/,
  /^openvino-node$/,
  /^tsx\/cjs$/,
];

let dir = '';
let vsix = '';
let extracted = '';
let entries: ZipEntry[] = [];
let files: string[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'darknet-vsix-'));
  vsix = buildVsix(join(dir, 'darknet-pruner.vsix'));
  entries = listZip(vsix);
  files = entries
    .map((e) => e.name)
    .filter((n) => n.startsWith('extension/'))
    .map((n) => n.slice('extension/'.length));
  // Outside the repository, so nothing can resolve from its node_modules.
  extracted = join(dir, 'unpacked');
  extractZip(vsix, extracted);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the .vsix is under 5 MB', () => {
  const size = statSync(vsix).size;
  assert.ok(size < MAX_BYTES, `${vsix} is ${size} bytes (limit ${MAX_BYTES})`);
});

test('the .vsix has no sources, maps, tests, fixtures or node_modules', () => {
  const forbidden: [RegExp, string][] = [
    [/\.tsx?$|\.mts$|\.cts$/, 'TypeScript source'],
    [/\.map$/, 'source map'],
    [/(^|\/)(test|tests|__tests__|fixtures|corpus|golden|bench|scripts|examples|src)\//, 'test, fixture, source or tool folder'],
    [/\.test\.[cm]?js$/, 'test file'],
    [/(^|\/)node_modules\//, 'node_modules'],
    [/\.(cfg|weights|onnx|xml|bin|pt|pth)$/, 'model or fixture file'],
    [/(^|\/)\.(e2e|scratch|test-artifacts|ci|git|github|vscode)\//, 'dot folder'],
    [/(^|\/)(tsconfig.*\.json|eslint\.config\.mjs|esbuild\.mjs|package-lock\.json|\.npmrc|\.gitignore)$/, 'build file'],
  ];
  // the one source shipped: our openvino-node addon, which `runtimes install` builds on the user's machine
  const shippedSource = /^native\/openvino\/(binding\.gyp|src\/[a-z_]+\.(cc|hpp))$/;
  const bad = files
    .filter((f) => !shippedSource.test(f))
    .flatMap((f) => forbidden.filter(([re]) => re.test(f)).map(([, why]) => `${f} (${why})`));
  assert.deepEqual(bad, [], `forbidden entries in the .vsix:\n${bad.join('\n')}\nall entries:\n${files.join('\n')}`);
});

test('the .vsix has every file the manifest and the runtime need', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    main?: string;
    icon?: string;
    contributes?: {
      grammars?: { path: string }[];
      snippets?: { path: string }[];
      languages?: { configuration?: string; icon?: { light?: string; dark?: string } }[];
      walkthroughs?: { steps: { media: { image?: string; markdown?: string } }[] }[];
    };
  };
  const norm = (p: string) => p.replace(/^\.\//, '');
  const required = new Set([
    'package.json',
    'README.md',
    'LICENSE.txt', // vsce stores LICENSE as LICENSE.txt
    'CHANGELOG.md',
    'server/out/server.js',
    'server/out/graph-layout-worker.js',
    'cli/out/cli.js',
    'cli/out/cli-job.js',
    'cli/out/data-loader-worker.js',
    'bin/darknet-pruner.js',
    'native/openvino/binding.gyp',
    // every webview panel and its stylesheet (client/src/panels/webviewPanel.ts links them)
    'webviews/out/gamma.js',
    'webviews/out/report.js',
    'webviews/out/sweep.js',
    'webviews/out/graph.js',
    'webviews/out/detect.js',
    'webviews/out/training.js',
    'webviews/media/panel.css',
    // the README's screenshots, shown on the extension's details page
    'docs/images/gamma-histogram.png',
    'docs/images/prune-report.png',
  ]);
  assert.ok(pkg.main, 'package.json has no "main"');
  required.add(norm(pkg.main.endsWith('.js') ? pkg.main : `${pkg.main}.js`));
  if (pkg.icon) required.add(norm(pkg.icon));
  for (const g of pkg.contributes?.grammars ?? []) required.add(norm(g.path));
  for (const s of pkg.contributes?.snippets ?? []) required.add(norm(s.path));
  for (const w of pkg.contributes?.walkthroughs ?? []) {
    for (const s of w.steps) for (const m of [s.media.image, s.media.markdown]) if (m) required.add(norm(m));
  }
  for (const l of pkg.contributes?.languages ?? []) {
    if (l.configuration) required.add(norm(l.configuration));
    if (l.icon?.light) required.add(norm(l.icon.light));
    if (l.icon?.dark) required.add(norm(l.icon.dark));
  }
  // vsce stores README.md / CHANGELOG.md as readme.md / changelog.md.
  const have = new Set(files.map((f) => (/^(readme|changelog)\.md$/i.test(f) ? f.toUpperCase().replace('.MD', '.md') : f)));
  const missing = [...required].filter((f) => !have.has(f) && !(f === 'LICENSE.txt' && have.has('LICENSE')));
  assert.deepEqual(missing, [], `missing from the .vsix:\n${missing.join('\n')}\nall entries:\n${files.join('\n')}`);
  assert.ok(
    entries.some((e) => e.name === 'extension.vsixmanifest'),
    'no extension.vsixmanifest',
  );
});

test('the bundled JavaScript needs nothing from node_modules but the optional native runtimes', () => {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const problems: string[] = [];
  for (const e of entries) {
    if (!e.name.startsWith('extension/') || !e.name.endsWith('.js') || e.name.startsWith('extension/webviews/')) continue;
    const text = readZipEntry(vsix, e).toString('utf8');
    for (const m of text.matchAll(/\b(?:require|import)\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g)) {
      const id = m[1];
      if (builtins.has(id) || id.startsWith('.') || id.startsWith('/')) continue;
      if (allowedExternal.some((re) => re.test(id))) continue;
      problems.push(`${e.name}: require("${id}")`);
    }
  }
  const unique = [...new Set(problems)];
  assert.deepEqual(unique, [], `bundles reference packages that are not in the .vsix:\n${unique.join('\n')}`);
});

test('relative requires inside the .vsix resolve to packaged files', () => {
  const have = new Set(files);
  const problems: string[] = [];
  for (const e of entries) {
    if (!e.name.startsWith('extension/') || !e.name.endsWith('.js') || e.name.startsWith('extension/webviews/')) continue;
    const from = e.name.slice('extension/'.length).split('/').slice(0, -1);
    const text = readZipEntry(vsix, e).toString('utf8');
    for (const m of text.matchAll(/\brequire\s*\(\s*["'](\.\.?\/[^"']+)["']\s*\)/g)) {
      const parts = [...from];
      for (const seg of m[1].split('/')) {
        if (seg === '..') parts.pop();
        else if (seg !== '.') parts.push(seg);
      }
      const target = parts.join('/');
      if (![target, `${target}.js`, `${target}/index.js`].some((t) => have.has(t))) problems.push(`${e.name}: require("${m[1]}")`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('the CLI from the unpacked .vsix runs without node_modules', { timeout: 30_000 }, () => {
  const cfg = join(repoRoot, '..', 'shared', 'corpus', 'cfg', 'yolov4-tiny.cfg');
  const r = spawnSync(process.execPath, [join(extracted, 'extension', 'bin', 'darknet-pruner.js'), 'info', cfg, '--json'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: '' },
    timeout: 25_000,
  });
  assert.equal(
    r.status,
    0,
    `darknet-pruner info from the .vsix failed (exit ${r.status}):\n${r.stderr
      .split('\n')
      .filter((l) => l.length < 400)
      .join('\n')
      .slice(-2000)}`,
  );
  assert.match(r.stdout, /"layers"/);
  // The jobs the extension launches: synthesize weights, γ statistics, sweep, channel + layer pruning.
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(extracted, 'extension', 'bin', 'darknet-pruner.js'), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
      timeout: 25_000,
    });
  const yolo = join(repoRoot, '..', 'shared', 'corpus', 'cfg', 'yolov3-tiny.cfg');
  for (const args of [
    ['weights', 'synth', yolo, '-o', join(dir, 'm.weights')],
    ['gamma', yolo, join(dir, 'm.weights'), '--json'],
    ['sweep', yolo, join(dir, 'm.weights'), '--percents', '0.5:0.7:0.1', '--json'],
    ['prune', 'channel', yolo, join(dir, 'm.weights'), '--global-percent', '0.5', '-o', join(dir, 'pruned'), '--json-events'],
  ]) {
    const x = cli(...args);
    assert.equal(x.status, 0, `darknet-pruner ${args[0]} from the .vsix failed:\n${x.stderr.slice(-1500)}`);
  }
});

test('the language server from the unpacked .vsix answers initialize without node_modules', { timeout: 30_000 }, async () => {
  const proc = spawn(process.execPath, [join(extracted, 'extension', 'server', 'out', 'server.js'), '--stdio'], {
    cwd: dir,
    env: { ...process.env, NODE_PATH: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  proc.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const exited = new Promise<never>((_, fail) =>
    proc.on('exit', (code) =>
      fail(
        new Error(
          `server exited (${code}) before answering:\n${stderr
            .join('')
            .split('\n')
            .filter((l) => l.length < 400)
            .join('\n')
            .slice(-2000)}`,
        ),
      ),
    ),
  );
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.listen();
  try {
    const init = await Promise.race([
      conn.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null }),
      exited,
    ]);
    assert.ok(init.capabilities.hoverProvider, `no hover capability: ${JSON.stringify(init.capabilities)}`);
  } finally {
    conn.dispose();
    proc.kill();
  }
});
