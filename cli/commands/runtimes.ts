// darknet-pruner runtimes install --dir <dir>: the ML runtimes the network commands load, installed
// into a folder of their own (the extension: its global storage) — pinned npm packages fetched with
// npm's library, native addons built from PyPI wheels where their own downloads cannot work, each
// verified from the folder. Built in a temporary folder beside it and renamed into place, so a cancel
// or a failure leaves the folder as it was (docs/runtimes.md §Installing runtimes into a folder).

import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { checkEnum, defineCommand, parseArgs } from '../args';
import { makeReporter } from '../events';
import type { CommandContext } from '../main';
import type { RuntimesInstallJobResult } from '../../core/src/protocol/jobs';
import { replaceDir, tempPathFor, trackTemp, untrackTemp, cleanStaleTemps } from '../../core/src/io/atomic';
import { cacheDir } from '../../core/src/io/cache';
import { UserError } from '../../core/src/errors';
import { RUNTIME_IDS, RUNTIME_PINS, runtimePin, type RuntimeId } from '../runtimes/pins';
import { packageDir } from '../runtimes-folder';
import { folderDependencies, reifyPackages } from '../runtimes/fetch';
import {
  buildOpenvinoAddon,
  buildTfjsNodeBinding,
  missingBuildTools,
  openvinoAddonSources,
  runTfjsNodeInstallScript,
  type BuildContext,
} from '../runtimes/build';
import { verifyRuntime } from '../runtimes/verify';

export const SPEC = defineCommand({
  command: 'runtimes install',
  summary:
    'Installs the ML runtimes (TensorFlow.js, onnxruntime-node, tfjs-node, openvino-node) into a folder that jobs load them from when the CLI has none of its own (DARKNET_PRUNER_RUNTIMES=<dir>).',
  positionals: [],
  flags: {
    dir: { type: 'path', required: true, placeholder: '<dir>', description: 'the runtimes folder (made if missing)' },
    only: {
      type: 'string',
      placeholder: 'a,b',
      description: `the runtimes to install, comma-separated (default all: ${RUNTIME_IDS.join(', ')})`,
    },
  },
  notes: [
    "npm packages come from the npm registry (or npm_config_registry) through the npm cache; no package install script runs but tfjs-node's own.",
    'tfjs-node: its install script downloads libtensorflow and its binding (TFJS_NODE_BASE_URI, npm_config_tfjs_binding_binary_host_mirror move the hosts); when that fails, its binding is built from the tensorflow-cpu wheel.',
    "openvino-node's addon is built from the openvino wheel (python3 with pip, make, g++).",
  ],
});
export const SPECS = [SPEC];

type Entry = RuntimesInstallJobResult['runtimes'][number];

/** Where this CLI itself resolves `pkg` (a checkout's node_modules, NODE_PATH), when not inside `dir`. */
function resolvedElsewhere(pkg: string, dir: string): string | undefined {
  const at = packageDir(pkg);
  return at?.startsWith(dir + sep) ? undefined : at;
}

function wantedRuntimes(only: string | undefined): RuntimeId[] {
  const asked = only
    ? only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => checkEnum('--only', s, RUNTIME_IDS))
    : [...RUNTIME_IDS];
  const all = new Set<RuntimeId>();
  const add = (id: RuntimeId) => {
    for (const n of runtimePin(id).needs) add(n);
    all.add(id);
  };
  asked.forEach(add);
  return RUNTIME_IDS.filter((id) => all.has(id));
}

const nodeMajor = () => Number(process.versions.node.split('.')[0]);

/** Why `id` is not to be installed here, before anything is fetched (undefined: install it). */
function refusal(id: RuntimeId): string | undefined {
  if (id === 'tfjs-node' && nodeMajor() >= 23)
    return `@tensorflow/tfjs-node 4.22.0 needs Node ≤ 22 (it calls util.isNullOrUndefined, removed in Node 23) and jobs run on Node ${process.versions.node}: inference uses the wasm backend. To use it, set darknet.pruner.nodePath to a Node 22 or older and install again`;
  const pin = runtimePin(id);
  // tfjs-node's own install script needs no compiler when its downloads work: it is tried regardless
  if (pin.wheel && id !== 'tfjs-node') {
    const missing = missingBuildTools();
    if (missing) return `its addon is built from the ${pin.wheel} wheel here, and ${missing}`;
  }
  if (id === 'openvino-node' && !openvinoAddonSources())
    return 'the sources of our openvino-node addon (native/openvino) are not beside this CLI';
  return undefined;
}

