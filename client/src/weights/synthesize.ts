// "Darknet: Synthesize Weights…": deterministic .weights for a cfg (`darknet-pruner weights synth`,
// run as a job), for trying the γ histogram and pruning before a trained model is at hand. The
// file goes beside the cfg with its stem; an existing one is replaced only when the user says so.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../constants';
import { announce, type JobRunner } from '../jobs/jobs';
import type { PruneInputs } from '../pruning/inputs';

export const REPLACE = 'Replace';
export const SHOW_GAMMA = 'Show γ Histogram';

export async function synthesizeWeights(runner: JobRunner, inputs: PruneInputs, arg?: vscode.Uri): Promise<void> {
  const cfg = await inputs.cfg(arg);
  if (!cfg) return;
  const out = cfg.fsPath.replace(/\.cfg$/i, '') + '.weights';
  const exists = existsSync(out);
  if (
    exists &&
    (await vscode.window.showWarningMessage(
      `${path.basename(out)} exists. Replace it with synthesized weights?`,
      { modal: true },
      REPLACE,
    )) !== REPLACE
  )
    return;
  const outcome = await runner.run({
    title: `Synthesize weights for ${path.basename(cfg.fsPath)}`,
    cwd: path.dirname(cfg.fsPath),
    args: ['weights', 'synth', cfg.fsPath, '-o', out, ...(exists ? ['--force'] : [])],
  });
  if (!outcome.ok) {
    await announce(runner, 'Synthesize weights', outcome);
    return;
  }
  const pick = await vscode.window.showInformationMessage(
    `Wrote ${path.basename(out)} (synthesized, deterministic: for trying the tools, not for detection).`,
    SHOW_GAMMA,
  );
  if (pick === SHOW_GAMMA) await vscode.commands.executeCommand(COMMANDS.showGammaHistogram, cfg);
}
