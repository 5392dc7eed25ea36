// The Python venv scripts/setup-openvino.sh makes (pip install openvino: benchmark_app, the Python API).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../io/cache';

export const OPENVINO_VERSION = '2026.4.0';

/** The venv's directory, python and benchmark_app, when it exists. */
export function openvinoVenv(): { dir: string; python: string; benchmarkApp: string } | undefined {
  const dir = join(cacheDir(), `openvino-venv-${OPENVINO_VERSION}`);
  const python = join(dir, 'bin', 'python'),
    benchmarkApp = join(dir, 'bin', 'benchmark_app');
  return existsSync(python) && existsSync(benchmarkApp) ? { dir, python, benchmarkApp } : undefined;
}