/** onnxruntime-node ships every platform's binaries; only this one's are kept. */
function pruneOtherPlatforms(root: string): void {
  const base = join(root, 'node_modules', 'onnxruntime-node', 'bin');
  if (!existsSync(base)) return;
  for (const napi of readdirSync(base)) {
    for (const platform of readdirSync(join(base, napi))) {
      if (platform !== process.platform) rmSync(join(base, napi, platform), { recursive: true, force: true });
      else
        for (const arch of readdirSync(join(base, napi, platform)))
          if (arch !== process.arch) rmSync(join(base, napi, platform, arch), { recursive: true, force: true });
    }
  }
}

/** tfjs-node's own install script, tried before the wheel build: the account's detail when its binding loads, else why not. */
async function ownTfjsNodeInstall(pkgDir: string, staging: string, ctx: BuildContext): Promise<{ detail?: string; failure?: string }> {
  let failure: string;
  try {
    const how = await runTfjsNodeInstallScript(pkgDir, ctx);
    try {
      return { detail: `${how}; ${await verifyRuntime('tfjs-node', staging)}` };
    } catch (e) {
      failure = `the binding tfjs-node's install script downloaded does not load: ${String((e as Error).message).split('\n')[0]}`;
    }
  } catch (e) {
    failure = String((e as Error).message).split('\n')[0];
  }
  appendFileSync(ctx.log, `\n${failure}; building the binding from the wheel instead\n`);
  ctx.progress(`tfjs-node: ${failure}; building its binding from the wheel instead`);
  return { failure };
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'install') throw new UserError(`unknown runtimes subcommand "${sub ?? ''}" (install)`, 2);
  const args = parseArgs(rest, SPEC);
  const t0 = Date.now();
  const dir = resolve(args.values.dir);
  const wanted = wantedRuntimes(args.values.only);
  const reporter = makeReporter(args.values['json-events']);
  const entries = new Map<RuntimeId, Entry>();
  const set = (id: RuntimeId, status: Entry['status'], detail: string) =>
    entries.set(id, { runtime: id, packages: Object.entries(runtimePin(id).packages).map(([p, v]) => `${p}@${v}`), status, detail });

  mkdirSync(dirname(dir), { recursive: true });
  cleanStaleTemps(dirname(dir));
  const existing = folderDependencies(dir);
  const toInstall: RuntimeId[] = [];
  for (const id of wanted) {
    const pin = runtimePin(id);
    const inFolder = Object.entries(pin.packages).every(([p, v]) => existing[p] === v);
    if (inFolder) {
      const ok = await verifyRuntime(id, dir).then(
        (d) => d,
        () => undefined,
      );
      if (ok) {
        set(id, 'found', `in ${dir}: ${ok}`);
        continue;
      }
    }
    const elsewhere = Object.keys(pin.packages)
      .map((p) => resolvedElsewhere(p, dir))
      .find(Boolean);
    if (elsewhere) {
      set(id, 'found', `at ${elsewhere}: jobs load that copy first, so it is not installed again`);
      continue;
    }
    const why = refusal(id);
    if (why) set(id, 'skipped', why);
    else toInstall.push(id);
  }

  let log: string | null = null;
  if (toInstall.length) {
    const cache = cacheDir();
    mkdirSync(cache, { recursive: true });
    log = join(cache, 'runtimes-install.log');
    writeFileSync(log, `darknet-pruner runtimes install --dir ${dir} (${new Date().toISOString()}, Node ${process.versions.node})\n`);
    const staging = tempPathFor(dir);
    trackTemp(staging);
    try {
      if (existsSync(dir)) {
        reporter.progress(`copying the runtimes already in ${dir}`, 0.02);
        cpSync(dir, staging, { recursive: true, verbatimSymlinks: true });
      } else mkdirSync(staging);
      const keep = Object.fromEntries(
        Object.entries(existing).filter(([p]) => RUNTIME_PINS.some((r) => r.packages[p] && !toInstall.includes(r.id))),
      );
      const packages = { ...keep, ...Object.assign({}, ...toInstall.map((id) => runtimePin(id).packages)) } as Record<string, string>;
      reporter.progress(`fetching ${Object.keys(packages).join(', ')} and their dependencies (npm registry, through the npm cache)`, 0.05);
      try {
        await reifyPackages(staging, packages);
      } catch (e) {
        throw new UserError(
          `fetching the npm packages failed: ${String((e as Error).message ?? e).split('\n')[0]} (no access to the npm registry?)`,
        );
      }
      pruneOtherPlatforms(staging);
      const ctxBuild: BuildContext = {
        cache,
        log,
        scratch: join(staging, '.build'),
        progress: (m) => reporter.progress(m),
      };
      mkdirSync(ctxBuild.scratch, { recursive: true });
      const failed: RuntimeId[] = [];
      for (const [i, id] of toInstall.entries()) {
        const pin = runtimePin(id);
        let built: string | undefined;
        reporter.progress(`${id}: ${pin.wheel ? 'building its addon' : 'checking it'}`, 0.3 + (0.6 * i) / toInstall.length);
        try {
          if (id === 'tfjs-node') {
            const pkgDir = join(staging, 'node_modules', '@tensorflow', 'tfjs-node');
            const own = await ownTfjsNodeInstall(pkgDir, staging, ctxBuild);
            if (own.detail) {
              set(id, 'installed', own.detail);
              continue;
            }
            const missing = missingBuildTools();
            if (missing) throw new Error(`${own.failure}; its binding cannot be built from the ${pin.wheel} wheel here either: ${missing}`);
            built = `${own.failure}; ${await buildTfjsNodeBinding(pkgDir, pin.wheel!, ctxBuild)}`;
          }
          if (id === 'openvino-node')
            built = await buildOpenvinoAddon(join(staging, 'node_modules', 'openvino-node'), pin.wheel!, ctxBuild);
          const detail = await verifyRuntime(id, staging);
          set(id, built ? 'built' : 'installed', built ? `${built}; ${detail}` : detail);
        } catch (e) {
          set(id, 'failed', `${String((e as Error).message ?? e).split('\n')[0]} (log: ${log})`);
          failed.push(id);
        }
      }
      rmSync(ctxBuild.scratch, { recursive: true, force: true });
      if (failed.length) {
        // a runtime that does not work is not left in the folder
        for (const id of failed)
          for (const p of Object.keys(runtimePin(id).packages)) rmSync(join(staging, 'node_modules', p), { recursive: true, force: true });
        const left = Object.fromEntries(Object.entries(packages).filter(([p]) => !failed.some((id) => runtimePin(id).packages[p])));
        writeFileSync(
          join(staging, 'package.json'),
          JSON.stringify({ name: 'darknet-pruner-runtimes', private: true, dependencies: left }, null, 2) + '\n',
        );
      }
      if (failed.length < toInstall.length) {
        reporter.progress(`putting the runtimes in place at ${dir}`, 0.95);
        replaceDir(staging, dir);
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
      untrackTemp(staging);
    }
  }

  const result: RuntimesInstallJobResult = {
    dir,
    node: process.versions.node,
    runtimes: wanted.map((id) => entries.get(id)!),
    log,
    ms: Date.now() - t0,
  };
  if (reporter.events) reporter.emit({ type: 'result', command: 'runtimes install', data: result });
  else if (args.values.json) ctx.out(JSON.stringify(result, null, 1));
  else {
    const w = Math.max(...result.runtimes.map((r) => r.runtime.length));
    ctx.out(`${dir} (Node ${result.node}, ${(result.ms / 1000).toFixed(1)} s)`);
    for (const r of result.runtimes) ctx.out(`  ${r.runtime.padEnd(w)}  ${r.status.padEnd(9)}  ${r.detail}`);
    if (log) ctx.out(`log: ${log}`);
  }
  return result.runtimes.some((r) => r.status === 'failed') ? 1 : 0;
}
