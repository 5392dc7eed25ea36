// Jobs as VS Code tasks (tasks.json: { "type": "darknet", "args": ["prune", "channel", …] }).

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobRunner } from './jobs';

export const TASK_TYPE = 'darknet';

interface DarknetTaskDefinition extends vscode.TaskDefinition {
  args: string[];
  cwd?: string;
}

export function registerTaskProvider(runner: JobRunner): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    provideTasks: () => [],
    resolveTask(task) {
      const def = task.definition as DarknetTaskDefinition;
      if (!Array.isArray(def.args)) return undefined;
      return makeTask(runner, def, task.scope ?? vscode.TaskScope.Workspace, task.name);
    },
  });
}

export function makeTask(
  runner: JobRunner,
  def: DarknetTaskDefinition,
  scope: vscode.TaskScope | vscode.WorkspaceFolder,
  name: string,
): vscode.Task {
  // Relative paths in the task are relative to its workspace folder (as for shell tasks).
  const folder = typeof scope === 'object' ? scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const cwd = def.cwd ? path.resolve(folder ?? '', def.cwd) : folder;
  return new vscode.Task(
    def,
    scope,
    name,
    'darknet',
    new vscode.CustomExecution(async () => {
      const writeEmitter = new vscode.EventEmitter<string>();
      const closeEmitter = new vscode.EventEmitter<number>();
      const cts = new vscode.CancellationTokenSource();
      const pty: vscode.Pseudoterminal = {
        onDidWrite: writeEmitter.event,
        onDidClose: closeEmitter.event,
        open: () => {
          writeEmitter.fire(`darknet-pruner ${def.args.join(' ')}\r\n`);
          void runner
            .execute(
              { title: name, args: def.args, cwd },
              cts.token,
              () => undefined,
              (line) => writeEmitter.fire(line + '\r\n'),
            )
            .then((o) => {
              writeEmitter.fire(o.ok ? 'done\r\n' : `failed: ${o.error}\r\n`);
              closeEmitter.fire(o.ok ? 0 : 1);
            });
        },
        close: () => cts.cancel(),
      };
      return pty;
    }),
  );
}
