// Jobs as VS Code tasks: a `darknet` task in tasks.json runs darknet-pruner through the extension's
// task provider (CustomExecution + pseudoterminal) and writes its output.
import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../../core/src/cfg/analyse';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { VSCode, corpusDir, TEST_TIMEOUT, TIMEOUT } from './harness';

const cfgText = readFileSync(join(corpusDir, 'cfg', 'yolov3-tiny.cfg'), 'utf8');
const net = analyseText(cfgText);
const tasks = {
  version: '2.0.0',
  tasks: [
    {
      type: 'darknet',
      label: 'prune-tiny-60',
      args: [
        'prune',
        'channel',
        'models/yolov3-tiny.cfg',
        'models/yolov3-tiny.weights',
        '--global-percent',
        '0.6',
        '-o',
        'models/pruned-60',
      ],
      problemMatcher: [],
    },
  ],
};

let vs: VSCode;
before(async () => {
  vs = await VSCode.start({
    name: 'tasks',
    files: {
      'models/yolov3-tiny.cfg': cfgText,
      'models/yolov3-tiny.weights': serializeWeights(net, synthesizeWeights(net)),
      '.vscode/tasks.json': JSON.stringify(tasks, null, 2),
    },
  });
});
after(async () => {
  await vs?.close();
});

test('a darknet task from tasks.json runs the job and writes its output', { timeout: TEST_TIMEOUT }, async () => {
  try {
    await vs.openFile('models/yolov3-tiny.cfg');
    // The extension is active and its task provider registered: activate() registers the provider
    // before the language status item ({} in the status bar, only ours for darknet-cfg) is sent.
    await vs.page.locator('.statusbar-item[id="status.languageStatus"]').waitFor({ state: 'visible', timeout: TIMEOUT });
    // VS Code drops "Tasks: Run Task" silently until its terminal service is connected.
    await vs.waitForTaskService();
    await vs.runCommand('Tasks: Run Task');
    await vs.pickItem({ placeholder: 'Select the task to run' }, /prune-tiny-60/);
    await vs.waitForFiles('models/pruned-60', ['prune-report.json', 'yolov3-tiny-pruned.cfg', 'yolov3-tiny-pruned.weights']);
    await vs.page.locator('.terminal-wrapper, .xterm').first().waitFor({ state: 'visible', timeout: TIMEOUT });
    await vs.screenshot('task');
  } catch (e) {
    await vs.screenshot('task-FAILED').catch(() => undefined);
    throw e;
  }
});
