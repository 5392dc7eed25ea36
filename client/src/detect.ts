// Content-based detection of Darknet cfgs. VS Code consults a language's `firstLine` only when no
// extension or pattern claims the file, and the built-in `properties` language claims `.cfg`, so
// a `.cfg` whose name matches none of our patterns would open as Properties even when it starts
// with `[net]`. The client therefore re-checks such documents itself (once per document).

/** Same regex as package.json contributes.languages[darknet-cfg].firstLine (checked by a test). */
export const FIRST_LINE = /^\s*\[\s*(net|network)\s*\]\s*$/;

/** Languages VS Code may have picked for a `.cfg` file before our patterns or first line got a say. */
export const GENERIC_CFG_LANGUAGES: readonly string[] = ['properties', 'ini', 'plaintext'];

export function firstLineOf(text: string): string {
  const nl = text.search(/\r|\n/);
  return (nl < 0 ? text : text.slice(0, nl)).replace(/^\uFEFF/, '');
}

/** A document VS Code opened with a generic language that is in fact a Darknet cfg. */
export function looksLikeMisdetectedCfg(languageId: string, fileName: string, firstLine: string): boolean {
  return GENERIC_CFG_LANGUAGES.includes(languageId) && /\.cfg$/i.test(fileName) && FIRST_LINE.test(firstLine);
}
