// What both training engines start from (train, train --engine darknet): the cfg (and weights) to
// train, and the .data file's image lists, checked against each other.

import { resolve } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import type { Network } from '../core/src/cfg/network';
import { DatasetError, datasetDir, parseDataFile, readImageList, type DataFile, type ImageList } from '../core/src/eval/dataset';
import { isDecodedHead } from '../core/src/layers';
import type { DarknetWeights } from '../core/src/weights/read';
import { CliError } from './args';
import { readCfgFile } from './cfg-input';
import { loadModel, loadModelDir } from './model-input';
import { requireAnalysable } from './network';

export interface TrainInputs {
  cfgPath: string;
  cfgText: string;
  net: Network;
  /** The starting weights (absent: random init). */
  weights?: DarknetWeights;
  weightsPath?: string;
  /** Every file read, which the run folder must not overwrite. */
  inputs: string[];
}

/** <cfg> [--weights W], or --finetune <pruned-dir> (its cfg and weights; --weights W instead of its weights). */
export function loadTrainInputs(o: { cfg?: string; weights?: string; finetune?: string }): TrainInputs {
  if (o.finetune) {
    const m = loadModelDir(o.finetune);
    if (!o.weights) return { ...m, inputs: [m.cfgPath, m.weightsPath] };
    // parsed against the cfg: a file of another cfg is refused here, not half-read by darknet
    const w = loadModel(m.cfgPath, o.weights);
    return { ...w, weightsPath: resolve(o.weights), inputs: [m.cfgPath, m.weightsPath, o.weights] };
  }
  const cfgPath = o.cfg!;
  if (o.weights) return { ...loadModel(cfgPath, o.weights), weightsPath: resolve(o.weights), inputs: [cfgPath, o.weights] };
  const cfgText = readCfgFile(cfgPath);
  return { cfgPath, cfgText, net: requireAnalysable(analyseText(cfgText), cfgPath), inputs: [cfgPath] };
}

export interface TrainLists {
  data: DataFile;
  train: ImageList;
  valid: ImageList;
  /** The classes the cfg's heads detect. */
  classes: number | undefined;
}

/** The .data file's train= and valid= lists; its classes= must be the cfg's. */
export function openTrainLists(dataPath: string, inputs: Pick<TrainInputs, 'cfgPath' | 'net'>): TrainLists {
  const data = parseDataFile(dataPath, process.cwd(), 'train');
  if (!data.train) throw new DatasetError(`${dataPath}: no train= list`);
  const train = readImageList(data.train, datasetDir(data));
  const valid = readImageList(data.valid, datasetDir(data));
  const classes = inputs.net.layers.find(isDecodedHead)?.attrs.classes;
  if (data.classes !== undefined && classes !== undefined && data.classes !== classes)
    throw new CliError(`${dataPath}: classes=${data.classes}, but ${inputs.cfgPath} detects ${classes} classes`, 1);
  return { data, train, valid, classes };
}
