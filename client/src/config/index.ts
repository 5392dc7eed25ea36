// Reads the darknet.* settings (typed in ./settings) from VS Code.

import * as vscode from 'vscode';
import { CONFIG_SECTION } from '../constants';
import { jobNodePath, readSetting, type SettingKey, type SettingValue } from './settings';

export function setting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
  return readSetting(vscode.workspace.getConfiguration(CONFIG_SECTION, scope), key);
}

/** The Node executable for darknet-pruner jobs (undefined: the editor's own runtime). */
export function nodePathForJobs(): string | undefined {
  return jobNodePath(vscode.workspace.getConfiguration(CONFIG_SECTION), vscode.workspace.isTrusted) || undefined;
}
