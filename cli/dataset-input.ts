// A darknet-layout dataset for a detector, checked against it (eval and sweep with --data).

import type { Network } from '../core/src/cfg/network';
import { datasetDir, findLabelFile, parseDataFile, readImageList, type DataFile, type ImageList } from '../core/src/eval/dataset';
import { isDecodedHead } from '../core/src/layers';
import { CliError } from './args';
import type { CommandContext } from './main';

export function openDataset(
  dataPath: string,
  net: Network,
  cfg: string,
  ctx: CommandContext,
): { data: DataFile; list: ImageList; classes: number } {
  const heads = net.layers.filter(isDecodedHead);
  if (heads.length === 0) throw new CliError(`${cfg}: no [yolo], [Gaussian_yolo] or [region] layer: nothing to evaluate`, 1);
  const data: DataFile = parseDataFile(dataPath);
  const list: ImageList = readImageList(data.valid, datasetDir(data));
  for (const w of data.warnings) ctx.err(`darknet-pruner: warning: ${w}`);
  // Without any label file every prediction is a false positive: an mAP of 0 that measures nothing.
  if (!list.images.some((image) => findLabelFile(image).path)) {
    const first = findLabelFile(list.images[0]);
    throw new CliError(
      `${list.listPath}: none of the ${list.images.length} image(s) has a label file, so there is no mAP to report (for ${list.images[0]}: tried ${first.tried.join(', ')})`,
      1,
    );
  }
  const netClasses = heads[0].attrs.classes!;
  if (data.classes !== undefined && data.classes !== netClasses) {
    throw new CliError(`${dataPath}: classes=${data.classes}, but ${cfg} detects ${netClasses} classes (layer ${heads[0].index})`, 1);
  }
  return { data, list, classes: data.classes ?? netClasses };
}
