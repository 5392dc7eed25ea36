// npm packages into a folder with npm's own installer library (@npmcli/arborist): the folder's
// package.json lists the pinned packages, arborist resolves their dependencies and reifies the tree,
// from the npm cache when it holds them. Install scripts never run (ignoreScripts): the native
// parts that need one are built by build.ts, as the setup scripts build them.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** npm's cache (npm_config_cache, else ~/.npm), where `npm install` keeps what it fetched. */
function npmCache(): string {
  return join(process.env.npm_config_cache ?? join(homedir(), '.npm'), '_cacache');
}

export function folderDependencies(dir: string): Record<string, string> {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return {};
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
  } catch {
    return {};
  }
}

/** Makes `dir/node_modules` hold exactly `packages` (exact versions) and what they depend on. */
export async function reifyPackages(dir: string, packages: Record<string, string>): Promise<void> {
  const manifest = {
    name: 'darknet-pruner-runtimes',
    private: true,
    description: 'written by darknet-pruner runtimes install',
    dependencies: packages,
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const { default: Arborist } = await import('@npmcli/arborist');
  const registry = process.env.npm_config_registry;
  const arb = new Arborist({
    path: dir,
    cache: npmCache(),
    ignoreScripts: true,
    audit: false,
    fund: false,
    ...(registry ? { registry } : {}),
  });
  await arb.reify({ save: false });
}
