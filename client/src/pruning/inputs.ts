// Input flows for the pruning commands: which cfg, which weights, which parameters. Every step
// can be cancelled (Escape) without side effects; answers are remembered per workspace.

import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const LAST_WEIGHTS = 'darknet.lastWeights';
const DEFAULTS = 'darknet.pruneDefaults';

export interface PruneDefaults {
  percent: number;
  layerKeep: number;
  method: 'slim' | 'shortcut' | 'regular';
  shortcuts: number;
  sweep: string;
}
const FACTORY: PruneDefaults = { percent: 0.8, layerKeep: 0.01, method: 'slim', shortcuts: 8, sweep: '0.5:0.95:0.01' };

export class PruneInputs {
  constructor(private readonly state: vscode.Memento) {}

  defaults(): PruneDefaults {
    return { ...FACTORY, ...this.state.get<Partial<PruneDefaults>>(DEFAULTS, {}) };
  }

  remember(update: Partial<PruneDefaults>): Thenable<void> {
    return this.state.update(DEFAULTS, { ...this.defaults(), ...update });
  }

  /** The cfg: the explorer selection, else the active editor's document, else ask. */
  async cfg(uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (uri?.fsPath.toLowerCase().endsWith('.cfg')) return uri;
    if (uri?.fsPath.toLowerCase().endsWith('.weights')) {
      const cfg = uri.fsPath.replace(/\.weights$/i, '.cfg');
      if (existsSync(cfg)) return vscode.Uri.file(cfg);
    }
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && (doc.languageId === 'darknet-cfg' || doc.fileName.toLowerCase().endsWith('.cfg')) && doc.uri.scheme === 'file')
      return doc.uri;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Darknet cfg': ['cfg'] },
      openLabel: 'Use this cfg',
    });
    return picked?.[0];
  }

  /** Weights beside the cfg (same stem), or the ones picked last for this cfg, else ask. */
  async weights(cfg: vscode.Uri, explicit?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (explicit?.fsPath.toLowerCase().endsWith('.weights')) return explicit;
    const found = findWeights(cfg.fsPath, this.state.get<Record<string, string>>(LAST_WEIGHTS, {})[cfg.fsPath]);
    if (found) return vscode.Uri.file(found);
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.dirname(cfg.fsPath)),
      filters: { 'Darknet weights': ['weights'] },
      title: `Weights for ${path.basename(cfg.fsPath)}`,
      openLabel: 'Use these weights',
    });
    if (!picked?.[0]) return undefined;
    await this.state.update(LAST_WEIGHTS, { ...this.state.get<Record<string, string>>(LAST_WEIGHTS, {}), [cfg.fsPath]: picked[0].fsPath });
    return picked[0];
  }

  async percent(initial?: number): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Prune channels: global percent',
      prompt: 'Fraction of the prunable BN channels (by |γ|) to remove, in [0, 1)',
      value: String(initial ?? this.defaults().percent),
      validateInput: (s) => fractionError(s, false),
    });
    return v === undefined ? undefined : Number(v);
  }

  async layerKeep(): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Prune channels: layer_keep',
      prompt: 'Each layer keeps at least this fraction of its channels (slim)',
      value: String(this.defaults().layerKeep),
      validateInput: (s) => fractionError(s, true),
    });
    return v === undefined ? undefined : Number(v);
  }

  async method(): Promise<PruneDefaults['method'] | undefined> {
    const d = this.defaults().method;
    const items = [
      { label: 'slim', description: 'threshold |γ| > thr, layer_keep floor, OR-merge of shortcut groups (default)' },
      { label: 'shortcut', description: "group members copy the head conv's mask (shortcut_prune)" },
      { label: 'regular', description: 'only convs not joined by shortcuts (prune.py)' },
    ].sort((a, b) => (a.label === d ? -1 : b.label === d ? 1 : 0));
    const pick = await vscode.window.showQuickPick(items, { title: 'Prune channels: method' });
    return pick?.label as PruneDefaults['method'] | undefined;
  }

  async shortcuts(): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Prune layers: residual units to remove',
      prompt: 'Number of residual units (shortcut + its two convs) to cut, lowest mean |γ| first',
      value: String(this.defaults().shortcuts),
      validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 ? undefined : 'a whole number ≥ 1'),
    });
    return v === undefined ? undefined : Number(v);
  }

  async sweepRange(): Promise<string | undefined> {
    return vscode.window.showInputBox({
      title: 'Pruning sweep: percents',
      prompt: 'start:end:step (inclusive), e.g. 0.5:0.95:0.01',
      value: this.defaults().sweep,
      validateInput: (s) => (/^\s*[\d.]+\s*:\s*[\d.]+\s*:\s*[\d.]+\s*$/.test(s) ? undefined : 'start:end:step'),
    });
  }

  /** A darknet .data file to evaluate each sweep point on; '' for none, undefined when cancelled. */
  async dataset(): Promise<string | undefined> {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'Sizes only', description: 'params, BFLOPs, weights size per percent', data: false },
        { label: 'Sizes and mAP…', description: 'also P, R, mAP@0.5 of each pruned model on a darknet .data set (slower)', data: true },
      ],
      { title: 'Pruning sweep: evaluation' },
    );
    if (!pick) return undefined;
    if (!pick.data) return '';
    const file = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'Darknet data': ['data'] },
      openLabel: 'Evaluate on this set',
    });
    return file?.[0]?.fsPath;
  }

  /** Output directory: a new folder beside the cfg, never the input's own folder contents. */
  async outputDir(cfg: vscode.Uri, suffix: string): Promise<string | undefined> {
    const stem = path.basename(cfg.fsPath).replace(/\.cfg$/i, '');
    const base = path.join(path.dirname(cfg.fsPath), `${stem}-${suffix}`);
    let candidate = base;
    for (let i = 2; existsSync(candidate) && readdirSync(candidate).length > 0; i++) candidate = `${base}-${i}`;
    const v = await vscode.window.showInputBox({
      title: 'Output folder',
      prompt: 'A new folder for <name>.cfg, <name>.weights and prune-report.json',
      value: candidate,
      validateInput: (s) => (existsSync(s) && readdirSync(s).length > 0 ? 'this folder exists and is not empty' : undefined),
    });
    return v;
  }
}

export function findWeights(cfgPath: string, remembered?: string): string | undefined {
  const sameStem = cfgPath.replace(/\.cfg$/i, '.weights');
  if (existsSync(sameStem)) return sameStem;
  if (remembered && existsSync(remembered)) return remembered;
  return undefined;
}

function fractionError(s: string, inclusive: boolean): string | undefined {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < 0 || (inclusive ? n > 1 : n >= 1))
    return inclusive ? 'a number in [0, 1]' : 'a number in [0, 1)';
  return undefined;
}
