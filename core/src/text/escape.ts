// Text from a cfg or a report (a cloned repository's) shown somewhere that interprets it: a
// terminal (escape sequences clear the screen or set the title), hover Markdown, code-lens titles.

// C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides and isolates
// that reorder what a reader sees.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');

/** Control characters as visible `\x1b` / `\u202e` escapes; tabs and line breaks stay. */
export const escapeControls = (s: string): string =>
  s.replace(CONTROLS, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${hex(c)}` : `\\u${hex(c).padStart(4, '0')}`));

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls in strings; DEL, C1 controls
 * and bidi overrides become \u escapes too (the same JSON value).
 */
export const jsonForTerminal = (value: unknown, space?: number): string =>
  JSON.stringify(value, null, space).replace(CONTROLS, (c) => `\\u${hex(c).padStart(4, '0')}`);

/** Literal text inside Markdown: every ASCII punctuation character CommonMark could read is escaped. */
export const escapeMarkdown = (s: string): string =>
  escapeControls(s)
    .replace(/[\\`*_{}[\]()<>#+\-.!|~&$:"']/g, '\\$&')
    .replace(/\s+/g, ' ');

/** Literal text in a code-lens title, where VS Code renders `$(name)` as an icon. */
export const escapeLensTitle = (s: string): string => escapeControls(s).replace(/\$\(/g, '\\$(').replace(/\s+/g, ' ');
