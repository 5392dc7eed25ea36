// The one place the webviews touch the UI component library (@vscode/webview-ui-toolkit, the
// customer's choice; deprecated upstream). Swapping to @vscode-elements/elements is a change to
// this file only: the panels use the tag names and helpers exported here.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeLink,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;
export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeDivider(),
    vsCodeLink(),
    vsCodeProgressRing(),
    vsCodeTextField(),
    vsCodeDataGrid(),
    vsCodeDataGridRow(),
    vsCodeDataGridCell(),
  );
}

export const TAG = {
  button: 'vscode-button',
  dropdown: 'vscode-dropdown',
  option: 'vscode-option',
  divider: 'vscode-divider',
  link: 'vscode-link',
  progress: 'vscode-progress-ring',
  textField: 'vscode-text-field',
} as const;

export function el<K extends keyof typeof TAG>(kind: K, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(TAG[kind]);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Value of a dropdown/text field regardless of the library. */
export function valueOf(e: HTMLElement): string {
  return (e as HTMLElement & { value: string }).value;
}
