// DARKNET_PRUNER_RUNTIMES=<dir>: a folder made by `darknet-pruner runtimes install` that the CLI
// loads ML runtimes from when it has none of its own. Its node_modules goes last on NODE_PATH, so
// Node still prefers the node_modules beside the CLI (a checkout's) and any NODE_PATH already set
// (docs/runtimes.md §Installing runtimes into a folder).

import Module, { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';

export function useRuntimesFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.DARKNET_PRUNER_RUNTIMES;
  if (!dir) return undefined;
  const modules = join(resolve(dir), 'node_modules');
  const paths = (env.NODE_PATH ?? '').split(delimiter).filter(Boolean);
  if (!paths.includes(modules)) {
    env.NODE_PATH = [...paths, modules].join(delimiter);
    // NODE_PATH is read once at start-up; worker threads started after this read it afresh
    (Module as unknown as { _initPaths?: () => void })._initPaths?.();
  }
  return modules;
}

const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

/** Where this CLI resolves the npm package `pkg` (a checkout's node_modules, NODE_PATH, the runtimes folder), if anywhere. */
export function packageDir(pkg: string): string | undefined {
  try {
    return dirname(req.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}
