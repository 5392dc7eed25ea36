// The report panel opens the cfgs a prune-report.json names only when they lie inside the
// workspace (symlinks resolved); anything else needs the user's yes in a modal question.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insideFolders, mayOpenReportTargets, OPEN_ANYWAY, type ReportTargetPort } from '../../client/src/pruning/reportTargets';

const root = mkdtempSync(join(tmpdir(), 'dp-report-targets-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ws = join(root, 'workspace'),
  outside = join(root, 'elsewhere');
mkdirSync(join(ws, 'pruned'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(ws, 'yolo.cfg'), '[net]\n');
writeFileSync(join(outside, 'secret.cfg'), '[net]\n');
symlinkSync(join(outside, 'secret.cfg'), join(ws, 'pruned', 'looks-local.cfg'));
const report = join(ws, 'pruned', 'prune-report.json');

function port(answer: string | undefined) {
  const asked: string[] = [];
  const p: ReportTargetPort = {
    folders: () => [ws],
    confirm: async (message, action) => {
      asked.push(message);
      assert.equal(action, OPEN_ANYWAY);
      return answer;
    },
  };
  return { p, asked };
}

test('files inside the workspace open without a question', async () => {
  const { p, asked } = port(undefined);
  assert.equal(await mayOpenReportTargets(p, report, [join(ws, 'yolo.cfg'), join(ws, 'pruned', '..', 'yolo.cfg')]), true);
  assert.deepEqual(asked, []);
});

test('a path outside, through ../ or through a symlink inside, asks; no answer means no', async () => {
  for (const target of [join(ws, 'pruned', '..', '..', 'elsewhere', 'secret.cfg'), join(ws, 'pruned', 'looks-local.cfg'), '/etc/passwd']) {
    assert.equal(insideFolders(target, [ws]), false, target);
    const no = port(undefined);
    assert.equal(await mayOpenReportTargets(no.p, report, [target]), false);
    assert.equal(no.asked.length, 1);
    assert.match(no.asked[0], /^prune-report\.json points outside the workspace: .*\. Open it anyway\?$/);
    const yes = port(OPEN_ANYWAY);
    assert.equal(await mayOpenReportTargets(yes.p, report, [target]), true);
  }
  const noFolder = { folders: () => [], confirm: async () => undefined };
  assert.equal(await mayOpenReportTargets(noFolder, report, [join(ws, 'yolo.cfg')]), false, 'no workspace folder: ask');
});
