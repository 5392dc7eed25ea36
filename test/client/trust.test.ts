// Workspace trust on the command side: in an untrusted workspace each command that starts a
// darknet-pruner process says why and does not start it; the other commands work; and the Node
// executable for jobs never comes from the workspace's own settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, JOB_COMMANDS, type CommandName } from '../../client/src/constants';
import { jobNodePath } from '../../client/src/config/settings';
import { guardJobCommands, MANAGE_TRUST, type CommandHandlers, type TrustPort } from '../../client/src/trust';

function fakePort(trusted: boolean, answer?: string) {
  const warnings: string[] = [];
  let managed = 0;
  let answered!: () => void;
  const settled = new Promise<void>((ok) => {
    answered = ok;
  });
  const port: TrustPort = {
    isTrusted: () => trusted,
    warn: async (message, action) => {
      warnings.push(`${message} [${action}]`);
      return answer;
    },
    manage: async () => {
      managed++;
      answered();
    },
  };
  return { port, warnings, managed: () => managed, settled };
}

function recordingHandlers() {
  const ran: { name: CommandName; args: unknown[] }[] = [];
  const handlers = Object.fromEntries(
    (Object.keys(COMMANDS) as CommandName[]).map((name) => [
      name,
      (...args: unknown[]) => {
        ran.push({ name, args });
        return name;
      },
    ]),
  ) as CommandHandlers;
  return { handlers, ran };
}

const jobNames = Object.keys(JOB_COMMANDS) as CommandName[];

test('the job commands are those that start darknet-pruner', () => {
  assert.deepEqual(
    [...jobNames].sort(),
    [
      'benchmark',
      'detectObjects',
      'installRuntimes',
      'exportOnnx',
      'exportOpenvino',
      'pruneChannels',
      'pruneLayers',
      'pruneSweep',
      'showRuntimeStatus',
      'synthesizeWeights',
      'finetune',
      'sparsityTrain',
      'train',
    ].sort(),
  );
});

test('untrusted: every job command refuses with a message naming it, and starts nothing', () => {
  const { handlers, ran } = recordingHandlers();
  const f = fakePort(false);
  const guarded = guardJobCommands(handlers, f.port);
  for (const name of jobNames) assert.equal(guarded[name](), undefined, name);
  assert.deepEqual(ran, []);
  assert.equal(f.warnings.length, jobNames.length);
  assert.match(
    f.warnings[0],
    /^Prune Channels runs the darknet-pruner command line, which Restricted Mode does not allow\. Trust this workspace to run pruning jobs\. \[Manage Workspace Trust\]$/,
  );
  assert.match(f.warnings[1], /^Prune Layers runs/);
  assert.match(f.warnings[2], /^Pruning Sweep runs/);
  assert.match(f.warnings[3], /^Show Runtime Status runs/);
  assert.match(f.warnings[4], /^Synthesize Weights runs/);
  assert.match(f.warnings[5], /^Export to ONNX runs/);
  for (const title of ['Train', 'Sparsity Train', 'Fine-tune'])
    assert.ok(
      f.warnings.some((w) => w.startsWith(`${title} runs the darknet-pruner command line`)),
      title,
    );
  assert.match(f.warnings[6], /^Export to OpenVINO runs/);
  assert.match(f.warnings[7], /^Benchmark runs/);
  assert.match(f.warnings[8], /^Detect Objects in Image runs/);
  assert.match(f.warnings[12], /^Install ML Runtimes runs/);
});

test('untrusted: the other commands run as usual, with their arguments', () => {
  const { handlers, ran } = recordingHandlers();
  const guarded = guardJobCommands(handlers, fakePort(false).port);
  const others = (Object.keys(COMMANDS) as CommandName[]).filter((n) => !jobNames.includes(n));
  for (const name of others) assert.equal(guarded[name]('arg'), name);
  assert.deepEqual(
    ran.map((r) => r.name),
    others,
  );
  assert.deepEqual(ran[0].args, ['arg']);
});

test('untrusted: choosing Manage Workspace Trust opens the trust editor', async () => {
  const { handlers } = recordingHandlers();
  const f = fakePort(false, MANAGE_TRUST);
  guardJobCommands(handlers, f.port).pruneSweep();
  await f.settled;
  assert.equal(f.managed(), 1);
});

test('trusted: job commands run with their arguments and nothing is shown', () => {
  const { handlers, ran } = recordingHandlers();
  const f = fakePort(true);
  const guarded = guardJobCommands(handlers, f.port);
  assert.equal(guarded.pruneChannels('cfg', 'weights', 0.5, 0.01), 'pruneChannels');
  assert.deepEqual(ran, [{ name: 'pruneChannels', args: ['cfg', 'weights', 0.5, 0.01] }]);
  assert.deepEqual(f.warnings, []);
});

test('the Node for jobs: the setting when trusted, only the user value when not', () => {
  const config = (values: { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }) => ({
    get: <T>(key: string) =>
      key === 'pruner.nodePath' ? ((values.workspaceFolderValue ?? values.workspaceValue ?? values.globalValue) as T) : undefined,
    inspect: <T>(key: string) => (key === 'pruner.nodePath' ? ({ key, defaultValue: '' as T, ...values } as never) : undefined),
  });
  const both = config({ globalValue: '/usr/bin/node-gpu', workspaceValue: './evil-node' });
  assert.equal(jobNodePath(both, true), './evil-node');
  assert.equal(jobNodePath(both, false), '/usr/bin/node-gpu');
  assert.equal(jobNodePath(config({ workspaceFolderValue: './evil-node' }), false), '');
  assert.equal(jobNodePath(config({}), true), '');
  assert.equal(jobNodePath(config({ globalValue: 42 }), false), '', 'a malformed value falls back to the default');
});
