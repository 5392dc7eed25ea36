import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { populationVerdict } from '../../core/src/prune/population-verdict';
import { pruneWarning, sparsityVerdict, verdictText } from '../../core/src/prune/sparsity-verdict';
import { populationOf } from '../../core/src/prune/plan';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { readWeightsFile } from '../../core/src/weights/read';
import { synthesizeWeights, XorShift32 } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { parseJobEvent, type JobEvent } from '../../cli/events';
import { CFG_DIR, REPO } from '../corpus';
import { REAL, realWeightsMissing } from '../real-weights';

test('verdict on hand-made γ: near-zero share, the γ scale, what a percent cuts (slim ≤, others <)', () => {
  // 60 near-zero γ and 40 live ones from 0.5 to 1.28: scale = sorted[floor(0.99·99)] = sorted[98]
  const sorted = Float32Array.from([
    ...Array.from({ length: 60 }, (_, i) => i * 1e-4),
    ...Array.from({ length: 40 }, (_, i) => 0.5 + i * 0.02),
  ]);
  const v = sparsityVerdict(sorted);
  assert.equal(v.scale, sorted[98]);
  assert.equal(v.nearZeroBound, 0.01 * sorted[98]);
  assert.equal(v.nearZero, 60);
  assert.equal(v.nearZeroShare, 0.6);
  assert.equal(v.sparsityTrained, true);
  assert.equal(v.prune, undefined);
  assert.equal(pruneWarning(v), undefined, 'no percent, nothing to warn about');

  const ok = sparsityVerdict(sorted, 0.55);
  assert.equal(ok.prune!.threshold, sorted[55]);
  assert.equal(ok.prune!.cut, 56); // slim prunes |γ| ≤ thr
  assert.equal(ok.prune!.cutNotNearZero, 0);
  assert.equal(pruneWarning(ok), undefined);

  const edge = sparsityVerdict(sorted, 0.6); // thr = sorted[60], the first live γ
  assert.equal(edge.prune!.cutNotNearZero, 1, 'slim cuts the threshold channel itself');
  assert.equal(sparsityVerdict(sorted, 0.6, false).prune!.cutNotNearZero, 0, 'shortcut/regular keep |γ| ≥ thr');

  const far = sparsityVerdict(sorted, 0.8);
  assert.equal(far.prune!.cutNotNearZero, 21);
  assert.equal(far.prune!.thresholdToScale, sorted[80] / sorted[98]);
  const w = pruneWarning(far)!;
  assert.match(w, /global percent 0.8 cuts 21 channel\(s\) \(21\.0% of 100\) whose \|γ\| are not near zero/);
  assert.match(w, /percents from 0\.600 on/);
  assert.match(w, /lower the percent/);

  // never sparsity-trained: γ around 1
  const dense = sparsityVerdict(
    Float32Array.from({ length: 50 }, (_, i) => 0.5 + i / 50),
    0.3,
  );
  assert.equal(dense.sparsityTrained, false);
  assert.equal(dense.nearZero, 0);
  assert.equal(dense.prune!.cutNotNearZero, 16);
  assert.match(pruneWarning(dense)!, /sparsity-train first/);
  assert.match(verdictText(dense), /^does not look sparsity-trained: 0\.0% of 50 \|γ\| are near zero/);

  const zeros = sparsityVerdict(new Float32Array(8), 0.5);
  assert.equal(zeros.nearZeroShare, 1);
  assert.equal(zeros.prune!.thresholdToScale, null);
  assert.equal(pruneWarning(zeros), undefined);
  assert.throws(() => sparsityVerdict(new Float32Array(0)), /empty/);
});

test('real COCO yolov3-tiny weights do not look sparsity-trained; every percent cuts live γ', (t) => {
  const missing = realWeightsMissing();
  if (missing) return t.skip(missing);
  const net = analyseText(readFileSync(REAL.cfg, 'utf8'));
  const weights = readWeightsFile(REAL.weights, net);
  for (const method of ['slim', 'shortcut', 'regular'] as const) {
    const v = populationVerdict(net, weights, method, 0.5)!;
    assert.equal(v.channels, 3056, method);
    assert.equal(v.sparsityTrained, false, method);
    assert.equal(v.nearZeroShare, 0, method); // the smallest |γ| is 0.49, the scale ≈ 6
    assert.ok(v.prune!.cutNotNearZero >= 1528, method);
    assert.ok(v.prune!.thresholdToScale! > 0.2, `${method}: the median |γ| is a sizeable part of the scale`);
    assert.ok(pruneWarning(v));
  }
});

