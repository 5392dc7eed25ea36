// darknet-pruner env: which runtimes are here, which tfjs backend would train / infer, and why.
// Native TensorFlow is probed in this process; onnxruntime-node and openvino-node each in a child
// process (docs/runtimes.md §One native runtime per process: never tfjs-node with onnxruntime-node /
// openvino-node).

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, parse, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  BackendError,
  describeChoice,
  probeAll,
  selectBackend,
  type BackendChoice,
  type BackendProbe,
  type Purpose,
} from '../../core/src/nn/backend';
import { defineCommand, parseArgs } from '../args';
import type { CommandContext } from '../main';
import type { EnvJobResult, JobEvent } from '../../core/src/protocol/jobs';
import { openvinoVenv } from '../../core/src/openvino/venv';
import { EVAL_RUNTIMES } from '../../core/src/eval/runtimes';
import { packageDir } from '../runtimes-folder';
import { RUNTIME_PINS } from '../runtimes/pins';

export const SPEC = defineCommand({
  command: 'env',
  summary: 'Runtimes found (TensorFlow.js backends, onnxruntime-node, OpenVINO); the backend for training and for inference, and why.',
  positionals: [],
  flags: {},
});
export const SPECS = [SPEC];

const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

/** Probes run from the filesystem root: nothing of the folder the user runs env in is found by accident. */
const NEUTRAL_CWD = parse(process.cwd()).root;

type RuntimeInfo = EnvJobResult['runtimes'][number];

function pkgVersion(pkg: string): string | null {
  const dir = packageDir(pkg);
  try {
    return dir ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version : null;
  } catch {
    return null;
  }
}

/** Loads a native npm package in a child process and reports what it says. */
function probeInChild(pkg: string, expr: string): RuntimeInfo {
  const version = pkgVersion(pkg);
  if (!version) return { name: pkg, installed: false, version: null, loadable: false, detail: 'not installed (optional)' };
  let entry: string;
  try {
    entry = req.resolve(pkg);
  } catch (e) {
    return { name: pkg, installed: true, version, loadable: false, detail: `cannot resolve: ${(e as Error).message}` };
  }
  const code = `try { const m = require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify({ ok: true, detail: String(${expr}) })); } catch (e) { process.stdout.write(JSON.stringify({ ok: false, detail: String(e && e.message || e).split('\\n')[0] })); }`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000, cwd: NEUTRAL_CWD });
  try {
    const o = JSON.parse(r.stdout) as { ok: boolean; detail: string };
    return { name: pkg, installed: true, version, loadable: o.ok, detail: o.detail };
  } catch {
    return {
      name: pkg,
      installed: true,
      version,
      loadable: false,
      detail: `probe process failed (${r.signal ?? `exit ${r.status}`}): ${(r.stderr || '').trim().split('\n').pop()}`,
    };
  }
}

function probePythonOpenvino(): RuntimeInfo {
  // PYTHON, else the venv of npm run setup:openvino, else python3.
  const py = process.env.PYTHON ?? openvinoVenv()?.python ?? 'python3';
  // A relative PYTHON (./venv/bin/python) is meant from here, not from the probe's folder.
  const exe = /[\\/]/.test(py) ? resolve(py) : py;
  // -I: neither the current folder nor PYTHON* variables nor user site-packages on sys.path, so an
  // openvino.py in the folder env runs in (a cloned repository) is not what gets imported and run.
  const r = spawnSync(exe, ['-I', '-c', 'import openvino; print(openvino.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: NEUTRAL_CWD,
  });
  if (r.error) return { name: 'python openvino', installed: false, version: null, loadable: false, detail: `${py} not found` };
  if (r.status !== 0)
    return {
      name: 'python openvino',
      installed: false,
      version: null,
      loadable: false,
      detail: `${py}: ${(r.stderr || '').trim().split('\n').pop()}`,
    };
  const version = r.stdout.trim();
  return { name: 'python openvino', installed: true, version, loadable: true, detail: `${py} can import openvino (benchmark_app, ovc)` };
}

async function choose(purpose: Purpose): Promise<{ choice?: BackendChoice; error?: string }> {
  try {
    return { choice: await selectBackend({ purpose }) };
  } catch (e) {
    if (e instanceof BackendError) return { error: e.message };
    throw e;
  }
}

