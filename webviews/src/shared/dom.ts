// Small DOM and formatting helpers shared by the panels.

export interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}
declare function acquireVsCodeApi<S>(): VsCodeApi<S>;
export const vscodeApi = <S>(): VsCodeApi<S> => acquireVsCodeApi<S>();

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** 1234567 → 1,234,567 (not toLocaleString: its first call loads the locale data, which shows in a panel's open time). */
export function fmtInt(n: number): string {
  const s = String(Math.round(n));
  let out = '';
  for (let i = 0; i < s.length; i++) out += (i > 0 && s[i - 1] !== '-' && (s.length - i) % 3 === 0 ? ',' : '') + s[i];
  return out;
}
export const fmtBytes = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`);
export const pctChange = (before: number, after: number): string =>
  before > 0 ? `${(((after - before) / before) * 100).toFixed(1)}%` : '—';

/** Colours from the VS Code theme (CSS variables). */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}
