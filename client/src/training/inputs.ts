// Input flows for the training commands: the .data set and weights found beside the cfg (or the ones
// picked last for it), epochs, batch, sparsity, the pruned folder to fine-tune, the run folder.
// Every step can be cancelled (Escape) without side effects; answers are remembered per workspace.

import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PRUNE_METHODS, type PruneMethod } from '../../../core/src/prune/plan';

const DEFAULTS = 'darknet.trainDefaults';
const LAST_DATA = 'darknet.lastData';

export interface TrainDefaults {
  epochs: number;
  /** '' = the cfg's [net] batch. */
  batch: string;
  sparsity: number | 'auto';
  pruneMode: PruneMethod;
  warmupEpochs: number;
}
const FACTORY: TrainDefaults = { epochs: 100, batch: '', sparsity: 0.001, pruneMode: 'slim', warmupEpochs: 6 };

/** .data files in a folder and its direct subfolders (where `data synth`/`data import` put them). */
export function dataFilesNear(dir: string): string[] {
  const found: string[] = [];
  const scan = (d: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = path.join(d, e);
      if (e.toLowerCase().endsWith('.data')) {
        try {
          if (statSync(p).isFile()) found.push(p);
        } catch {
          /* vanished */
        }
      } else if (depth > 0 && !e.startsWith('.')) {
        try {
          if (statSync(p).isDirectory()) scan(p, depth - 1);
        } catch {
          /* vanished */
        }
      }
    }
  };
  scan(dir, 1);
  return found;
}

function wholeNumber(s: string, min: number, allowEmpty = false): string | undefined {
  if (allowEmpty && s.trim() === '') return undefined;
  return /^\d+$/.test(s.trim()) && Number(s) >= min ? undefined : `a whole number ≥ ${min}${allowEmpty ? ' (or empty)' : ''}`;
}

export class TrainInputs {
  constructor(private readonly state: vscode.Memento) {}

  defaults(): TrainDefaults {
    return { ...FACTORY, ...this.state.get<Partial<TrainDefaults>>(DEFAULTS, {}) };
  }

  remember(update: Partial<TrainDefaults>): Thenable<void> {
    return this.state.update(DEFAULTS, { ...this.defaults(), ...update });
  }