/** yolov3-tiny with synthesized weights whose prunable γ are 70% near zero, as L1 training leaves them. */
function sparseWeights(): { net: ReturnType<typeof analyseText>; bytes: Uint8Array } {
  const net = analyseText(readFileSync(join(CFG_DIR, 'yolov3-tiny.cfg'), 'utf8'));
  const w = synthesizeWeights(net, 7);
  const rng = new XorShift32(3);
  for (const i of populationOf(analyseChannelStructure(net), 'slim')) {
    const g = w.layers[i]!.blocks.scales!;
    for (let c = 0; c < g.length; c++) if (rng.uniform(0, 1) < 0.7) g[c] = rng.uniform(-1e-3, 1e-3);
  }
  return { net, bytes: serializeWeights(net, w) };
}

test('weights with most γ near zero look sparsity-trained; a percent inside the near-zero share warns of nothing', () => {
  const { net, bytes } = sparseWeights();
  const dir = mkdtempSync(join(tmpdir(), 'verdict-'));
  try {
    const file = join(dir, 's.weights');
    writeFileSync(file, bytes);
    const weights = readWeightsFile(file, net);
    const v = populationVerdict(net, weights, 'slim', 0.6)!;
    assert.equal(v.sparsityTrained, true);
    assert.ok(v.nearZeroShare > 0.65 && v.nearZeroShare < 0.75, String(v.nearZeroShare));
    assert.equal(v.prune!.cutNotNearZero, 0);
    assert.equal(pruneWarning(v), undefined);
    const over = populationVerdict(net, weights, 'slim', 0.9)!;
    assert.ok(over.prune!.cutNotNearZero > 0);
    assert.match(pruneWarning(over)!, /lower the percent/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function cli(args: string[]) {
  const p = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'cli/main.ts'), ...args], { encoding: 'utf8', cwd: REPO });
  const events = p.stdout
    .split('\n')
    .map((l) => parseJobEvent(l))
    .filter((e): e is JobEvent => e !== undefined);
  return { code: p.status, out: p.stdout, err: p.stderr, events };
}
const notes = (events: JobEvent[]) => events.filter((e): e is Extract<JobEvent, { type: 'note' }> => e.type === 'note');

test('CLI: gamma says the verdict; prune channel, sweep warn (stderr or a note event) and still prune', () => {
  const { bytes } = sparseWeights();
  const dir = mkdtempSync(join(tmpdir(), 'verdict-cli-'));
  try {
    const cfg = join(CFG_DIR, 'yolov3-tiny.cfg');
    const sparse = join(dir, 's.weights');
    writeFileSync(sparse, bytes);

    const json = cli(['gamma', cfg, sparse, '--percent', '0.6', '--json']);
    assert.equal(json.code, 0, json.err);
    const s = JSON.parse(json.out).sparsity;
    assert.equal(s.sparsityTrained, true);
    assert.equal(s.prune.cutNotNearZero, 0);
    assert.equal(s.warning, null);
    const text = cli(['gamma', cfg, sparse, '--percent', '0.9']);
    assert.match(text.out, /\nlooks sparsity-trained: \d+\.\d% of 3056 \|γ\| are near zero/);
    assert.match(text.out, /\nwarning: global percent 0\.9 cuts \d+ channel\(s\)/);

    const quiet = cli(['prune', 'channel', cfg, sparse, '-p', '0.6', '-o', join(dir, 'p60'), '--json-events']);
    assert.equal(quiet.code, 0, quiet.err);
    assert.deepEqual(notes(quiet.events), []);
    const loud = cli(['prune', 'channel', cfg, sparse, '-p', '0.9', '-o', join(dir, 'p90'), '--json-events']);
    assert.equal(loud.code, 0, loud.err);
    const [note] = notes(loud.events);
    assert.equal(note.level, 'warning');
    assert.match(
      note.message,
      /global percent 0\.9 cuts \d+ channel\(s\) .* whose \|γ\| are not near zero: threshold [\d.]+ = [\d.]+× the γ scale/,
    );
    assert.ok(
      loud.events.some((e) => e.type === 'result'),
      'warned, not refused',
    );
    const sweep = cli(['sweep', cfg, sparse, '--percents', '0.5:0.8:0.1']);
    assert.equal(sweep.code, 0, sweep.err);
    assert.match(sweep.err, /warning: global percent 0\.8 cuts \d+ channel\(s\)/);

    const missing = realWeightsMissing();
    if (missing) return;
    const coco = cli(['prune', 'channel', cfg, REAL.weights, '-p', '0.5', '-o', join(dir, 'coco')]);
    assert.equal(coco.code, 0, coco.err);
    assert.match(coco.err, /warning: global percent 0\.5 cuts 1529 channel\(s\) \(50\.0% of 3056\)/);
    assert.match(coco.err, /does not look sparsity-trained: 0\.0% of 3056 \|γ\| are near zero/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
