// Which inference runtimes the darknet-pruner CLI would find, by module resolution from the CLI
// bundle's own location: nothing is loaded (native runtimes never load in the extension host). A
// runtime that resolves but does not load is reported by the job itself, with the setup command.
// No `vscode` import (unit-tested).

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchRuntime } from '../../../core/src/protocol/jobs';

/** openvino-node's own install cannot work offline or on Node 20 (docs/openvino.md). */
export const OPENVINO_SETUP = 'npm run setup:openvino';

const PACKAGES: Record<BenchRuntime, string> = {
  openvino: 'openvino-node',
  onnxruntime: 'onnxruntime-node',
  tfjs: '@tensorflow/tfjs-core',
};

function packageDir(cliEntry: string, name: string): string | undefined {
  try {
    return dirname(createRequire(cliEntry).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/** The runtimes the CLI at `cliEntry` resolves (openvino-node only with its native addon in place). */
export function installedRuntimes(cliEntry: string): Set<BenchRuntime> {
  const found = new Set<BenchRuntime>();
  for (const [runtime, name] of Object.entries(PACKAGES) as [BenchRuntime, string][]) {
    const dir = packageDir(cliEntry, name);
    if (!dir) continue;
    if (runtime === 'openvino' && !existsSync(join(dir, 'bin', 'ov_node_addon.node'))) continue;
    found.add(runtime);
  }
  return found;
}

export function openvinoMissingMessage(fallback?: string): string {
  return `OpenVINO is not installed where darknet-pruner runs (openvino-node and its native addon): run \`${OPENVINO_SETUP}\` in the darknet-pruner checkout.${fallback ? ` ${fallback}` : ''}`;
}
