// Metrics against independently computed values. The expected literals come from a one-off numpy 2.4
// run of tanluren's ap_per_class / compute_ap as described in docs/evaluation.md §Reference protocols
// (stable argsort on −conf, recall = tpc/(n_gt+1e-16), precision = tpc/(tpc+fpc), envelope, np.interp
// at np.linspace(0, 1, 101), np.trapezoid), with P/R at score read by np.interp(−score, −conf, …).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeAp,
  interp,
  iou,
  IOU_THRESHOLDS,
  matchImage,
  MetricsAccumulator,
  summarize,
  type Prediction,
  type Target,
} from '../../core/src/eval/metrics';

const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 1e-12, `${what}: ${got}, numpy ${want}`);

function curves(tp: number[], conf: number[], cls: number[], targets: number[], prAtScore?: number) {
  const gtCount = new Map<number, number>();
  for (const t of targets) gtCount.set(t, (gtCount.get(t) ?? 0) + 1);
  return summarize({ tp, conf, cls, gtCount, images: 1 }, { prAtScore });
}

test('AP, P, R, F1 of one class equal numpy (case A: recall stops at 0.8)', () => {
  const s = curves([1, 1, 0, 1, 0, 0, 1, 0], [0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3], Array(8).fill(0), Array(5).fill(0));
  const c = s.classes[0];
  close(c.precision, 0.5, 'P');
  close(c.recall, 0.8, 'R');
  close(c.ap50, 0.6642857142857143, 'AP');
  close(c.f1, 0.6153846153846154, 'F1');
});

test('AP when recall reaches 1 (duplicate end point in mrec) equals numpy (case B)', () => {
  const c = curves([1, 0, 1, 1], [0.9, 0.8, 0.7, 0.6], Array(4).fill(0), Array(3).fill(0)).classes[0];
  close(c.precision, 0.75, 'P');
  close(c.recall, 1, 'R');
  close(c.ap50, 0.8300000000000002, 'AP');
  close(c.f1, 0.8571428571428571, 'F1');
});

const C = {
  tp: [1, 0, 1, 0, 1, 1, 0, 0, 1, 0],
  conf: [0.95, 0.9, 0.88, 0.7, 0.65, 0.6, 0.5, 0.3, 0.2, 0.1],
  cls: [0, 0, 1, 1, 0, 1, 3, 0, 1, 1],
  targets: [0, 0, 0, 1, 1, 1, 2],
};

test('several classes: GT-only class counts as 0, predicted-only class is ignored, means over GT classes (case C)', () => {
  const s = curves(C.tp, C.conf, C.cls, C.targets);
  assert.deepEqual(
    s.classes.map((c) => c.cls),
    [0, 1, 2],
  );
  const want = [
    [0.5, 0.6666666666666666, 0.555, 0.5714285714285715],
    [0.6, 1.0, 0.8300000000000002, 0.7499999999999999],
    [0, 0, 0, 0],
  ];
  s.classes.forEach((c, i) => {
    close(c.precision, want[i][0], `P${i}`);
    close(c.recall, want[i][1], `R${i}`);
    close(c.ap50, want[i][2], `AP${i}`);
    close(c.f1, want[i][3], `F1${i}`);
  });
  close(s.map50, (0.555 + 0.8300000000000002) / 3, 'mAP');
  close(s.precision, 1.1 / 3, 'mean P');
});

test('--pr-at-score 0.62 reads P and R by interpolation on −conf (case D)', () => {
  const s = curves(C.tp, C.conf, C.cls, C.targets, 0.62);
  const want = [
    [0.6523809523809523, 0.6666666666666666, 0.6594464500601684],
    [0.6333333333333333, 0.5999999999999999, 0.6162162162162161],
  ];
  want.forEach((w, i) => {
    const c = s.classes[i];
    close(c.precision, w[0], `P${i}`);
    close(c.recall, w[1], `R${i}`);
    close(c.f1, w[2], `F1${i}`);
  });
  close(s.classes[0].ap50, 0.555, 'AP unchanged');
  assert.equal(s.prAt, 0.62);
});

