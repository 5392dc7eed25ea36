// The pruning commands: Show γ histogram · Prune channels… · Prune layers… · Pruning sweep… ·
// Compare with original. Long work runs in the darknet-pruner CLI as a job.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { jobResult, pruneChannelArgs, pruneLayerArgs, sweepArgs } from '../../../core/src/protocol/jobs';
import type { GammaOverlay, SweepView } from '../../../webviews/src/shared/protocol';
import { COMMANDS } from '../constants';
import { announce, type JobOutcome, type JobRunner } from '../jobs/jobs';
import type { CommandHandlers } from '../trust';
import { DarknetPanel, type PanelHandlers, type PanelKind } from '../panels/webviewPanel';
import { GammaModel } from './gammaModel';
import { PruneInputs } from './inputs';
import { readReport, reportPath, reportView } from './reportView';
import { mayOpenReportTargets, type ReportTargetPort } from './reportTargets';

type PruningCommand = 'showGammaHistogram' | 'pruneChannels' | 'pruneLayers' | 'pruneSweep' | 'compareWithOriginal' | 'showLog';

const GAMMA: PanelKind = { viewType: 'darknet.gamma', script: 'gamma', title: 'BN-γ histogram' };
const REPORT: PanelKind = { viewType: 'darknet.report', script: 'report', title: 'Prune report' };
const SWEEP: PanelKind = { viewType: 'darknet.sweep', script: 'sweep', title: 'Pruning sweep' };

/** Registers the panels' serializers and returns the pruning commands' handlers. */
/** Where the γ panel's live threshold is also shown: the network graph of the same cfg. */
export interface GammaOverlayTarget {
  gammaOverlay(cfgPath: string, overlay: GammaOverlay | null): void;
}

