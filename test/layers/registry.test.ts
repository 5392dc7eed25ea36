// The layer registry (core/src/layers): one record per type, type-specific code only there, and the
// language server bundle free of TF.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as esbuild from 'esbuild';
import { analyseText } from '../../core/src/cfg/analyse';
import { layerSpec } from '../../core/src/cfg/schema';
import {
  allLayerTypes,
  classifierOutput,
  headOf,
  isBoxHead,
  isDecodedHead,
  LAYERS,
  networkOutputs,
  specOfSection,
} from '../../core/src/layers';
import { isExcluded } from '../../core/src/layers/spec';
import { CFG_DIR, readCfg, REPO } from '../corpus';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no file outside core/src/layers switches on a layer type name', () => {
  const names = allLayerTypes()
    .flatMap((s) => [s.name, ...s.aliases])
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const quoted = `['"\`](?:${names.join('|')})['"\`]`;
  const pattern = new RegExp(`case\\s+${quoted}|type\\s*[!=]==?\\s*${quoted}|${quoted}\\s*[!=]==?\\s*\\w+(?:\\.\\w+)*\\.type\\b`);
  const roots = ['core/src', 'server/src', 'client/src', 'cli', 'webviews/src'].map((d) => join(REPO, d));
  const offending: string[] = [];
  for (const file of roots.flatMap(sources)) {
    const rel = relative(REPO, file);
    if (rel.startsWith(join('core', 'src', 'layers'))) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) offending.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(offending, []);
});

test('every record is filed under its name, every alias resolves to it, and the schema serves the same records', () => {
  for (const [key, spec] of Object.entries(LAYERS)) {
    assert.equal(spec.name, key);
    for (const n of [spec.name, ...spec.aliases]) {
      assert.equal(specOfSection(n), spec, n);
      assert.equal(layerSpec(n), spec, n);
    }
    // a record either has each capability or says why not
    for (const cap of [spec.analysis, spec.forward] as object[]) assert.ok(isExcluded(cap) ? cap.excluded.length > 0 : true);
    if (typeof spec.onnx !== 'function') assert.ok(spec.onnx.excluded.length > 0, `${key}: ONNX exclusion without a reason`);
  }
  assert.equal(
    new Set(allLayerTypes().flatMap((s) => [s.name, ...s.aliases])).size,
    allLayerTypes().flatMap((s) => [s.name, ...s.aliases]).length,
  );
});

test('heads: one definition serves analysis (detector stride), outline, forward and ONNX', () => {
  const net = analyseText(readCfg('yolov3-tiny.cfg'));
  const heads = net.layers.filter(isDecodedHead).map((l) => l.index);
  assert.deepEqual(
    heads,
    net.layers.filter((l) => l.section.name === 'yolo').map((l) => l.index),
  );
  assert.deepEqual(networkOutputs(net), heads);
  assert.ok(heads.every((i) => isBoxHead(net.layers[i]) && headOf(net.layers[i])!.anchorSlots!(net.layers[i]).length === 3));
  assert.equal(net.detectorStride, 32);
});

test('a classifier outputs its last layer that is not a training cost (darknet get_network_output)', () => {
  const net = analyseText(readCfg('darknet19.cfg'));
  const last = net.layers.length - 1;
  assert.equal(net.layers[last].section.name, 'cost');
  assert.equal(classifierOutput(net), last - 1);
  assert.deepEqual(networkOutputs(net), [last - 1]);
  assert.equal(headOf(net.layers[last - 1])?.outputs, 'scores');
  assert.ok(readdirSync(CFG_DIR).length > 0);
});

test('the language server bundle loads the registry without TF.js or protobuf', async () => {
  const r = await esbuild.build({
    entryPoints: [join(REPO, 'server/src/server.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: REPO,
  });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.some((p) => p.includes('core/src/layers/convolutional.ts')));
  assert.deepEqual(
    inputs.filter((p) => /@tensorflow|onnx-proto|protobufjs|core\/src\/(nn|export)\//.test(p)),
    [],
  );
});
