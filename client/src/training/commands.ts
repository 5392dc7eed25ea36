// The training commands: Train… · Sparsity Train… · Fine-tune… · Open Training Run…, and the
// training dashboard. A run is a darknet-pruner `train` job (progress notification with Cancel, the
// job log, the status bar item; the same argv works as a `darknet` task). The dashboard is fed live
// from the job's metric events and from the run folder's files, which it watches, so a reopened
// run, a finished one and a window reload show the same thing. Stop cancels the job: the CLI keeps
// the last epoch's checkpoint (docs/training.md, "Ctrl-C and Cancel"); Resume runs `train --resume`.

import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resumeArgs, trainArgs, trainResult, type TrainJob } from '../../../core/src/protocol/train';
import type { JobEvent } from '../../../core/src/protocol/jobs';
import type { TrainingStepView } from '../../../webviews/src/shared/protocol';
import { COMMANDS } from '../constants';
import { announce, type JobRunner } from '../jobs/jobs';
import { DarknetPanel, type PanelHandlers, type PanelKind } from '../panels/webviewPanel';
import { findWeights, PruneInputs } from '../pruning/inputs';
import type { CommandHandlers } from '../trust';
import { TrainInputs } from './inputs';
import { findRunDirs, isRunDir, runView, WATCHED_FILES, type LiveState } from './runData';

type TrainingCommand = 'train' | 'sparsityTrain' | 'finetune' | 'openTrainingRun';

const DASHBOARD: PanelKind = { viewType: 'darknet.training', script: 'training', title: 'Training' };
const STEP_NAMES: Record<string, keyof TrainingStepView> = {
  loss: 'loss',
  loss_box: 'lossBox',
  loss_obj: 'lossObj',
  loss_cls: 'lossCls',
  lr: 'lr',
};

/** A job running in this window for one run folder. */
interface LiveRun extends LiveState {
  cts: vscode.CancellationTokenSource;
}

