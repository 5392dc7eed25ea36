// The detection panel's view from a `detect` job result (client/src/detection/detectView.ts): the
// slider starts at the CLI's default threshold (never below the floor the candidates were decoded
// above), the NMS defaults are the run's, and the panel may load images only from their folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECT_DEFAULT_THRESH, DETECT_FLOOR, detectView, imageFolders } from '../../client/src/detection/detectView';
import type { DetectJobResult } from '../../core/src/protocol/jobs';
import { REPO } from '../corpus';

const result = (thresh: number): DetectJobResult => ({
  runtime: 'tfjs',
  backend: 'cpu',
  loadMs: 1,
  letterbox: false,
  mosaic: null,
  nms: { kind: 'greedynms', thresh: 0.45, beta: 0.6 },
  thresh,
  classes: 2,
  names: ['a', 'b'],
  images: [
    {
      image: '/p/x.jpg',
      width: 4,
      height: 3,
      ms: 5,
      detections: [],
      candidates: [{ x: 0.5, y: 0.5, w: 0.2, h: 0.2, objectness: 0.9, layer: 3, probs: [[1, 0.8]] }],
    },
    { image: '/p/y.png', width: 8, height: 6, ms: 6, detections: [] },
  ],
});

test("the view starts at the CLI's defaults, above the floor, with each image's URI and candidates", () => {
  const v = detectView('/m/yolo.cfg', result(DETECT_FLOOR), (p) => `uri:${p}`);
  assert.equal(v.title, 'yolo.cfg');
  assert.equal(v.floor, DETECT_FLOOR);
  assert.deepEqual(v.defaults, { thresh: DETECT_DEFAULT_THRESH, nms: { kind: 'greedynms', thresh: 0.45, beta: 0.6 } });
  assert.deepEqual(
    v.images.map((i) => [i.src, i.width, i.height, i.candidates.length]),
    [
      ['uri:/p/x.jpg', 4, 3, 1],
      ['uri:/p/y.png', 8, 6, 0],
    ],
  );
  assert.equal(detectView('/m/yolo.cfg', result(0.5), String).defaults.thresh, 0.5, 'never below the floor');
});

test('the panel may load images from their folders only', () => {
  assert.deepEqual(imageFolders(['/p/a.jpg', '/p/b.jpg', '/q/r/c.png']), ['/p', '/q/r']);
});

test('the detect panel is contributed: its command, its revival, its bundle entry', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: { commands: { command: string; title: string }[] };
  };
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:darknet.detect'));
  assert.equal(pkg.contributes.commands.find((c) => c.command === 'darknet.detectObjects')?.title, 'Detect Objects in Image…');
  assert.ok(readFileSync(join(REPO, 'webviews/src/detect.ts'), 'utf8').includes("viewPanel<'detect'"));
});
