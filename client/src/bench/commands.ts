// "Darknet: Benchmark…" and "Darknet: Export to OpenVINO…": `darknet-pruner bench` and `export
// openvino` as jobs. A benchmark's result is saved in the workspace's history
// (.darknet-pruner/bench/) and shown in the Benchmark panel, which lists the earlier runs.

import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { benchArgs, exportOpenvinoArgs, jobResult, type BenchJob, type BenchRuntime } from '../../../core/src/protocol/jobs';
import { announce, type JobRunner } from '../jobs/jobs';
import { cliEntry, type CliHost } from '../jobs/cliProcess';
import { DarknetPanel, type PanelHandlers, type PanelKind } from '../panels/webviewPanel';
import type { PruneInputs } from '../pruning/inputs';
import type { CommandHandlers } from '../trust';
import { benchView } from './benchView';
import { historyDir, listRuns, readRun, saveRun } from './history';
import { benchLabel, benchModelArg, modelsOf, mosaicPossible, relatedModels, type BenchModel } from './models';
import { installedRuntimes, openvinoMissingMessage } from './runtimes';

const BENCH: PanelKind = { viewType: 'darknet.bench', script: 'bench', title: 'Benchmark' };
const LAST_SETUP = 'darknet.benchSetup';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.darknet-pruner/**}';

interface Setup {
  runtime: BenchRuntime;
  hint: 'latency' | 'throughput';
  mosaic: boolean;
}
interface SetupItem extends vscode.QuickPickItem {
  setup: Setup;
}
const RUNTIME_NAMES: Record<BenchRuntime, string> = { openvino: 'OpenVINO', onnxruntime: 'onnxruntime', tfjs: 'TF.js' };
const setupKey = (s: Setup) => `${s.runtime}:${s.hint}:${s.mosaic}`;

interface ModelItem extends vscode.QuickPickItem {
  model: BenchModel;
}
const KIND_TEXT: Record<BenchModel['kind'], string> = { cfg: 'cfg + weights', pruned: 'pruned folder', onnx: 'ONNX', ir: 'OpenVINO IR' };

export function benchCommands(
  context: vscode.ExtensionContext,
  runner: JobRunner,
  inputs: PruneInputs,
  host: () => CliHost,
): Pick<CommandHandlers, 'benchmark' | 'exportOpenvino'> {
  const state = context.workspaceState;
  const rel = (p: string) => vscode.workspace.asRelativePath(p, true);

  const panelHandlers: PanelHandlers = {
    onReady(p) {
      const { dir, run } = p.context;
      if (!dir || !run) return;
      p.show({ type: 'bench', view: benchView(run, readRun(dir, run), listRuns(dir), rel(dir)) });
    },
    onMessage(p, m) {
      if (m.type !== 'benchRun' || !p.context.dir) return;
      const view = benchView(m.id, readRun(p.context.dir, m.id), listRuns(p.context.dir), rel(p.context.dir));
      p.context = { ...p.context, run: m.id };
      p.show({ type: 'bench', view });
    },
  };

  /** One Benchmark panel: a new run replaces what it shows (the webview's ready, or show's own onReady, sends it). */
  const showPanel = (dir: string, run: string) => {
    const open = DarknetPanel.find(BENCH, 'bench');
    if (open) open.context = { ...open.context, dir, run };
    DarknetPanel.show(BENCH, context.extensionUri, panelHandlers, { key: 'bench', dir, run }, 'Benchmark');
  };

  /** The explorer's selection, else a pick of the workspace's models (the active cfg's family pre-selected). */
  async function pickModels(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<BenchModel[] | undefined> {
    const given = (uris && uris.length > 0 ? uris : uri ? [uri] : []).filter((u) => u.scheme === 'file').map((u) => u.fsPath);
    if (given.length > 0) {
      const models = modelsOf(given);
      if (models.length === 0)
        void vscode.window.showErrorMessage(
          `Benchmark: ${given.map((g) => path.basename(g)).join(', ')} is no model bench can measure (a .cfg with its .weights beside it, a pruned folder, an .onnx, an IR .xml).`,
        );
      if (models.length > 0) return models;
    }
    const files = await vscode.workspace.findFiles('**/*.{cfg,onnx,xml}', EXCLUDE, 2000);
    const models = modelsOf(files.map((f) => f.fsPath));
    if (models.length === 0) {
      void vscode.window.showErrorMessage(
        'Benchmark: no model in this workspace (a .cfg with its .weights beside it, a pruned folder, an .onnx, an IR .xml).',
      );
      return undefined;
    }
    const doc = vscode.window.activeTextEditor?.document;
    const related = new Set(
      doc?.uri.scheme === 'file' && doc.fileName.toLowerCase().endsWith('.cfg')
        ? relatedModels(models, doc.fileName).map((m) => m.path)
        : [],
    );
    const items: ModelItem[] = models.map((m) => ({
      label: benchLabel(m),
      description: KIND_TEXT[m.kind],
      detail: rel(m.path),
      picked: related.has(m.path),
      model: m,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Benchmark: models (the first is the baseline of the ratios)',
      canPickMany: true,
      matchOnDetail: true,
    });
    if (!picked || picked.length === 0) return undefined;
    return models.filter((m) => picked.some((i) => i.model === m));
  }

  async function pickSetup(models: BenchModel[]): Promise<Setup | undefined> {
    const installed = installedRuntimes(cliEntry(host()));
    const darknetOnly = mosaicPossible(models);
    const setups: SetupItem[] = [];
    const add = (runtime: BenchRuntime, hint: Setup['hint'], mosaic: boolean, description: string) => {
      if (installed.has(runtime))
        setups.push({
          label: `${RUNTIME_NAMES[runtime]} · ${mosaic ? 'mosaic, 4 streams' : hint}`,
          description,
          setup: { runtime, hint, mosaic },
        });
    };
    add('openvino', 'latency', false, 'CPU, one request, back to back');
    add('openvino', 'throughput', false, 'CPU, all infer requests in flight');
    if (darknetOnly) add('openvino', 'latency', true, 'four frames per inference (2×-size network)');
    add('onnxruntime', 'latency', false, 'CPU, f32');
    if (darknetOnly && !installed.has('openvino')) add('onnxruntime', 'latency', true, 'four frames per inference (2×-size network)');
    if (darknetOnly) add('tfjs', 'latency', false, 'CPU, f32 (slowest)');
    if (!installed.has('openvino')) {
      const fallback = installed.has('onnxruntime') ? 'Benchmarking on onnxruntime instead.' : undefined;
      void vscode.window.showWarningMessage(openvinoMissingMessage(fallback));
    }
    if (setups.length === 0) {
      void vscode.window.showErrorMessage(
        'Benchmark: no inference runtime is installed where darknet-pruner runs (openvino-node, onnxruntime-node or TensorFlow.js for these models).',
      );
      return undefined;
    }
    const last = state.get<string>(LAST_SETUP);
    setups.sort((a, b) => Number(setupKey(b.setup) === last) - Number(setupKey(a.setup) === last));
    const pick = await vscode.window.showQuickPick(setups, { title: 'Benchmark: runtime' });
    return pick?.setup;
  }

  async function pickLength(): Promise<Pick<BenchJob, 'iterations' | 'seconds'> | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Benchmark: length per model',
      prompt: 'Seconds (e.g. 10s) or a number of iterations (e.g. 200) per model, measured interleaved',
      value: state.get<string>('darknet.benchLength', '10s'),
      validateInput: (s) =>
        /^\s*[1-9]\d*\s*$/.test(s) || (/^\s*\d+(\.\d+)?\s*s\s*$/.test(s) && parseFloat(s) >= 0.1)
          ? undefined
          : 'seconds as 10s, or iterations as 200',
    });
    if (v === undefined) return undefined;
    await state.update('darknet.benchLength', v.trim());
    return /s\s*$/.test(v) ? { seconds: parseFloat(v) } : { iterations: Number(v) };
  }

  async function benchmark(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<void> {
    const models = await pickModels(uri, uris);
    if (!models) return;
    const setup = await pickSetup(models);
    if (!setup) return;
    const length = await pickLength();
    if (!length) return;
    await state.update(LAST_SETUP, setupKey(setup));
    // OpenVINO runs also read the profiling counters (after the timed rounds) for the panel's slowest layers.
    const args = benchArgs({
      models: models.map(benchModelArg),
      runtime: setup.runtime,
      hint: setup.hint,
      mosaic: setup.mosaic,
      profile: setup.runtime === 'openvino',
      ...length,
    });
    const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(models[0].path))?.uri.fsPath ?? path.dirname(models[0].path);
    const outcome = await runner.run({
      title: `Benchmark ${models.length === 1 ? benchLabel(models[0]) : `${models.length} models`} on ${RUNTIME_NAMES[setup.runtime]}`,
      cwd: root,
      args,
    });
    const report = outcome.ok ? jobResult('bench', outcome.result) : undefined;
    if (!report) {
      await announce(
        runner,
        'Benchmark',
        outcome.ok ? { ...outcome, ok: false, error: 'darknet-pruner bench returned no result' } : outcome,
      );
      return;
    }
    const dir = historyDir(root);
    const id = saveRun(dir, report, args);
    runner.log.info(`benchmark saved as ${path.join(dir, id)}`);
    showPanel(dir, id);
  }

  async function exportOpenvino(arg?: vscode.Uri): Promise<void> {
    if (!installedRuntimes(cliEntry(host())).has('openvino')) {
      void vscode.window.showErrorMessage(`Export to OpenVINO: ${openvinoMissingMessage()}`);
      return;
    }
    const cfg = await inputs.cfg(arg);
    if (!cfg) return;
    const weights = await inputs.weights(cfg, arg);
    if (!weights) return;
    const stem = path.basename(cfg.fsPath).replace(/\.cfg$/i, '');
    const out = await vscode.window.showInputBox({
      title: 'Export to OpenVINO: output folder',
      prompt: `${stem}.xml, ${stem}.bin and ${stem}.heads.json go into this folder`,
      value: path.join(path.dirname(cfg.fsPath), `${stem}-openvino`),
      validateInput: (s) => (s.trim() === '' ? 'a folder' : undefined),
    });
    if (!out) return;
    const precision = await vscode.window.showQuickPick(
      [
        { label: 'f32 weights', fp16: false },
        { label: 'f16 weights', description: "half the .bin; compute precision is the device's", fp16: true },
      ],
      { title: 'Export to OpenVINO: weights' },
    );
    if (!precision) return;
    const exists = existsSync(out) && readdirSync(out).some((f) => [`${stem}.xml`, `${stem}.bin`, `${stem}.heads.json`].includes(f));
    if (
      exists &&
      (await vscode.window.showWarningMessage(`${stem}.xml exists in ${path.basename(out)}. Replace it?`, { modal: true }, 'Replace')) !==
        'Replace'
    )
      return;
    const outcome = await runner.run({
      title: `Export ${path.basename(cfg.fsPath)} to OpenVINO`,
      cwd: path.dirname(cfg.fsPath),
      args: exportOpenvinoArgs({ cfg: cfg.fsPath, weights: weights.fsPath, out, fp16: precision.fp16, force: exists }),
    });
    const result = outcome.ok ? jobResult('export openvino', outcome.result) : undefined;
    if (!result) {
      await announce(runner, 'Export to OpenVINO', outcome);
      return;
    }
    const pick = await vscode.window.showInformationMessage(
      `Wrote ${path.basename(result.xml)} + ${path.basename(result.bin)} (${result.weights} weights, OpenVINO ${result.openvino}).`,
      'Benchmark…',
    );
    if (pick) await benchmark(undefined, [cfg, vscode.Uri.file(result.xml)]);
  }

  context.subscriptions.push(DarknetPanel.registerSerializer(BENCH, context.extensionUri, panelHandlers));
  return {
    // From the explorer: (clicked uri, selected uris).
    benchmark: (uri?: unknown, uris?: unknown) =>
      benchmark(
        uri instanceof vscode.Uri ? uri : undefined,
        Array.isArray(uris) ? uris.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : undefined,
      ),
    exportOpenvino: (uri?: unknown) => exportOpenvino(uri instanceof vscode.Uri ? uri : undefined),
  };
}
