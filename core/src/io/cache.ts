// The folder of what is fetched or built once and kept across runs (PyPI wheels and their extracts,
// build tools, the OpenVINO venv, real weights and data sets): DARKNET_PRUNER_CACHE, else
// $XDG_CACHE_HOME/darknet-pruner or ~/.cache/darknet-pruner. The setup scripts use the same folder.

import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheDir(): string {
  return process.env.DARKNET_PRUNER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'darknet-pruner');
}
