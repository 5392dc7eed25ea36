// Loading a cfg + weights pair (or a pruned-model directory) for the pruning commands, with
// hashes for the report and located errors.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import type { Network } from '../core/src/cfg/network';
import { PRUNE_REPORT_FILE, readPruneReportFile, type PruneReport } from '../core/src/prune/report';
import { parseWeights, type DarknetWeights } from '../core/src/weights/read';
import { CliError } from './args';
import { readCfgFile } from './cfg-input';
import { withNote } from './error-context';
import { asCliError } from './io';
import { requireAnalysable } from './network';

export interface ModelInput {
  cfgPath: string;
  weightsPath: string;
  cfgText: string;
  net: Network;
  weights: DarknetWeights;
  cfgSha256: string;
  weightsSha256: string;
  /** prune-report.json of an input directory, when present. */
  report?: PruneReport;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

export function loadModel(cfgPath: string, weightsPath: string): ModelInput {
  const cfgText = readCfgFile(cfgPath);
  const net = requireAnalysable(analyseText(cfgText), cfgPath);
  let buf: Buffer;
  try {
    if (statSync(weightsPath).isDirectory()) throw new CliError(`${weightsPath}: is a directory`);
    buf = readFileSync(weightsPath);
  } catch (e) {
    throw asCliError(e, weightsPath);
  }
  const weights: DarknetWeights = withNote(`cfg ${cfgPath}`, () => parseWeights(buf, net, weightsPath));
  return { cfgPath, weightsPath, cfgText, net, weights, cfgSha256: sha256(cfgText), weightsSha256: sha256(buf) };
}

/** A directory written by `prune channel`/`prune layer`: exactly one .cfg and one .weights. */
export function loadModelDir(dir: string): ModelInput {
  const files = readdirSync(dir);
  const pick = (ext: string) => {
    const found = files.filter((f) => f.endsWith(ext));
    if (found.length !== 1)
      throw new CliError(`${dir}: expected exactly one ${ext} file, found ${found.length}${found.length ? ` (${found.join(', ')})` : ''}`);
    return join(dir, found[0]);
  };
  const model = loadModel(pick('.cfg'), pick('.weights'));
  const reportPath = join(dir, PRUNE_REPORT_FILE);
  if (existsSync(reportPath)) {
    model.report = readPruneReportFile(reportPath);
  }
  return model;
}

export const isDirectory = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();