export function trainingCommands(context: vscode.ExtensionContext, runner: JobRunner): Pick<CommandHandlers, TrainingCommand> {
  const prune = new PruneInputs(context.workspaceState);
  const inputs = new TrainInputs(context.workspaceState);
  const uri = context.extensionUri;
  /** Keyed by the resolved run folder; a finished job stays with running=false (its note, its steps). */
  const live = new Map<string, LiveRun>();
  const watchers = new Map<string, FSWatcher>();
  const pending = new Map<string, NodeJS.Timeout>();
  const folders = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);

  const send = (dir: string) => {
    const p = DarknetPanel.find(DASHBOARD, dir);
    if (!p) return;
    try {
      p.show({ type: 'training', view: runView(dir, live.get(dir), folders()) });
    } catch (e) {
      p.post({ type: 'error', message: (e as Error).message });
    }
  };

  /** Re-read the run folder when its files change (an atomic write is a rename in the folder). */
  const watchRun = (dir: string) => {
    if (watchers.has(dir) || !existsSync(dir)) return;
    try {
      const w = watch(dir, (_event, file) => {
        if (file && !WATCHED_FILES.includes(file.toString())) return;
        // Coalesce the burst of renames an epoch's commit makes into one read.
        clearTimeout(pending.get(dir));
        pending.set(
          dir,
          setTimeout(() => {
            pending.delete(dir);
            send(dir);
          }, 100),
        );
      });
      w.on('error', () => {
        w.close();
        watchers.delete(dir);
      });
      watchers.set(dir, w);
    } catch {
      /* the folder went away: the next job event or reopen watches again */
    }
  };

  const handlers: PanelHandlers = {
    onReady(p) {
      const dir = p.context.runDir;
      if (!dir) return;
      if (!existsSync(dir) && !live.get(dir)?.running) {
        p.post({ type: 'error', message: `Run folder not found: ${dir}` });
        return;
      }
      watchRun(dir);
      send(dir);
    },
    async onMessage(p, m) {
      const dir = p.context.runDir;
      if (!dir || m.type !== 'training') return;
      const view = runView(dir, live.get(dir), folders());
      switch (m.action) {
        case 'stop': {
          const run = live.get(dir);
          if (run?.running) {
            run.stopping = true;
            run.cts.cancel();
            send(dir);
          }
          break;
        }
        case 'resume':
          await vscode.commands.executeCommand(COMMANDS.train, { resume: dir });
          break;
        // Through the commands, which refuse in an untrusted workspace.
        case 'showGamma':
          if (view.latest)
            await vscode.commands.executeCommand(
              COMMANDS.showGammaHistogram,
              vscode.Uri.file(view.latest.cfg),
              vscode.Uri.file(view.latest.weights),
            );
          break;
        case 'sweep':
          if (view.latest)
            await vscode.commands.executeCommand(
              COMMANDS.pruneSweep,
              vscode.Uri.file(view.latest.cfg),
              vscode.Uri.file(view.latest.weights),
            );
          break;
        case 'openFolder':
          await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
          break;
      }
    },
  };

  const openDashboard = (dir: string) => {
    const key = path.resolve(dir);
    const p = DarknetPanel.show(DASHBOARD, uri, handlers, { key, runDir: key }, `Training: ${path.basename(key)}`);
    watchRun(key);
    send(key);
    return p;
  };

  /** Runs `train` as a job with the dashboard open on its run folder. */
  async function runTraining(title: string, args: string[], runDir: string, cwd: string, epochs: number): Promise<void> {
    const dir = path.resolve(runDir);
    // The CLI makes the run folder but wants its parent (runs/) to exist.
    mkdirSync(path.dirname(dir), { recursive: true });
    const cts = new vscode.CancellationTokenSource();
    const run: LiveRun = { running: true, steps: [], cts, epochsTotal: epochs };
    live.set(dir, run);
    openDashboard(dir);
    let batch: TrainingStepView[] = [];
    let flush: NodeJS.Timeout | undefined;
    const onEvent = (e: JobEvent) => {
      if (e.type === 'metric' && e.step !== undefined && STEP_NAMES[e.name]) {
        let s = run.steps[run.steps.length - 1];
        if (!s || s.step !== e.step) {
          s = { step: e.step, loss: NaN };
          run.steps.push(s);
          batch.push(s);
        }
        (s as unknown as Record<string, number>)[STEP_NAMES[e.name]] = e.value;
        // Steps reach the panel a few at a time (a step's five metrics arrive together).
        flush ??= setTimeout(() => {
          flush = undefined;
          DarknetPanel.find(DASHBOARD, dir)?.post({ type: 'trainingSteps', steps: batch });
          batch = [];
        }, 50);
      }
      watchRun(dir);
    };
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => {
          run.stopping = true;
          cts.cancel();
          send(dir);
        });
        return runner.execute({ title, args, cwd, onEvent }, cts.token, (message, inc) => progress.report({ message, increment: inc }));
      },
    );
    clearTimeout(flush);
    cts.dispose();
    run.running = false;
    run.stopping = false;
    if (outcome.cancelled) run.note = "stopped; the last completed epoch's checkpoint is kept — Resume continues from it";
    else if (!outcome.ok) run.failed = outcome.error ?? 'failed';
    else {
      const r = trainResult(outcome.result);
      if (r)
        run.note = `${r.epoch} epochs, ${r.iteration} iterations, best mAP@0.5 ${r.bestMap50?.toFixed(3) ?? '–'}, ${r.imagesPerSecond.toFixed(1)} images/s (${r.backend})`;
    }
    watchRun(dir);
    send(dir);
    if (outcome.cancelled) {
      void vscode.window.showInformationMessage(`${title} stopped: Resume on the dashboard continues from the last completed epoch.`);
      return;
    }
    if (!outcome.ok) {
      await announce(runner, title, outcome);
      return;
    }
    const pick = await vscode.window.showInformationMessage(`${title} finished: ${run.note ?? dir}.`, 'Show dashboard', 'Show log');
    if (pick === 'Show dashboard') openDashboard(dir);
    else if (pick === 'Show log') runner.log.show();
  }

  async function cfgAndWeights(title: string, arg?: vscode.Uri): Promise<{ cfg: string; weights: string } | undefined> {
    const cfgUri = await prune.cfg(arg);
    if (!cfgUri) return undefined;
    const cfg = cfgUri.fsPath;
    const weights = await inputs.weights(cfg, title, arg?.fsPath.toLowerCase().endsWith('.weights') ? arg.fsPath : findWeights(cfg));
    return weights === undefined ? undefined : { cfg, weights };
  }

  async function train(title: string, sparse: boolean, arg?: vscode.Uri): Promise<void> {
    const picked = await cfgAndWeights(title, arg);
    if (!picked) return;
    const { cfg, weights } = picked;
    const data = await inputs.data(cfg, path.dirname(cfg), title);
    if (!data) return;
    const sparsity = sparse ? await inputs.sparsity() : undefined;
    if (sparse && !sparsity) return;
    const epochs = await inputs.epochs(title);
    if (epochs === undefined) return;
    const batch = await inputs.batch(title);
    if (batch === undefined) return;
    const stem = path.basename(cfg).replace(/\.cfg$/i, '');
    const out = await inputs.runDir(path.dirname(cfg), `${stem}-${sparse ? 'sparse' : 'train'}`);
    if (!out) return;
    await inputs.remember({ epochs, batch, ...(sparsity ? { sparsity: sparsity.s, pruneMode: sparsity.pruneMode } : {}) });
    const job: TrainJob = {
      source: { cfg, ...(weights ? { weights } : {}) },
      data,
      out,
      epochs,
      ...(batch ? { batch: Number(batch) } : {}),
      ...(sparsity ? { sparsity } : {}),
    };
    await runTraining(`${title.replace(/…$/, '')} ${stem}`, trainArgs(job), out, path.dirname(cfg), epochs);
  }

  async function finetune(arg?: vscode.Uri): Promise<void> {
    const title = 'Fine-tune';
    const active = arg?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
    const dir = await inputs.prunedDir(active && existsSync(active) && !active.endsWith(path.sep) ? active : undefined);
    if (!dir) return;
    // The dataset usually sits beside the folder the pruned model was written into.
    const data = await inputs.data(dir, path.dirname(dir), title);
    if (!data) return;
    const warmupEpochs = await inputs.warmupEpochs();
    if (warmupEpochs === undefined) return;
    const epochs = await inputs.epochs(title);
    if (epochs === undefined) return;
    const batch = await inputs.batch(title);
    if (batch === undefined) return;
    const out = await inputs.runDir(path.dirname(dir), `${path.basename(dir)}-finetune`);
    if (!out) return;
    await inputs.remember({ epochs, batch, warmupEpochs });
    const job: TrainJob = { source: { finetune: dir, warmupEpochs }, data, out, epochs, ...(batch ? { batch: Number(batch) } : {}) };
    await runTraining(`Fine-tune ${path.basename(dir)}`, trainArgs(job), out, path.dirname(dir), epochs);
  }

  async function resume(dir: string): Promise<void> {
    const key = path.resolve(dir);
    if (live.get(key)?.running) {
      openDashboard(key);
      return;
    }
    const view = runView(key, live.get(key), folders());
    if (!view.canResume) {
      void vscode.window.showErrorMessage(`Resume: ${key} has no checkpoint to continue from.`);
      return;
    }
    const done = view.epochs.length;
    const epochs = await inputs.epochs('Resume', Math.max(view.epochsTotal ?? 0, done + 1), done + 1);
    if (epochs === undefined) return;
    await runTraining(`Resume ${view.title}`, resumeArgs(key, epochs), key, path.dirname(key), epochs);
  }

  async function openRun(arg?: vscode.Uri): Promise<void> {
    let dir = arg?.fsPath;
    if (dir && !isRunDir(dir)) dir = path.dirname(dir);
    if (!dir || !isRunDir(dir)) {
      // The runs in the workspace (newest first), else any folder.
      const runs = findRunDirs(folders());
      const browse = { label: '$(folder-opened) Browse…', description: 'a run folder elsewhere', dir: '' };
      const items = [
        ...runs.map((r) => ({
          label: vscode.workspace.asRelativePath(r, (vscode.workspace.workspaceFolders?.length ?? 0) > 1),
          description: runView(r, live.get(r), folders()).status,
          dir: r,
        })),
        browse,
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'Open Training Run' });
      if (!pick) return;
      dir = pick.dir;
      if (!dir) {
        const f = await vscode.window.showOpenDialog({
          canSelectFiles: false,
          canSelectFolders: true,
          canSelectMany: false,
          title: 'A training run folder (train -o RUN_DIR)',
          openLabel: 'Open run',
        });
        dir = f?.[0]?.fsPath;
        if (!dir) return;
      }
      if (!isRunDir(dir)) {
        void vscode.window.showErrorMessage(`${dir} is not a training run folder (no command.txt or metrics.jsonl).`);
        return;
      }
    }
    openDashboard(dir);
  }

  context.subscriptions.push(DarknetPanel.registerSerializer(DASHBOARD, uri, handlers), {
    dispose: () => {
      for (const w of watchers.values()) w.close();
      for (const t of pending.values()) clearTimeout(t);
      for (const r of live.values()) r.cts.cancel();
    },
  });
  const uriArg = (a: unknown) => (a instanceof vscode.Uri ? a : undefined);
  return {
    // From the dashboard's Resume: { resume: runDir }.
    train: (a?: unknown) =>
      a && typeof a === 'object' && typeof (a as { resume?: unknown }).resume === 'string'
        ? resume((a as { resume: string }).resume)
        : train('Train…', false, uriArg(a)),
    sparsityTrain: (a?: unknown) => train('Sparsity Train…', true, uriArg(a)),
    finetune: (a?: unknown) => finetune(uriArg(a)),
    openTrainingRun: (a?: unknown) => openRun(uriArg(a)),
  };
}
