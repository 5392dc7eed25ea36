// The detection job, both sides: every argv detectArgs makes parses with the `detect` command's own
// spec; and on the real COCO yolov3-tiny weights and a real photo, the job as the extension runs it
// (client/src/jobs/cliProcess.ts, candidates above a floor) has the `detect` result type, and the
// selection the panel makes from its candidates at the CLI's defaults — for the cfg's NMS kind and
// for the others — is exactly what `darknet-pruner detect` prints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from '../../cli/args';
import { SPEC } from '../../cli/commands/detect';
import { startCli } from '../../client/src/jobs/cliProcess';
import { fromCandidates, NMS_CHOICES, selectDetections, detectionRows } from '../../core/src/nn/select-detections';
import { DETECT_RUNTIMES, detectArgs, jobResult, type DetectJob, type DetectJobResult, type JobEvent } from '../../core/src/protocol/jobs';
import { ensureCliBuilt, runCli } from '../cli/run';
import { REPO } from '../corpus';
import { REAL, realWeightsMissing } from '../real-weights';

/** What the panel asks the CLI for: every box above this floor, before NMS. */
const FLOOR = 0.005;

test("every argv detectArgs builds parses with detect's own spec, to the same values", () => {
  const jobs: DetectJob[] = [];
  for (const runtime of [undefined, ...DETECT_RUNTIMES]) {
    for (const names of [undefined, '/m/coco.names', '/m/coco.data']) {
      for (const candidates of [undefined, false, true]) {
        jobs.push({
          cfg: '/m/a.cfg',
          weights: '/m/a.weights',
          images: ['/i/1.jpg', '/i/two words.png'],
          ...(runtime ? { runtime } : {}),
          ...(names ? { names } : {}),
          ...(candidates !== undefined ? { candidates, thresh: FLOOR } : {}),
        });
      }
    }
  }
  for (const j of jobs) {
    const argv = detectArgs(j);
    assert.equal(argv[0], 'detect');
    const p = parseArgs([...argv.slice(1), '--json-events'], SPEC);
    assert.deepEqual(p.positionals, [j.cfg, j.weights, ...j.images]);
    assert.equal(p.values.runtime, j.runtime ?? 'tfjs');
    assert.equal(p.values.names, j.names);
    assert.equal(p.values.candidates, j.candidates ?? false);
    assert.equal(p.values.thresh, j.thresh ?? 0.25);
  }
});

const missing = realWeightsMissing();
let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dp-detect-job-'));
  if (!missing) ensureCliBuilt();
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function runJob(args: string[]): Promise<{ code: number | null; events: JobEvent[]; log: string }> {
  const events: JobEvent[] = [];
  const log: string[] = [];
  const run = startCli(
    { extensionPath: REPO },
    { args, cwd: dir },
    (e) => events.push(e),
    (l) => log.push(l),
  );
  const { code, stderr } = await run.done;
  return { code, events, log: `${log.join('\n')}\n${stderr}` };
}

function cliJson(extra: string[]): DetectJobResult {
  const r = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--names', REAL.names, '--json', ...extra], dir);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as DetectJobResult;
}

test(
  "real photo: the panel's selection from the job's candidates equals `darknet-pruner detect` for each NMS kind",
  { skip: missing },
  async () => {
    // names through a .data file's names= (a path relative to the .data file's folder)
    const data = join(dir, 'coco.data');
    writeFileSync(data, `classes=80\nnames=${relative(dir, REAL.names)}\n`);
    const job = await runJob(
      detectArgs({ cfg: REAL.cfg, weights: REAL.weights, images: [REAL.photo], names: data, thresh: FLOOR, candidates: true }),
    );
    assert.equal(job.code, 0, job.log);
    assert.ok(
      job.events.some((e) => e.type === 'progress'),
      'progress events',
    );
    const event = job.events.find((e) => e.type === 'result');
    assert.ok(event && event.type === 'result' && event.command === 'detect');
    const result = jobResult('detect', event.data);
    assert.ok(result, 'the result has the detect result type');
    assert.equal(result.classes, 80);
    assert.equal(result.names?.length, 80);
    assert.equal(result.names?.[0], 'person');
    const image = result.images[0];
    assert.ok(image.candidates && image.candidates.length > image.detections.length / 2, 'candidates were sent');

    for (const kind of [result.nms.kind, ...NMS_CHOICES.filter((k) => k !== result.nms.kind)]) {
      const cli = cliJson(kind === result.nms.kind ? [] : ['--nms-kind', kind]);
      const want = cli.images[0].detections;
      assert.ok(want.length > 0, 'the CLI finds objects in the photo');
      const found = selectDetections(
        fromCandidates(image.candidates, result.classes),
        { thresh: cli.thresh, nms: { ...result.nms, kind } },
        image.width,
        image.height,
      );
      assert.deepEqual(
        detectionRows(found, (k) => result.names?.[k] ?? String(k)),
        want,
        `NMS ${kind}`,
      );
    }
  },
);

test('a .data file without names= or with a missing names file: one located line, exit 2', { skip: missing }, () => {
  const noNames = join(dir, 'no-names.data');
  writeFileSync(noNames, 'classes=80\nvalid=x.txt\n');
  let r = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--names', noNames], dir);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim(), `darknet-pruner: ${noNames}: no names= line (the class names file)`);
  const gone = join(dir, 'gone.data');
  writeFileSync(gone, 'classes=80\n\nnames=nowhere.names\n');
  r = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--names', gone], dir);
  assert.equal(r.code, 2);
  assert.match(
    r.err.trim(),
    new RegExp(
      `^darknet-pruner: ${gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: names=nowhere\\.names: no such file \\(tried [^\\n]+\\)$`,
    ),
  );
  r = runCli(['detect', REAL.cfg, REAL.weights, REAL.photo, '--candidates'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /--candidates goes with --json or --json-events/);
});
