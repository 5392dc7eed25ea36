// "Darknet: Detect Objects in Image…": a cfg and its weights, images, class names (a .names file or
// a .data file's names=) and a runtime; `darknet-pruner detect` runs as a job and sends every box
// above a low floor before NMS; the detection panel draws each image with its boxes and selects
// with the same code as the CLI (core/src/nn/select-detections.ts) as its score slider and NMS kind
// change, without running the job again.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { DETECT_RUNTIMES, detectArgs, jobResult, type DetectJobResult, type DetectRuntime } from '../../../core/src/protocol/jobs';
import { announce, type JobRunner } from '../jobs/jobs';
import { DarknetPanel, type PanelHandlers, type PanelKind } from '../panels/webviewPanel';
import type { PruneInputs } from '../pruning/inputs';
import type { CommandHandlers } from '../trust';
import { DETECT_FLOOR, detectView, imageFolders } from './detectView';

const DETECT: PanelKind = { viewType: 'darknet.detect', script: 'detect', title: 'Detections' };
const IMAGE = /\.(jpe?g|png)$/i;
const LAST = 'darknet.detectDefaults';

interface DetectDefaults {
  names: Record<string, string>;
  runtime: DetectRuntime;
}

const RUNTIME_NOTES: Record<DetectRuntime, string> = {
  tfjs: 'TensorFlow.js on the cfg and weights (as darknet computes)',
  onnx: 'our ONNX export in onnxruntime-node',
  openvino: 'our ONNX export in OpenVINO (CPU)',
};

type Item<T> = vscode.QuickPickItem & { value: T };

async function pickImages(arg: vscode.Uri | undefined, selected: vscode.Uri[] | undefined): Promise<string[] | undefined> {
  const chosen = (selected?.length ? selected : arg ? [arg] : []).filter((u) => u.scheme === 'file' && IMAGE.test(u.fsPath));
  if (chosen.length) return chosen.map((u) => u.fsPath);
  const found = (await vscode.workspace.findFiles('**/*.{jpg,jpeg,png,JPG,JPEG,PNG}', '**/node_modules/**', 500))
    .map((u) => u.fsPath)
    .sort();
  const byFolder = new Map<string, string[]>();
  for (const f of found) byFolder.set(path.dirname(f), [...(byFolder.get(path.dirname(f)) ?? []), f]);
  const rel = (p: string) => vscode.workspace.asRelativePath(p, false);
  const items: Item<string[] | 'browse'>[] = [
    ...found.map((f) => ({ label: path.basename(f), description: rel(path.dirname(f)), value: [f] })),
    ...[...byFolder]
      .filter(([, files]) => files.length > 1)
      .map(([dir, files]) => ({ label: `All ${files.length} images in ${rel(dir)}`, value: files })),
    { label: 'Browse…', description: 'JPEG or PNG images anywhere', value: 'browse' as const },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Detect: images',
    placeHolder: 'An image of the workspace, a folder of them, or Browse…',
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  if (pick.value !== 'browse') return pick.value;
  const files = await vscode.window.showOpenDialog({
    canSelectMany: true,
    filters: { Images: ['jpg', 'jpeg', 'png'] },
    openLabel: 'Detect in these images',
  });
  return files?.length ? files.map((u) => u.fsPath) : undefined;
}

/** A .names file or a .data file (its names=), '' for class numbers, undefined when cancelled. */
async function pickNames(cfg: string, remembered: string | undefined): Promise<string | undefined> {
  const found = (await vscode.workspace.findFiles('**/*.{names,data}', '**/node_modules/**', 200)).map((u) => u.fsPath);
  // The remembered file first, then those beside the cfg.
  const rank = (f: string) => (f === remembered ? 0 : path.dirname(f) === path.dirname(cfg) ? 1 : 2);
  found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const items: Item<string | 'browse'>[] = [
    ...found.map((f) => ({
      label: path.basename(f),
      description: vscode.workspace.asRelativePath(path.dirname(f), false),
      detail: f.toLowerCase().endsWith('.data') ? 'the names= of this .data file' : undefined,
      value: f,
    })),
    { label: 'Class numbers', description: 'no names', value: '' },
    { label: 'Browse…', description: 'a .names or .data file anywhere', value: 'browse' as const },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Detect: class names',
    placeHolder: `Labels for ${path.basename(cfg)}'s classes`,
  });
  if (!pick) return undefined;
  if (pick.value !== 'browse') return pick.value;
  const file = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'Class names': ['names', 'data', 'txt'] },
    openLabel: 'Use these names',
  });
  return file?.[0]?.fsPath;
}