test('compute_ap of a single perfect detection is 0.995 (numpy), interp follows numpy at ends and duplicates', () => {
  close(computeAp([1], [1]), 0.995, 'AP');
  assert.equal(interp(-1, [0, 1], [5, 7]), 5);
  assert.equal(interp(2, [0, 1], [5, 7]), 7);
  assert.equal(interp(1, [0, 1, 1], [0, 1, 0]), 0); // x ≥ xp[-1] → fp[-1]
  assert.equal(interp(0.5, [0, 0.5, 0.5, 1], [0, 1, 3, 3]), 3); // exact hit resolves to the last duplicate
  assert.equal(interp(0.25, [0, 0.5], [0, 1]), 0.5);
});

const box = (x1: number, y1: number, x2: number, y2: number): [number, number, number, number] => [x1, y1, x2, y2];

test('matching quirk: the best target already matched makes a FP even if another target would qualify', () => {
  const targets: Target[] = [
    { cls: 0, box: box(0, 0, 10, 10) },
    { cls: 0, box: box(2, 0, 12, 10) },
  ];
  const preds: Prediction[] = [
    { cls: 0, conf: 0.9, box: box(0, 0, 10, 10) }, // TP on target 0
    { cls: 0, conf: 0.8, box: box(0.5, 0, 10.5, 10) }, // best is target 0 (IoU .90), target 1 has .74 > .5 but FP
    { cls: 0, conf: 0.7, box: box(2, 0, 12, 10) }, // TP on target 1
    { cls: 0, conf: 0.6, box: box(2, 0, 12, 10) }, // all targets matched: stop, FP
  ];
  assert.ok(iou(preds[1].box, targets[1].box) > 0.5);
  assert.deepEqual(matchImage(preds, targets, 0.5), [true, false, true, false]);
});

test('matching: a class absent from the image is FP, IoU must exceed (not equal) the threshold, no targets → all FP', () => {
  const targets: Target[] = [{ cls: 1, box: box(0, 0, 10, 10) }];
  const half = box(0, 0, 10, 5); // IoU exactly 0.5
  assert.equal(iou(half, targets[0].box), 0.5);
  assert.deepEqual(
    matchImage(
      [
        { cls: 0, conf: 0.9, box: box(0, 0, 10, 10) },
        { cls: 1, conf: 0.8, box: half },
      ],
      targets,
      0.5,
    ),
    [false, false],
  );
  assert.deepEqual(matchImage([{ cls: 1, conf: 0.9, box: half }], [], 0.5), [false]);
});

test('mAP@0.5:0.95 on a tiny case: IoU 0.8 is TP at 0.50…0.75 (6 of 10 thresholds)', () => {
  assert.deepEqual(IOU_THRESHOLDS, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]);
  const acc = new MetricsAccumulator();
  acc.addImage([{ cls: 0, conf: 0.9, box: box(0, 0, 10, 8) }], [{ cls: 0, box: box(0, 0, 10, 10) }]);
  acc.addImage([], [{ cls: 1, box: box(0, 0, 4, 4) }]); // an image without predictions still counts its targets
  const s = acc.summary();
  assert.equal(s.images, 2);
  assert.equal(s.targets, 2);
  close(s.classes[0].ap50, 0.995, 'AP50');
  close(s.classes[0].ap, (6 * 0.995) / 10, 'AP50:95');
  close(s.map50, 0.995 / 2, 'mAP50');
  close(s.map, 0.597 / 2, 'mAP50:95');
  close(s.recall, 0.5, 'mean R');
});

test('accumulator sorts each image by confidence before matching', () => {
  const acc = new MetricsAccumulator();
  const t: Target[] = [{ cls: 0, box: box(0, 0, 10, 10) }];
  acc.addImage(
    [
      { cls: 0, conf: 0.2, box: box(0, 0, 10, 10) },
      { cls: 0, conf: 0.9, box: box(0, 0, 10, 9) },
    ],
    t,
  );
  const c = acc.summary().classes[0];
  // The 0.9 box (IoU 0.9) matches first; the later exact box is FP (all targets matched).
  close(c.precision, 0.5, 'P');
  close(c.recall, 1, 'R');
  close(c.ap50, 0.995, 'AP50');
  // IoU 0.9 is TP at 0.50…0.85 (AP 0.995); at 0.90 and 0.95 it is FP and the exact box becomes the TP:
  // curve P = [0, 0.5], R = [0, 1] → envelope 0.5 on [0, 1), AP = 0.99·0.5 + 0.01·0.25 = 0.4975.
  close(c.ap, (8 * 0.995 + 2 * 0.4975) / 10, 'AP50:95');
});
