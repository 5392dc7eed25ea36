// Identifiers shared by the extension host modules and checked against package.json by the tests.

import { LENS_COMMANDS } from '../../core/src/protocol/lsp';

export const LANGUAGE_ID = 'darknet-cfg';
/** Settings section; vscode-languageclient also reads `${CLIENT_ID}.trace.server` from it. */
export const CONFIG_SECTION = 'darknet';
export const CLIENT_ID = 'darknet';
export const CLIENT_NAME = 'Darknet Language Server';
/** The bundled server, relative to the extension root. */
export const SERVER_MODULE = 'server/out/server.js';

/**
 * Every command the extension contributes (package.json contributes.commands, checked both ways by
 * test/client/manifest.test.ts); registerCommands requires a handler for each.
 */
export const COMMANDS = {
  treatAsDarknetCfg: 'darknet.treatAsDarknetCfg',
  restartServer: 'darknet.restartServer',
  showServerOutput: 'darknet.showServerOutput',
  showGammaHistogram: 'darknet.showGammaHistogram',
  pruneChannels: 'darknet.pruneChannels',
  pruneLayers: 'darknet.pruneLayers',
  pruneSweep: 'darknet.pruneSweep',
  /** Also run from the language server's code lens. */
  compareWithOriginal: LENS_COMMANDS.compareWithOriginal,
  showLog: 'darknet.showLog',
  showNetworkGraph: 'darknet.showNetworkGraph',
  showRuntimeStatus: 'darknet.showRuntimeStatus',
  installRuntimes: 'darknet.installRuntimes',
  synthesizeWeights: 'darknet.synthesizeWeights',
  exportOnnx: 'darknet.exportOnnx',
  exportOpenvino: 'darknet.exportOpenvino',
  benchmark: 'darknet.benchmark',
  detectObjects: 'darknet.detectObjects',
  train: 'darknet.train',
  sparsityTrain: 'darknet.sparsityTrain',
  finetune: 'darknet.finetune',
  openTrainingRun: 'darknet.openTrainingRun',
} as const;

export type CommandName = keyof typeof COMMANDS;

/** The commands that start a darknet-pruner process (refused in an untrusted workspace), by title. */
export const JOB_COMMANDS = {
  pruneChannels: 'Prune Channels…',
  pruneLayers: 'Prune Layers…',
  pruneSweep: 'Pruning Sweep…',
  showRuntimeStatus: 'Show Runtime Status',
  synthesizeWeights: 'Synthesize Weights…',
  exportOnnx: 'Export to ONNX…',
  exportOpenvino: 'Export to OpenVINO…',
  benchmark: 'Benchmark…',
  detectObjects: 'Detect Objects in Image…',
  train: 'Train…',
  sparsityTrain: 'Sparsity Train…',
  finetune: 'Fine-tune…',
  installRuntimes: 'Install ML Runtimes',
} as const satisfies Partial<Record<CommandName, string>>;

export const STATUS_ITEMS = {
  server: 'darknet.server',
  network: 'darknet.network',
} as const;
