// Shared by the CLI commands that run the tfjs network (forward, detect): cfg + weights + backend,
// with every failure a located UserError. tfjs is loaded lazily, here, not at startup.

import { analyseText } from '../core/src/cfg/analyse';
import type { Network } from '../core/src/cfg/network';
import { readWeightsFile } from '../core/src/weights/read';
import { withContext } from './error-context';
import { readCfgFile } from './cfg-input';
import { requireAnalysable } from './network';
import type { DarknetModel } from '../core/src/nn/model';

export interface LoadedModel {
  net: Network;
  model: DarknetModel;
  backend: string;
  loadMs: number;
}

export async function loadModel(cfg: string, weightsPath: string, size?: { width?: number; height?: number }): Promise<LoadedModel> {
  const t0 = performance.now();
  const net = requireAnalysable(analyseText(readCfgFile(cfg), size ?? {}), cfg);
  const weights = readWeightsFile(weightsPath, net);
  const { selectBackend, describeChoice } = await import('../core/src/nn/backend');
  const { buildNetwork } = await import('../core/src/nn/model');
  const backend: string = describeChoice(await selectBackend({ purpose: 'infer' }));
  const model = withContext(cfg, () => buildNetwork(net, weights, { trainable: false }));
  return { net, model, backend, loadMs: performance.now() - t0 };
}