export function pruningCommands(
  context: vscode.ExtensionContext,
  runner: JobRunner,
  graphs?: GammaOverlayTarget,
): Pick<CommandHandlers, PruningCommand> {
  const inputs = new PruneInputs(context.workspaceState);
  const uri = context.extensionUri;
  const models = new Map<string, GammaModel>();
  const modelFor = (cfg: string, weights: string) => {
    const key = `${cfg}\n${weights}`;
    let m = models.get(key);
    if (!m) {
      m = GammaModel.load(cfg, weights);
      models.clear();
      models.set(key, m);
    }
    return m;
  };

  const openReport = (file: string) => {
    const p = DarknetPanel.show(
      REPORT,
      uri,
      reportHandlers,
      { key: file, report: file },
      `Prune report: ${path.basename(path.dirname(file))}`,
    );
    void reportHandlers.onReady(p);
  };

  const reportTargets: ReportTargetPort = {
    folders: () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    confirm: (message, action) => vscode.window.showWarningMessage(message, { modal: true }, action),
  };

  const reportHandlers: PanelHandlers = {
    onReady(p) {
      const file = p.context.report;
      if (!file || !existsSync(file)) {
        p.post({ type: 'error', message: `Report not found: ${file ?? '(none)'}` });
        return;
      }
      try {
        p.show({ type: 'report', view: reportView(file, readReport(file)) });
      } catch (e) {
        p.post({ type: 'error', message: (e as Error).message });
      }
    },
    async onMessage(p, m) {
      const file = p.context.report;
      if (!file) return;
      const view = reportView(file, readReport(file));
      if (m.type === 'open') {
        const target = m.target === 'prunedCfg' ? view.prunedCfg : view.originalCfg;
        if (await mayOpenReportTargets(reportTargets, file, [target])) await vscode.window.showTextDocument(vscode.Uri.file(target));
      }
      if (m.type === 'compare' && (await mayOpenReportTargets(reportTargets, file, [view.originalCfg, view.prunedCfg])))
        await compare(view.originalCfg, view.prunedCfg);
    },
  };

  const gammaHandlers: PanelHandlers = {
    onReady(p) {
      const { cfg, weights } = p.context;
      const d = inputs.defaults();
      p.show({ type: 'gamma', view: modelFor(cfg, weights).view(path.basename(cfg), d.percent, d.layerKeep) });
    },
    async onMessage(p, m) {
      const { cfg, weights } = p.context;
      if (m.type === 'percent') {
        const { figures, overlay } = modelFor(cfg, weights).evaluate(m.percent, m.layerKeep);
        p.post({ type: 'figures', figures });
        graphs?.gammaOverlay(cfg, overlay);
      }
      // Through the command, which refuses in an untrusted workspace.
      if (m.type === 'prune')
        await vscode.commands.executeCommand(
          COMMANDS.pruneChannels,
          vscode.Uri.file(cfg),
          vscode.Uri.file(weights),
          m.percent,
          m.layerKeep,
        );
    },
  };

  const sweepHandlers: PanelHandlers = {
    onReady(p) {
      const raw = p.context.result;
      if (raw) p.show({ type: 'sweep', view: JSON.parse(raw) as SweepView });
    },
  };

  /** After a prune job: the pruned cfg in the editor, the report beside it. */
  async function showResult(outcome: JobOutcome): Promise<void> {
    if (!outcome.ok) return;
    const cfg = outcome.artifacts.find((a) => a.kind === 'cfg');
    const report = outcome.artifacts.find((a) => a.kind === 'report');
    if (cfg) await vscode.window.showTextDocument(vscode.Uri.file(cfg.path), { preview: false });
    if (report) openReport(report.path);
  }

  async function pruneChannels(cfgArg?: vscode.Uri, weightsArg?: vscode.Uri, percentArg?: number, keepArg?: number): Promise<void> {
    const cfg = await inputs.cfg(cfgArg);
    if (!cfg) return;
    const weights = await inputs.weights(cfg, weightsArg);
    if (!weights) return;
    const percent = percentArg ?? (await inputs.percent());
    if (percent === undefined) return;
    const method = await inputs.method();
    if (!method) return;
    // layer_keep is a slim option (the CLI refuses it for shortcut and regular).
    const layerKeep = method === 'slim' ? (keepArg ?? (await inputs.layerKeep())) : undefined;
    if (method === 'slim' && layerKeep === undefined) return;
    const out = await inputs.outputDir(cfg, `pruned-${Math.round(percent * 100)}`);
    if (!out) return;
    await inputs.remember({ percent, method, ...(layerKeep !== undefined ? { layerKeep } : {}) });
    const methodOptions = method === 'slim' ? { method, layerKeep } : { method };
    const outcome = await runner.run({
      title: `Prune channels (${method}, ${percent})`,
      cwd: path.dirname(cfg.fsPath),
      args: pruneChannelArgs({ cfg: cfg.fsPath, weights: weights.fsPath, globalPercent: percent, out, ...methodOptions }),
    });
    await showResult(outcome);
    await announce(runner, 'Prune channels', outcome, openReport);
  }

  async function pruneLayers(arg?: vscode.Uri): Promise<void> {
    const cfg = await inputs.cfg(arg);
    if (!cfg) return;
    const prunedDir = existsSync(path.join(path.dirname(cfg.fsPath), 'prune-report.json')) ? path.dirname(cfg.fsPath) : undefined;
    const weights = prunedDir ? undefined : await inputs.weights(cfg, arg);
    if (!prunedDir && !weights) return;
    const n = await inputs.shortcuts();
    if (n === undefined) return;
    const out = await inputs.outputDir(cfg, `cut-${n}`);
    if (!out) return;
    await inputs.remember({ shortcuts: n });
    const source = prunedDir ? { prunedDir } : { cfg: cfg.fsPath, weights: weights!.fsPath };
    const outcome = await runner.run({
      title: `Prune layers (${n} residual units)`,
      cwd: path.dirname(cfg.fsPath),
      args: pruneLayerArgs({ source, shortcuts: n, out }),
    });
    await showResult(outcome);
    await announce(runner, 'Prune layers', outcome, openReport);
  }

  async function sweep(arg?: vscode.Uri, weightsArg?: vscode.Uri): Promise<void> {
    const cfg = await inputs.cfg(arg);
    if (!cfg) return;
    const weights = await inputs.weights(cfg, weightsArg ?? arg);
    if (!weights) return;
    const range = await inputs.sweepRange();
    if (!range) return;
    const data = await inputs.dataset();
    if (data === undefined) return;
    await inputs.remember({ sweep: range });
    const outcome = await runner.run({
      title: data ? 'Pruning sweep with evaluation' : 'Pruning sweep',
      cwd: path.dirname(cfg.fsPath),
      args: sweepArgs({ cfg: cfg.fsPath, weights: weights.fsPath, percents: range, ...(data ? { data } : {}) }),
    });
    const r = outcome.ok ? jobResult('sweep', outcome.result) : undefined;
    if (r) {
      const view: SweepView = {
        title: path.basename(cfg.fsPath),
        rule: r.rule,
        suggested: r.suggested?.percent,
        points: r.points.map((p) => ({
          percent: p.percent,
          params: p.params,
          bflops: p.bflops,
          weightsBytes: p.weightsBytes,
          emptied: p.emptied.length,
          floored: p.floored.length,
          mAP: p.map50,
        })),
      };
      DarknetPanel.show(
        SWEEP,
        uri,
        sweepHandlers,
        { key: cfg.fsPath, result: JSON.stringify(view) },
        `Sweep: ${path.basename(cfg.fsPath)}`,
      ).show({ type: 'sweep', view });
    }
    await announce(runner, 'Pruning sweep', outcome);
  }

  async function showGamma(arg?: vscode.Uri, weightsArg?: vscode.Uri): Promise<void> {
    const cfg = await inputs.cfg(arg);
    if (!cfg) return;
    const weights = await inputs.weights(cfg, weightsArg ?? arg);
    if (!weights) return;
    try {
      modelFor(cfg.fsPath, weights.fsPath);
    } catch (e) {
      void vscode.window.showErrorMessage(`Show γ histogram: ${(e as Error).message}`);
      return;
    }
    DarknetPanel.show(
      GAMMA,
      uri,
      gammaHandlers,
      { key: `${cfg.fsPath}|${weights.fsPath}`, cfg: cfg.fsPath, weights: weights.fsPath },
      `γ: ${path.basename(cfg.fsPath)}`,
    );
  }

  async function compareWithOriginal(arg?: vscode.Uri | string): Promise<void> {
    // The language server's code lens passes the document URI as a string.
    const pruned = await inputs.cfg(typeof arg === 'string' ? vscode.Uri.parse(arg) : arg);
    if (!pruned) return;
    const reportFile = path.join(path.dirname(pruned.fsPath), 'prune-report.json');
    let original: string | undefined;
    if (existsSync(reportFile)) {
      try {
        original = reportPath(reportFile, readReport(reportFile).source.cfg);
      } catch {
        original = undefined;
      }
      if (original && existsSync(original) && !(await mayOpenReportTargets(reportTargets, reportFile, [original]))) return;
    }
    if (!original || !existsSync(original)) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Darknet cfg': ['cfg'] },
        title: 'Original cfg to compare with',
      });
      original = picked?.[0]?.fsPath;
    }
    if (original) await compare(original, pruned.fsPath);
  }

  context.subscriptions.push(
    DarknetPanel.registerSerializer(GAMMA, uri, gammaHandlers),
    DarknetPanel.registerSerializer(REPORT, uri, reportHandlers),
    DarknetPanel.registerSerializer(SWEEP, uri, sweepHandlers),
  );
  const uriArg = (a: unknown) => (a instanceof vscode.Uri ? a : undefined);
  const numberArg = (a: unknown) => (typeof a === 'number' ? a : undefined);
  return {
    // Also (cfg, weights) from the training dashboard.
    showGammaHistogram: (cfg?: unknown, weights?: unknown) => showGamma(uriArg(cfg), uriArg(weights)),
    // From menus: (uri, selected uris); from the γ panel: (cfg, weights, percent, layer_keep).
    pruneChannels: (cfg?: unknown, weights?: unknown, percent?: unknown, keep?: unknown) =>
      pruneChannels(uriArg(cfg), uriArg(weights), numberArg(percent), numberArg(keep)),
    pruneLayers,
    pruneSweep: (cfg?: unknown, weights?: unknown) => sweep(uriArg(cfg), uriArg(weights)),
    compareWithOriginal,
    showLog: () => runner.log.show(),
  };
}

function compare(original: string, pruned: string): Thenable<unknown> {
  return vscode.commands.executeCommand(
    'vscode.diff',
    vscode.Uri.file(original),
    vscode.Uri.file(pruned),
    `${path.basename(original)} ↔ ${path.basename(pruned)} (pruned)`,
  );
}
