// `detect --mosaic` (four frames in one 2×-size inference, nn/mosaic.ts) on OpenVINO with the real
// COCO yolov3-tiny and the same photo in all four streams: every stream finds what the photo alone
// gives — same classes and count, IoU ≥ 0.8, scores within 0.05. Not exact: near the inner seams the
// receptive fields see the neighbouring frame (docs/openvino.md, "Mosaic"); the worst case is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../cli/main';
import { REAL, realWeightsMissing } from '../real-weights';
import { openvinoMissing } from './available';
import { rowIou as iou, type DetectionRow as Box } from '../nn/detection-rows';

async function detect(extra: string[], images: string[]): Promise<{ stream?: number; detections: Box[] }[]> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(['detect', REAL.cfg, REAL.weights, ...images, '--runtime', 'openvino', '--json', ...extra], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  assert.equal(code, 0, err.join('\n'));
  return (JSON.parse(out.join('\n')) as { images: { stream?: number; detections: Box[] }[] }).images;
}

test(
  'detect --mosaic: each of four streams finds what its frame alone gives (seams aside)',
  { skip: openvinoMissing() ?? realWeightsMissing() },
  async (t) => {
    const [single] = await detect([], [REAL.photo]);
    const streams = await detect(['--mosaic'], [REAL.photo, REAL.photo, REAL.photo, REAL.photo]);
    assert.deepEqual(
      streams.map((s) => s.stream),
      [0, 1, 2, 3],
    );
    assert.ok(single.detections.length > 0);
    let worstIou = 1,
      worstScore = 0;
    for (const s of streams) {
      assert.equal(s.detections.length, single.detections.length, JSON.stringify(s.detections));
      for (const want of single.detections) {
        const got = s.detections.filter((b) => b.class === want.class).sort((a, b) => iou(b, want) - iou(a, want))[0];
        assert.ok(got, `stream ${s.stream}: no box of class ${want.class}`);
        worstIou = Math.min(worstIou, iou(got, want));
        worstScore = Math.max(worstScore, Math.abs(got.prob - want.prob));
      }
    }
    assert.ok(worstIou >= 0.8, `IoU ${worstIou}`); // measured 0.853: the person at the frame's right edge, on the inner seam
    assert.ok(worstScore <= 0.05, `score difference ${worstScore}`);
    t.diagnostic(`mosaic vs single frame: worst IoU ${worstIou.toFixed(3)}, worst score difference ${worstScore.toFixed(4)}`);

    const bad = await main(['detect', REAL.cfg, REAL.weights, REAL.photo, '--mosaic'], {
      out: () => undefined,
      err: (m) => assert.match(m, /--mosaic takes 4 images/),
    });
    assert.equal(bad, 2);
  },
);
