// The selection the CLI's `detect` and the detection panel share (core/src/nn/select-detections.ts):
// decoding at a low floor, sending the candidates as JSON, and selecting at a threshold gives exactly
// what decoding at that threshold gives, for every NMS kind; and the module stays free of Node and
// of the layer registry, so the webview bundle (and its DOM-only typecheck) can import it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { makeRng } from '../../core/src/data/rng';
import { decodeHead, labelDetections as decodeLabel, type Detection } from '../../core/src/nn/decode';
import { boxDiou, boxIou, nms, type NmsKind } from '../../core/src/nn/nms';
import {
  detectionRows,
  fromCandidates,
  labelDetections,
  NMS_CHOICES,
  selectDetections,
  toCandidates,
  type Selection,
} from '../../core/src/nn/select-detections';
import { REPO } from '../corpus';

// A 3-class [yolo] head on an 8×8 grid with anchors large enough that neighbouring boxes overlap.
const net = analyseText(
  '[net]\nwidth=256\nheight=256\nchannels=3\n[convolutional]\nfilters=24\nsize=32\nstride=32\nactivation=linear\n[yolo]\nmask=0,1,2\nanchors=40,40,80,60,120,120\nnum=3\nclasses=3',
);
const head = net.layers[1];

/** A head output in darknet's layout with values spread over [0, 1] (and [-1, 1] for w, h). */
function headOutput(seed: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(3 * 8 * 64);
  for (let a = 0; a < 3; a++) {
    for (let e = 0; e < 8; e++) {
      for (let i = 0; i < 64; i++) out[(a * 8 + e) * 64 + i] = e === 2 || e === 3 ? rng.next() * 2 - 1 : rng.next();
    }
  }
  return out;
}

const decode = (out: Float32Array, thresh: number): Detection[] =>
  decodeHead(head, out, { netW: 256, netH: 256, imageW: 640, imageH: 480, letterbox: false, thresh });

test('candidates decoded at a floor, through JSON, select exactly what decoding at the threshold selects', () => {
  let compared = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const out = headOutput(seed);
    for (const kind of NMS_CHOICES) {
      for (const thresh of [0.1, 0.25, 0.5]) {
        const s: Selection = { thresh, nms: { kind, thresh: 0.45, beta: 0.6 } };
        const direct = selectDetections(decode(out, thresh), s, 640, 480);
        const sent = JSON.parse(JSON.stringify(toCandidates(decode(out, 0.005))));
        const selected = selectDetections(fromCandidates(sent, 3), s, 640, 480);
        assert.deepEqual(selected, direct, `seed ${seed}, ${kind}, thresh ${thresh}`);
        compared += direct.length;
      }
    }
  }
  assert.ok(compared > 200, `the cases have detections to compare (${compared})`);
});

test('the NMS kinds differ on overlapping boxes, none keeps every box above the threshold, and --nms 0 is none', () => {
  const out = headOutput(7);
  const count = (kind: Selection['nms']['kind'], nmsThresh = 0.45) =>
    selectDetections(decode(out, 0.25), { thresh: 0.25, nms: { kind, thresh: nmsThresh, beta: 0.6 } }, 640, 480).length;
  const none = count('none');
  assert.equal(none, decodeLabel(decode(out, 0.25), 0.25, 640, 480).length);
  assert.ok(count('default') < none, 'IoU NMS removes boxes');
  assert.equal(count('default', 0), none);
  // DIoU subtracts the centre-distance term, so it suppresses no more than IoU at the same threshold.
  assert.ok(count('greedynms') >= count('default'));
});

test("decode.ts labels with this module's labelling, and the rows are what `detect` prints", () => {
  const dets = decode(headOutput(3), 0.25);
  assert.equal(decodeLabel, labelDetections);
  const found = selectDetections(dets, { thresh: 0.25, nms: { kind: 'default', thresh: 0.45, beta: 0.6 } }, 640, 480);
  const rows = detectionRows(found, (k) => ['a', 'b', 'c'][k]);
  assert.equal(rows.length, found.length);
  for (const [i, r] of rows.entries()) {
    assert.deepEqual(Object.keys(r), ['class', 'name', 'prob', 'left', 'top', 'width', 'height']);
    assert.equal(r.name, 'abc'[found[i].classId]);
    assert.equal(r.prob, Number(found[i].prob.toFixed(6)));
    assert.equal(r.left, Math.round(found[i].left));
  }
});

test('fromCandidates gives fresh prob arrays (NMS in the panel never edits the candidates) and drops classes out of range', () => {
  const cands = toCandidates(decode(headOutput(5), 0.05));
  const before = JSON.stringify(cands);
  selectDetections(fromCandidates(cands, 3), { thresh: 0.05, nms: { kind: 'default', thresh: 0.3, beta: 0.6 } }, 640, 480);
  assert.equal(JSON.stringify(cands), before);
  const odd = fromCandidates(
    [
      {
        x: 0.5,
        y: 0.5,
        w: 0.1,
        h: 0.1,
        objectness: 0.9,
        layer: 1,
        probs: [
          [1, 0.8],
          [7, 0.9],
          [-1, 0.9],
        ],
      },
    ],
    3,
  );
  assert.deepEqual(Array.from(odd[0].prob), [0, Math.fround(0.8), 0]);
});

test('the module imports only the box types and nms.ts, which imports only the box types (no Node, no DOM, no layer registry)', () => {
  const src = readFileSync(join(REPO, 'core/src/nn/select-detections.ts'), 'utf8');
  const imports = [...src.matchAll(/^import (type )?.*from '([^']+)';$/gm)].map((m) => `${m[1] ? 'type ' : ''}${m[2]}`);
  assert.deepEqual(imports, ['type ./box', './nms']);
  const nmsSrc = readFileSync(join(REPO, 'core/src/nn/nms.ts'), 'utf8');
  assert.deepEqual(
    [...nmsSrc.matchAll(/^import (type )?.*from '([^']+)';$/gm)].map((m) => `${m[1] ? 'type ' : ''}${m[2]}`),
    ['type ./box'],
  );
});

/** darknet's do_nms_sort / diounms_sort as written: every box sorted and compared for every class. */
function darknetNms(dets: Detection[], thresh: number, kind: NmsKind, beta: number): void {
  const live = dets.filter((d) => d.objectness !== 0);
  const score =
    kind === 'default' ? boxIou : (a: Detection['bbox'], b: Detection['bbox']) => boxDiou(a, b, kind === 'greedynms' ? 0.6 : beta);
  for (let k = 0; k < (live[0]?.prob.length ?? 0); k++) {
    const order = [...live].sort((a, b) => b.prob[k] - a.prob[k]);
    for (let i = 0; i < order.length; i++) {
      if (order[i].prob[k] === 0) continue;
      for (let j = i + 1; j < order.length; j++) if (score(order[i].bbox, order[j].bbox) > thresh) order[j].prob[k] = 0;
    }
  }
}

test("nms compares only the boxes with prob[k] > 0, with darknet's result", () => {
  for (let seed = 11; seed <= 16; seed++) {
    for (const kind of ['default', 'greedynms', 'diounms'] as const) {
      const ours = decode(headOutput(seed), 0.05),
        theirs = decode(headOutput(seed), 0.05);
      nms(ours, 0.45, kind, 0.8);
      darknetNms(theirs, 0.45, kind, 0.8);
      assert.deepEqual(
        ours.map((d) => Array.from(d.prob)),
        theirs.map((d) => Array.from(d.prob)),
        `seed ${seed}, ${kind}`,
      );
    }
  }
});
