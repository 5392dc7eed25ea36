// "Darknet: Export to ONNX…": the cfg and its weights as an ONNX model beside the cfg
// (`darknet-pruner export onnx`, run as a job); an existing model is replaced only when the user
// says so.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { announce, type JobRunner } from '../jobs/jobs';
import type { PruneInputs } from '../pruning/inputs';

export async function exportOnnx(runner: JobRunner, inputs: PruneInputs, arg?: vscode.Uri): Promise<void> {
  const cfg = await inputs.cfg(arg);
  if (!cfg) return;
  const weights = await inputs.weights(cfg, arg);
  if (!weights) return;
  const out = cfg.fsPath.replace(/\.cfg$/i, '') + '.onnx';
  const exists = existsSync(out);
  if (
    exists &&
    (await vscode.window.showWarningMessage(`${path.basename(out)} exists. Replace it?`, { modal: true }, 'Replace')) !== 'Replace'
  )
    return;
  const outcome = await runner.run({
    title: `Export ${path.basename(cfg.fsPath)} to ONNX`,
    cwd: path.dirname(cfg.fsPath),
    args: ['export', 'onnx', cfg.fsPath, weights.fsPath, '-o', out, ...(exists ? ['--force'] : [])],
  });
  if (!outcome.ok) {
    await announce(runner, 'Export to ONNX', outcome);
    return;
  }
  void vscode.window.showInformationMessage(`Wrote ${path.basename(out)}.`);
}
