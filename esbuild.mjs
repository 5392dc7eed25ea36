// Bundles the extension client, the language server, the CLI and the webviews.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };
// Native and heavy runtimes are loaded lazily at run time, never bundled.
const runtimeExternals = ['@tensorflow/*', 'onnxruntime-node', 'openvino-node', 'vscode'];
// @npmcli/arborist (runtimes install) is bundled; its script runner's require.resolve of node-gyp is
// only reached when a package script runs, which the installer never lets happen (ignoreScripts).
const cliExternals = [...runtimeExternals, 'node-gyp/bin/node-gyp.js'];
// Except tfjs-core's ESM side-effect files (gradients, chained ops; core/src/nn/tfjs-setup.ts):
// Node 20 cannot require ESM, so they are bundled; they register into tfjs-core's global registries.
const tfjsSideEffects = {
  name: 'tfjs-core-side-effects',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/.*register_all_(gradients|chained_ops)$/ }, (args) => ({
      path: createRequire(`${args.resolveDir}/_.js`).resolve(args.path),
    }));
  },
};

const webviewEntries = existsSync('webviews/src')
  ? readdirSync('webviews/src')
      .filter((f) => /^[a-z-]+\.ts$/.test(f) && !f.endsWith('.d.ts'))
      .map((f) => `webviews/src/${f}`)
  : [];

const nodeBundles = [
  ['client/src/extension.ts', 'client/out/extension.js'],
  ['server/src/main.ts', 'server/out/server.js'],
  // the graph-layout worker thread (server/src/layouts.ts looks for it beside the bundle)
  ['server/src/layoutWorker.ts', 'server/out/graph-layout-worker.js'],
  ['cli/process.ts', 'cli/out/cli.js'],
  ['cli/main.ts', 'cli/out/cli-job.js'],
  // the training data loader's worker threads (core/src/data/loader.ts looks for it beside the bundle)
  ['core/src/data/loader-worker.ts', 'cli/out/data-loader-worker.js'],
].filter(([entry]) => existsSync(entry));

await Promise.all([
  ...nodeBundles.map(([entry, outfile]) =>
    esbuild.build({ ...node, entryPoints: [entry], outfile, external: cliExternals, plugins: [tfjsSideEffects] }),
  ),
  webviewEntries.length
    ? esbuild.build({
        ...common,
        platform: 'browser',
        format: 'iife',
        target: 'es2022',
        entryPoints: webviewEntries,
        outdir: 'webviews/out',
      })
    : Promise.resolve(),
]);
