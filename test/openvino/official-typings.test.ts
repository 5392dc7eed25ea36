// The product's OpenVINO types (core/src/openvino/api.ts) are satisfied by openvino-node's own
// typings: everything the product calls exists in the official API with a compatible signature, so
// the same code runs on the official addon and on ours. Runs tsc on a conformance file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';

const TYPINGS = join(REPO, 'node_modules', 'openvino-node', 'types', 'index.d.ts');

test(
  "openvino-node's official typings satisfy the product's OpenVINO API",
  { skip: existsSync(TYPINGS) ? undefined : 'openvino-node is not in node_modules; enable with: npm run setup:openvino' },
  () => {
    const dir = join(REPO, '.test-artifacts', `ov-typings-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const file = join(dir, 'conformance.ts');
      writeFileSync(
        file,
        [
          "import type * as Official from 'openvino-node';",
          "import type { OvAddon } from '../../core/src/openvino/api';",
          'declare const official: typeof Official;',
          "// what loadOpenvino() takes from require('openvino-node')",
          'export const addon: OvAddon = official.addon;',
          '',
        ].join('\n'),
      );
      const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = spawnSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'esnext',
          '--moduleResolution',
          'bundler',
          '--types',
          'node',
          file,
        ],
        { cwd: REPO, encoding: 'utf8' },
      );
      assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