export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const backends: BackendProbe[] = await probeAll();
  const train = await choose('train');
  const infer = await choose('infer');
  const ort = probeInChild('onnxruntime-node', "(m.env && m.env.versions && m.env.versions.common) || 'loaded'");
  // OpenVINO's version, devices and which addon answered: the official download or ours (native/openvino).
  const ovNode = probeInChild(
    'openvino-node',
    "(() => { const a = m.addon; const c = new a.Core(); return `OpenVINO ${a.getOpenvinoVersion().buildNumber}, devices ${c.getAvailableDevices().join(', ')}, addon ${a.darknetPrunerBuild ? 'ours (native/openvino, npm run setup:openvino)' : 'official'}`; })()",
  );
  const ovPy = probePythonOpenvino();
  const forced = process.env.DARKNET_BACKEND;
  const loadedFrom = {
    runtimesFolder: process.env.DARKNET_PRUNER_RUNTIMES || null,
    packages: Object.fromEntries(RUNTIME_PINS.flatMap((r) => Object.keys(r.packages)).map((p) => [p, packageDir(p) ?? null])),
  };
  const report: EnvJobResult = {
    node: process.version,
    darknetBackend: forced ?? null,
    tfjsBackends: backends,
    train: train.choice ?? { error: train.error! },
    infer: infer.choice ?? { error: infer.error! },
    runtimes: [ort, ovNode, ovPy],
    loadedFrom,
  };
  // The extension's Show Runtime Status runs env as a job (--json-events): the report is its result.
  if (args.values['json-events']) {
    ctx.out(JSON.stringify({ type: 'result', command: 'env', data: report } satisfies JobEvent));
    return 0;
  }
  if (args.values.json) {
    ctx.out(JSON.stringify(report, null, 1));
    return 0;
  }
  const lines: string[] = [
    `node ${process.version}${forced ? `, DARKNET_BACKEND=${forced}` : ''}`,
    '',
    'TensorFlow.js backends (best first):',
  ];
  for (const b of backends) {
    const facts = Object.entries(b.details)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    lines.push(`  ${b.available ? '✔' : '✘'} ${b.name.padEnd(15)} ${b.package} ${b.version ?? '(not installed)'}${b.gpu ? ' [GPU]' : ''}`);
    lines.push(`      ${b.why}${facts ? ` (${facts})` : ''}`);
  }
  lines.push('', `training:  ${train.choice ? describeChoice(train.choice) : `none — ${train.error}`}`);
  for (const s of train.choice?.skipped ?? []) lines.push(`    skipped ${s.name}: ${s.why}`);
  lines.push(`inference: ${infer.choice ? describeChoice(infer.choice) : `none — ${infer.error}`}`);
  lines.push('', 'other runtimes:');
  for (const r of [ort, ovNode, ovPy]) lines.push(`  ${r.loadable ? '✔' : '✘'} ${r.name.padEnd(17)} ${r.version ?? ''}  ${r.detail}`);
  // what installs a missing one: the evaluation runtimes' table (benchmark_app comes with OpenVINO's setup)
  for (const rt of EVAL_RUNTIMES) {
    const probed = [ort, ovNode].find((r) => r.name === rt.package);
    if (probed && (!probed.loadable || (rt.name === 'openvino' && !ovPy.loadable)))
      lines.push(
        `  (--runtime ${rt.name}: ${rt.setup} installs ${rt.package}${rt.name === 'openvino' ? ' and a venv with benchmark_app' : ''})`,
      );
  }
  // where each package resolved: a checkout's node_modules first, NODE_PATH, then the runtimes folder
  lines.push(
    '',
    `loaded from${loadedFrom.runtimesFolder ? ` (runtimes folder ${loadedFrom.runtimesFolder}: DARKNET_PRUNER_RUNTIMES)` : ''}:`,
  );
  for (const [p, dir] of Object.entries(loadedFrom.packages)) lines.push(`  ${p.padEnd(30)} ${dir ?? '(not found)'}`);
  ctx.out(lines.join('\n'));
  return train.choice || infer.choice ? 0 : 1;
}