async function pickRuntime(last: DetectRuntime): Promise<DetectRuntime | undefined> {
  const items = [last, ...DETECT_RUNTIMES.filter((r) => r !== last)].map((r) => ({ label: r, description: RUNTIME_NOTES[r], value: r }));
  return (await vscode.window.showQuickPick(items, { title: 'Detect: runtime' }))?.value;
}

export function detectionCommands(
  context: vscode.ExtensionContext,
  runner: JobRunner,
  inputs: PruneInputs,
): Pick<CommandHandlers, 'detectObjects'> {
  const uri = context.extensionUri;
  const state = context.workspaceState;
  const defaults = (): DetectDefaults => ({ names: {}, runtime: 'tfjs', ...state.get<Partial<DetectDefaults>>(LAST, {}) });

  const handlers: PanelHandlers = {
    resourceRoots: (ctx) => (ctx.images ? imageFolders(JSON.parse(ctx.images) as string[]).map((d) => vscode.Uri.file(d)) : []),
    onReady(p) {
      const { cfg, result } = p.context;
      if (!cfg || !result) return;
      const r = JSON.parse(result) as DetectJobResult;
      p.show({ type: 'detect', view: detectView(cfg, r, (image) => p.panel.webview.asWebviewUri(vscode.Uri.file(image)).toString()) });
    },
  };
  context.subscriptions.push(DarknetPanel.registerSerializer(DETECT, uri, handlers));

  async function detectObjects(arg?: vscode.Uri, selected?: vscode.Uri[]): Promise<void> {
    const isImage = arg?.scheme === 'file' && IMAGE.test(arg.fsPath);
    const cfg = await inputs.cfg(isImage ? undefined : arg);
    if (!cfg) return;
    const weights = await inputs.weights(cfg, isImage ? undefined : arg);
    if (!weights) return;
    const images = await pickImages(isImage ? arg : undefined, isImage ? selected : undefined);
    if (!images) return;
    const d = defaults();
    const names = await pickNames(cfg.fsPath, d.names[cfg.fsPath]);
    if (names === undefined) return;
    const runtime = await pickRuntime(d.runtime);
    if (!runtime) return;
    await state.update(LAST, { names: { ...d.names, [cfg.fsPath]: names }, runtime } satisfies DetectDefaults);
    const title = `Detect objects in ${images.length === 1 ? path.basename(images[0]) : `${images.length} images`} (${runtime})`;
    const outcome = await runner.run({
      title,
      cwd: path.dirname(cfg.fsPath),
      args: detectArgs({
        cfg: cfg.fsPath,
        weights: weights.fsPath,
        images,
        ...(names ? { names } : {}),
        runtime,
        thresh: DETECT_FLOOR,
        candidates: true,
      }),
    });
    const r = outcome.ok ? jobResult('detect', outcome.result) : undefined;
    if (!r) {
      await announce(runner, 'Detect objects', outcome.ok ? { ...outcome, ok: false, error: 'the job gave no detect result' } : outcome);
      return;
    }
    const key = JSON.stringify([cfg.fsPath, weights.fsPath, images, names, runtime]);
    const ctx = { key, cfg: cfg.fsPath, images: JSON.stringify(images), result: JSON.stringify(r) };
    const p = DarknetPanel.show(
      DETECT,
      uri,
      handlers,
      ctx,
      `Detect: ${images.length === 1 ? path.basename(images[0]) : `${images.length} images`}`,
    );
    p.context = ctx;
    await handlers.onReady(p);
  }

  return {
    detectObjects: (arg?: unknown, selected?: unknown) =>
      detectObjects(
        arg instanceof vscode.Uri ? arg : undefined,
        Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : undefined,
      ),
  };
}
