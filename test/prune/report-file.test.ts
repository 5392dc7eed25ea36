// prune-report.json has one reader (core/src/prune/report.ts), used by the CLI diff, pruned-model
// directories, the language server and the report panel: versioned, validated with located errors,
// and read only as a regular file under a size cap (a cloned repository chooses what it points at).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { main } from '../../cli/main';
import { readPruneReport } from '../../core/src/prune/diff-report';
import {
  MAX_REPORT_BYTES,
  PRUNE_REPORT_VERSION,
  readPruneReportFile,
  readPruneReportFileAsync,
  ReportError,
} from '../../core/src/prune/report';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { readReport } from '../../client/src/pruning/reportView';
import { readCfg } from '../corpus';
import { runMain } from '../cli/in-process';

let dir: string, channelDir: string, layerDir: string;
const quiet = { out: () => undefined, err: () => undefined };

const cli = (...argv: string[]) => runMain(argv);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-report-'));
  const text = readCfg('yolov3-tiny.cfg');
  writeFileSync(join(dir, 'tiny.cfg'), text);
  const net = analyseText(text);
  writeFileSync(join(dir, 'tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
  channelDir = join(dir, 'channel');
  assert.equal(
    await main(
      ['prune', 'channel', join(dir, 'tiny.cfg'), join(dir, 'tiny.weights'), '--global-percent', '0.5', '-o', channelDir, '--name', 'p'],
      quiet,
    ),
    0,
  );
  layerDir = join(dir, 'layer');
  const v3 = readCfg('yolov3.cfg');
  writeFileSync(join(dir, 'v3.cfg'), v3);
  const net3 = analyseText(v3);
  writeFileSync(join(dir, 'v3.weights'), serializeWeights(net3, synthesizeWeights(net3)));
  assert.equal(
    await main(['prune', 'layer', join(dir, 'v3.cfg'), join(dir, 'v3.weights'), '--shortcuts', '2', '-o', layerDir, '--name', 'p'], quiet),
    0,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `src` whose report is `edit`ed. */
function withReport(name: string, src: string, edit: (r: Record<string, unknown>) => void): string {
  const copy = join(dir, name);
  cpSync(src, copy, { recursive: true });
  const r = JSON.parse(readFileSync(join(copy, 'prune-report.json'), 'utf8')) as Record<string, unknown>;
  edit(r);
  writeFileSync(join(copy, 'prune-report.json'), JSON.stringify(r));
  return copy;
}

const rejects = (file: string, message: RegExp) => {
  assert.throws(
    () => readPruneReportFile(file),
    (e: Error) => e instanceof ReportError && message.test(e.message) && !e.message.includes('\n'),
  );
  return assert.rejects(readPruneReportFileAsync(file), (e: Error) => e instanceof ReportError && message.test(e.message));
};

test('the reports prune channel and prune layer write read back unchanged', async () => {
  for (const d of [channelDir, layerDir]) {
    const file = join(d, 'prune-report.json');
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(readPruneReportFile(file), json);
    assert.deepEqual(await readPruneReportFileAsync(file), json);
    assert.deepEqual(readReport(file), json, 'the report panel reads it the same way');
  }
  // a layer prune of a pruned directory embeds the first report as provenance, read through the same reader
  const out = join(dir, 'chained');
  assert.equal((await cli('prune', 'layer', layerDir, '--shortcuts', '1', '-o', out, '--name', 'p')).code, 0);
  const chained = readPruneReportFile(join(out, 'prune-report.json'));
  assert.deepEqual(chained.provenance, JSON.parse(readFileSync(join(layerDir, 'prune-report.json'), 'utf8')));
});

test('a report is validated: newer versions and wrong fields are one located line', async () => {
  const newer = withReport('newer', channelDir, (r) => {
    r.reportVersion = 7;
    r.totals = 'whatever a later version writes';
  });
  await rejects(
    join(newer, 'prune-report.json'),
    new RegExp(`^${newer}/prune-report\\.json: reportVersion 7 is newer than this tool's ${PRUNE_REPORT_VERSION}$`),
  );
  const params = withReport('params', channelDir, (r) => {
    (r.totals as { after: { params: unknown } }).after.params = '2,347,545';
  });
  await rejects(
    join(params, 'prune-report.json'),
    new RegExp(`^${params}/prune-report\\.json: field totals\\.after\\.params: expected a number \\(got "2,347,545"\\)$`),
  );
  const kept = withReport('kept', channelDir, (r) => {
    (r.stages as { layers: { kept?: unknown[] }[] }[])[0].layers.find((l) => l.kept)!.kept![0] = -1;
  });
  await rejects(
    join(kept, 'prune-report.json'),
    /: field stages\[0\]\.layers\[\d+\]\.kept\[0\]: expected a non-negative integer \(got -1\)$/,
  );
  const source = withReport('source', channelDir, (r) => {
    delete (r.source as Record<string, unknown>).cfg;
  });
  await rejects(join(source, 'prune-report.json'), /: field source\.cfg: expected a string \(got nothing\)$/);
  const foreign = withReport('foreign', channelDir, (r) => {
    delete r.tool;
    delete r.reportVersion;
  });
  await rejects(join(foreign, 'prune-report.json'), /: not a darknet-pruner prune report/);
  writeFileSync(join(dir, 'broken.json'), '{ "tool": ');
  await rejects(join(dir, 'broken.json'), /broken\.json: not valid JSON: /);
});

test('only a regular file under the size cap is read: /dev/zero, symlinks to it, FIFOs, directories, huge files', async () => {
  await rejects('/dev/zero', /^\/dev\/zero: not a regular file$/);
  symlinkSync('/dev/zero', join(dir, 'zero.json'));
  await rejects(join(dir, 'zero.json'), /zero\.json: not a regular file$/);
  execFileSync('mkfifo', [join(dir, 'fifo.json')]);
  await rejects(join(dir, 'fifo.json'), /fifo\.json: not a regular file$/); // without waiting for a writer
  mkdirSync(join(dir, 'folder.json'));
  await rejects(join(dir, 'folder.json'), /folder\.json: is a directory$/);
  writeFileSync(join(dir, 'huge.json'), '');
  truncateSync(join(dir, 'huge.json'), MAX_REPORT_BYTES + 1);
  await rejects(join(dir, 'huge.json'), /huge\.json: 8388609 bytes is more than the 8388608 bytes read from such a file$/);
  await rejects(join(dir, 'missing.json'), /missing\.json: no such file$/);
});

test('CLI diff: a report beside the pruned cfg that is /dev/zero is ignored with a note; named with --report, an error', async () => {
  const copy = join(dir, 'diff-zero');
  cpSync(channelDir, copy, { recursive: true });
  rmSync(join(copy, 'prune-report.json'));
  symlinkSync('/dev/zero', join(copy, 'prune-report.json'));
  const beside = await cli('diff', join(dir, 'tiny.cfg'), join(copy, 'p.cfg'), '--json');
  assert.equal(beside.code, 0, beside.err);
  const d = JSON.parse(beside.out) as { source: string; warnings: string[] };
  assert.equal(d.source, 'alignment');
  assert.equal(d.warnings[0], `ignored ${join(copy, 'prune-report.json')}: ${join(copy, 'prune-report.json')}: not a regular file`);

  const explicit = await cli('diff', join(dir, 'tiny.cfg'), join(channelDir, 'p.cfg'), '--report', '/dev/zero');
  assert.deepEqual([explicit.code, explicit.err], [1, 'darknet-pruner: /dev/zero: not a regular file']);
  const newer = withReport('diff-newer', channelDir, (r) => {
    r.reportVersion = 7;
  });
  const v = await cli('diff', join(dir, 'tiny.cfg'), join(newer, 'p.cfg'), '--report', join(newer, 'prune-report.json'));
  assert.deepEqual(
    [v.code, v.err],
    [1, `darknet-pruner: ${newer}/prune-report.json: reportVersion 7 is newer than this tool's ${PRUNE_REPORT_VERSION}`],
  );
  // another tool's report still serves the diff with its index map (see test/diff)
  writeFileSync(
    join(dir, 'foreign.json'),
    JSON.stringify({ prunedToOriginal: analyseText(readFileSync(join(channelDir, 'p.cfg'), 'utf8')).layers.map((l) => l.index) }),
  );
  const foreign = await cli('diff', join(dir, 'tiny.cfg'), join(channelDir, 'p.cfg'), '--report', join(dir, 'foreign.json'), '--json');
  assert.equal(foreign.code, 0, foreign.err);
  assert.equal((JSON.parse(foreign.out) as { source: string }).source, 'report');
});

test('a pruned-model directory given to prune layer: its report is read with the same checks', async () => {
  const zero = join(dir, 'dir-zero');
  cpSync(layerDir, zero, { recursive: true });
  rmSync(join(zero, 'prune-report.json'));
  symlinkSync('/dev/zero', join(zero, 'prune-report.json'));
  const r = await cli('prune', 'layer', zero, '--shortcuts', '1', '-o', join(dir, 'out-zero'));
  assert.deepEqual([r.code, r.err.split('\n').pop()], [1, `darknet-pruner: ${zero}/prune-report.json: not a regular file`]);
  const bad = withReport('dir-bad', layerDir, (r) => {
    (r.totals as { after: { params: unknown } }).after.params = null;
  });
  const b = await cli('prune', 'layer', bad, '--shortcuts', '1', '-o', join(dir, 'out-bad'));
  assert.deepEqual(
    [b.code, b.err.split('\n').pop()],
    [1, `darknet-pruner: ${bad}/prune-report.json: field totals.after.params: expected a number (got null)`],
  );
});

test('an index map of 300k layers is read without spreading it into a call (it overflowed the stack)', () => {
  const n = 300_000;
  const info = readPruneReport({ prunedToOriginal: Array.from({ length: n }, (_, i) => i), removed: [n] });
  assert.equal(info.prunedToOriginal!.length, n);
  const map = readPruneReport({ originalToPruned: Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), i])) });
  assert.equal(map.prunedToOriginal!.length, n);
});