  /** The .data set: the one picked last for this model (`key`), else the only one in or under `dir`, else a choice. */
  async data(key: string, dir: string, title: string): Promise<string | undefined> {
    const remembered = this.state.get<Record<string, string>>(LAST_DATA, {})[key];
    const near = dataFilesNear(dir);
    let picked: string | undefined;
    if (remembered && existsSync(remembered)) picked = remembered;
    else if (near.length === 1) picked = near[0];
    else {
      const browse = { label: '$(folder-opened) Browse…', description: 'a darknet .data file elsewhere', file: '' };
      const items = [...near.map((f) => ({ label: path.relative(dir, f), description: f, file: f })), browse];
      const pick = await vscode.window.showQuickPick(items, { title: `${title}: dataset (.data)` });
      if (!pick) return undefined;
      if (pick.file) picked = pick.file;
      else {
        const f = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: vscode.Uri.file(dir),
          filters: { 'Darknet data': ['data'] },
          openLabel: 'Train on this set',
        });
        picked = f?.[0]?.fsPath;
      }
    }
    if (picked) await this.state.update(LAST_DATA, { ...this.state.get<Record<string, string>>(LAST_DATA, {}), [key]: picked });
    return picked;
  }

  /** Starting weights: the ones beside the cfg (same stem) or darknet's initialisation, or others picked. '' = none. */
  async weights(cfg: string, title: string, found: string | undefined): Promise<string | undefined> {
    const items = [
      ...(found ? [{ label: path.basename(found), description: 'beside the cfg', file: found }] : []),
      { label: 'No weights', description: "darknet's initialisation (seeded)", file: '' },
      { label: '$(folder-opened) Browse…', description: 'other .weights', file: '?' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `${title}: start from` });
    if (!pick) return undefined;
    if (pick.file !== '?') return pick.file;
    const f = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.dirname(cfg)),
      filters: { 'Darknet weights': ['weights'] },
      openLabel: 'Start from these weights',
    });
    return f?.[0]?.fsPath;
  }

  async epochs(title: string, initial = this.defaults().epochs, min = 1): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: `${title}: epochs`,
      prompt: 'Epochs to train (an epoch is ⌊images / batch⌋ optimiser steps)',
      value: String(Math.max(initial, min)),
      validateInput: (s) => wholeNumber(s, min),
    });
    return v === undefined ? undefined : Number(v);
  }

  /** '' = the cfg's batch. */
  async batch(title: string): Promise<string | undefined> {
    const v = await vscode.window.showInputBox({
      title: `${title}: batch`,
      prompt: "Images per optimiser step (empty: the cfg's [net] batch and subdivisions)",
      value: this.defaults().batch,
      validateInput: (s) => wholeNumber(s, 1, true),
    });
    return v === undefined ? undefined : v.trim();
  }

  async sparsity(): Promise<{ s: number | 'auto'; pruneMode: PruneMethod } | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Sparsity training: s',
      prompt:
        "L1 weight on |γ| of the prunable BN channels (the seed's -sr --s), or auto: from 0.001, adjusted every epoch from mAP and γ compression",
      value: String(this.defaults().sparsity),
      validateInput: (s) =>
        s.trim() === 'auto' || (s.trim() !== '' && Number.isFinite(Number(s)) && Number(s) > 0) ? undefined : 'a number > 0, or auto',
    });
    if (v === undefined) return undefined;
    const s = v.trim() === 'auto' ? 'auto' : Number(v);
    const d = this.defaults().pruneMode;
    const described: Record<PruneMethod, string> = {
      slim: 'every prunable BN conv (default)',
      shortcut: 'the same set as slim',
      regular: 'only convs not joined by shortcuts',
    };
    const items = PRUNE_METHODS.map((m) => ({ label: m, description: described[m] })).sort((a, b) =>
      a.label === d ? -1 : b.label === d ? 1 : 0,
    );
    const pick = await vscode.window.showQuickPick(items, { title: 'Sparsity training: prune mode (the γ set)' });
    return pick ? { s, pruneMode: pick.label } : undefined;
  }

  async warmupEpochs(): Promise<number | undefined> {
    const v = await vscode.window.showInputBox({
      title: 'Fine-tune: warm-up epochs',
      prompt: "Epochs of the seed's warm-up ramp",
      value: String(this.defaults().warmupEpochs),
      validateInput: (s) => wholeNumber(s, 0),
    });
    return v === undefined ? undefined : Number(v);
  }

  /** A prune output folder (holding prune-report.json): the active cfg's, else picked. */
  async prunedDir(cfg?: string): Promise<string | undefined> {
    if (cfg && existsSync(path.join(path.dirname(cfg), 'prune-report.json'))) return path.dirname(cfg);
    const f = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      title: 'Fine-tune: a pruned model folder (prune channel / prune layer output)',
      openLabel: 'Fine-tune this model',
    });
    return f?.[0]?.fsPath;
  }

  /** The run folder: new (or empty), under runs/ beside the cfg. */
  async runDir(base: string, name: string): Promise<string | undefined> {
    const root = path.join(base, 'runs', name);
    let candidate = root;
    for (let i = 2; existsSync(candidate) && readdirSync(candidate).length > 0; i++) candidate = `${root}-${i}`;
    return vscode.window.showInputBox({
      title: 'Run folder',
      prompt: 'A new folder for the run (metrics, γ histograms, checkpoints, best/last weights)',
      value: candidate,
      validateInput: (s) =>
        existsSync(s) && (!statSync(s).isDirectory() || readdirSync(s).length > 0) ? 'this folder exists and is not empty' : undefined,
    });
  }
}
