// Acceptance: `detect --runtime openvino` on a real photo with the official COCO yolov3-tiny weights
// gives the same boxes as the TF.js path: same classes, IoU ≥ 0.99, scores within 1e-3. Each runtime
// runs in its own CLI process (they never share one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { REAL, realWeightsMissing } from '../real-weights';
import { openvinoMissing } from './available';
import { rowIou as iou, type DetectionRow as Box } from '../nn/detection-rows';

function detect(runtime: string): { backend: string; boxes: Box[] } {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'cli/main.ts'),
      'detect',
      REAL.cfg,
      REAL.weights,
      REAL.photo,
      '--names',
      REAL.names,
      '--runtime',
      runtime,
      '--json',
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(r.status, 0, `detect --runtime ${runtime}: ${r.stderr}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { backend: string; images: { detections: Box[] }[] };
  return { backend: o.backend, boxes: o.images[0].detections };
}

test(
  'detect --runtime openvino gives the TF.js boxes on a real photo (COCO yolov3-tiny)',
  { skip: openvinoMissing() ?? realWeightsMissing() },
  (t) => {
    const ov = detect('openvino');
    const tf = detect('tfjs');
    assert.ok(tf.boxes.length > 0, 'the TF.js path found nothing on the photo');
    assert.equal(ov.boxes.length, tf.boxes.length, `OpenVINO ${JSON.stringify(ov.boxes)} vs TF.js ${JSON.stringify(tf.boxes)}`);
    let worstIou = 1,
      worstScore = 0;
    for (const want of tf.boxes) {
      const same = ov.boxes.filter((b) => b.class === want.class).sort((a, b) => iou(b, want) - iou(a, want))[0];
      assert.ok(same, `no OpenVINO box of class ${want.name}`);
      worstIou = Math.min(worstIou, iou(same, want));
      worstScore = Math.max(worstScore, Math.abs(same.prob - want.prob));
    }
    assert.ok(worstIou >= 0.99, `IoU ${worstIou} < 0.99`);
    assert.ok(worstScore <= 1e-3, `score difference ${worstScore} > 1e-3`);
    t.diagnostic(
      `${tf.boxes.length} boxes (${tf.boxes.map((b) => `${b.name} ${b.prob.toFixed(3)}`).join(', ')}); worst IoU ${worstIou.toFixed(4)}, worst score diff ${worstScore.toExponential(1)}; OpenVINO: ${ov.backend}; TF.js: ${tf.backend}`,
    );
  },
);
