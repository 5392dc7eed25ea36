// The extension host bundle: built from client/src/extension.ts, it depends only on `vscode` and
// Node built-ins at run time, and contains no ML code (native runtimes must never load in the host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { REPO } from '../corpus';

test('the client bundle imports only vscode and Node built-ins, and no ML module', async () => {
  const r = await esbuild.build({
    entryPoints: [join(REPO, 'client/src/extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: REPO,
  });
  const inputs = Object.keys(r.metafile.inputs);
  // core/src/prune is plain arithmetic on γ (the live histogram figures), core/src/train/run-dir.ts the
  // run folder's file names (the training dashboard); networks and runtimes stay out.
  const ml = inputs.filter(
    (p) => /core\/src\/(nn|train|eval|export|bench)\/|@tensorflow|onnxruntime|openvino/.test(p) && p !== 'core/src/train/run-dir.ts',
  );
  assert.deepEqual(ml, []);
  assert.ok(inputs.some((p) => p.includes('vscode-languageclient')));
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const external = Object.values(r.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  assert.deepEqual([...new Set(external.filter((p) => p !== 'vscode' && !builtins.has(p)))], []);
});

test('the webview bundles take from core only the γ threshold index and the sparsity verdict, not the pruning core', async () => {
  for (const panel of ['gamma', 'report', 'sweep', 'graph', 'training']) {
    const r = await esbuild.build({
      entryPoints: [join(REPO, `webviews/src/${panel}.ts`)],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: REPO,
    });
    const core = Object.keys(r.metafile.inputs).filter((p) => p.startsWith('core/'));
    assert.deepEqual(core.sort(), panel === 'gamma' ? ['core/src/prune/sparsity-verdict.ts', 'core/src/prune/threshold.ts'] : [], panel);
  }
});
