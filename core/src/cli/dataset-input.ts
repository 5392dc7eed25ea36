// A darknet-layout dataset for a detector, checked against it (eval and sweep with --data).

import type { Network } from '../cfg/network';
import { isDecodedHead } from '../layers';
import { DatasetError, datasetDir, parseDataFile, readImageList, type DataFile, type ImageList } from '../eval/dataset';
import { CliError } from './args';
import type { CommandContext } from './main';

export function openDataset(dataPath: string, net: Network, cfg: string, ctx: CommandContext): { data: DataFile; list: ImageList; classes: number } {
  const heads = net.layers.filter(isDecodedHead);
  if (heads.length === 0) throw new CliError(`${cfg}: no [yolo], [Gaussian_yolo] or [region] layer: nothing to evaluate`, 1);
  let data: DataFile, list: ImageList;
  try {
    data = parseDataFile(dataPath);
    list = readImageList(data.valid, datasetDir(data));
  } catch (e) {
    if (e instanceof DatasetError) throw new CliError(e.message, 1);
    throw e;
  }
  for (const w of data.warnings) ctx.err(`darknet-pruner: warning: ${w}`);
  const netClasses = heads[0].attrs.classes!;
  if (data.classes !== undefined && data.classes !== netClasses) {
    throw new CliError(`${dataPath}: classes=${data.classes}, but ${cfg} detects ${netClasses} classes (layer ${heads[0].index})`, 1);
  }
  return { data, list, classes: data.classes ?? netClasses };
}
