// The darknet.* settings: their types and defaults, in one table that package.json's
// contributes.configuration must match (test/client/manifest.test.ts checks both ways). The
// language server's own defaults (server/src/settings.ts) are the ones used here.
// No `vscode` import at run time, so tests can load it.

import type * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../../server/src/settings';

interface Setting<T> {
  type: T extends string ? 'string' : T extends number ? 'number' : 'boolean';
  default: T;
  enum?: readonly T[];
}
const setting = <T extends string | number | boolean>(s: Setting<T>): Setting<T> => s;

export const SETTINGS = {
  /** Read by vscode-languageclient itself (`${CLIENT_ID}.trace.server`). */
  'trace.server': setting<'off' | 'messages' | 'verbose'>({ type: 'string', default: 'off', enum: ['off', 'messages', 'verbose'] }),
  'diagnostics.debounceMs': setting<number>({ type: 'number', default: DEFAULT_SETTINGS.diagnostics.debounceMs }),
  'inlayHints.layerIndex': setting<boolean>({ type: 'boolean', default: DEFAULT_SETTINGS.inlayHints.layerIndex }),
  'inlayHints.outputShape': setting<boolean>({ type: 'boolean', default: DEFAULT_SETTINGS.inlayHints.outputShape }),
  'inlayHints.references': setting<boolean>({ type: 'boolean', default: DEFAULT_SETTINGS.inlayHints.references }),
  'codeLens.enable': setting<boolean>({ type: 'boolean', default: DEFAULT_SETTINGS.codeLens.enable }),
  detectByFirstLine: setting<boolean>({ type: 'boolean', default: true }),
  /** An executable: a restricted configuration (package.json capabilities.untrustedWorkspaces). */
  'pruner.nodePath': setting<string>({ type: 'string', default: '' }),
};

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['default'];

/** A setting's value, or its default when unset or not of the declared type. */
export function readSetting<K extends SettingKey>(config: Pick<vscode.WorkspaceConfiguration, 'get'>, key: K): SettingValue<K> {
  const s: Setting<string | number | boolean> = SETTINGS[key];
  const v = config.get<unknown>(key);
  const ok = typeof v === s.type && (s.type !== 'number' || Number.isFinite(v)) && (!s.enum || s.enum.includes(v as string));
  return (ok ? v : s.default) as SettingValue<K>;
}

/**
 * The Node executable for jobs: the setting, but in an untrusted workspace only its user (machine)
 * value — never a path from the workspace's own settings. Empty: the editor's runtime.
 */
export function jobNodePath(config: Pick<vscode.WorkspaceConfiguration, 'get' | 'inspect'>, trusted: boolean): string {
  if (trusted) return readSetting(config, 'pruner.nodePath');
  const user = config.inspect<unknown>('pruner.nodePath')?.globalValue;
  return typeof user === 'string' ? user : SETTINGS['pruner.nodePath'].default;
}
