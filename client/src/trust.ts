// Workspace trust. package.json declares `capabilities.untrustedWorkspaces` "limited": in Restricted
// Mode the language features work, but no command starts a darknet-pruner process (VS Code itself
// disables tasks there, and ignores a workspace's `darknet.pruner.nodePath`, a restricted
// configuration). https://code.visualstudio.com/api/extension-guides/workspace-trust

import { JOB_COMMANDS, type CommandName } from './constants';

/** What the guard needs from VS Code (vscode.workspace.isTrusted, a warning, the trust editor). */
export interface TrustPort {
  isTrusted(): boolean;
  warn(message: string, action: string): Thenable<string | undefined>;
  /** Opens the workspace trust editor (command workbench.trust.manage). */
  manage(): Thenable<unknown>;
}

export const MANAGE_TRUST = 'Manage Workspace Trust';

export function untrustedMessage(title: string): string {
  return `${title.replace(/…$/, '')} runs the darknet-pruner command line, which Restricted Mode does not allow. Trust this workspace to run pruning jobs.`;
}

/** True in a trusted workspace; otherwise says why the job does not run (without waiting for the user). */
export function ensureTrusted(port: TrustPort, title: string): boolean {
  if (port.isTrusted()) return true;
  void Promise.resolve(port.warn(untrustedMessage(title), MANAGE_TRUST)).then((pick) =>
    pick === MANAGE_TRUST ? port.manage() : undefined,
  );
  return false;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments are whatever VS Code or the caller passes
export type CommandHandlers = Record<CommandName, (...args: any[]) => unknown>;

/** The handlers with each job command refusing to start in an untrusted workspace. */
export function guardJobCommands(handlers: CommandHandlers, port: TrustPort): CommandHandlers {
  const guarded = { ...handlers };
  for (const [name, title] of Object.entries(JOB_COMMANDS) as [CommandName, string][]) {
    const run = handlers[name];
    guarded[name] = (...args: unknown[]) => (ensureTrusted(port, title) ? run(...args) : undefined);
  }
  return guarded;
}
