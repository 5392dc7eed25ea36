// Lossless Darknet .cfg parser. It never throws: every line becomes a header, an option, a
// comment/blank line or a syntax problem, and every piece keeps its source range.
// Values are read the way darknet reads them: all whitespace inside the line is deleted.

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export interface CfgOption {
  /** Key as darknet sees it (whitespace removed). */
  key: string;
  /** Value as darknet sees it (whitespace removed); undefined when the line has no `=`. */
  value: string | undefined;
  line: number;
  keyRange: Range;
  /** Range of the value text in the source (empty range after `=` when the value is empty). */
  valueRange: Range;
  lineRange: Range;
  /** Offset in the source text of the value's first character. */
  valueOffset: number;
}

export interface CfgSection {
  /** Header text between the brackets, whitespace removed (`[ net ]` → `net`). */
  name: string;
  /** Whole stripped header line, e.g. `[net]#x`. */
  header: string;
  line: number;
  headerRange: Range;
  /** From the header to the last non-blank line before the next header. */
  range: Range;
  options: CfgOption[];
}

export type SyntaxProblemKind = 'option-before-section' | 'empty-value' | 'missing-equals' | 'bad-header';
export interface SyntaxProblem {
  kind: SyntaxProblemKind;
  range: Range;
  message: string;
}

export interface CfgDocument {
  text: string;
  /** Offset of the start of each line. */
  lineOffsets: number[];
  sections: CfgSection[];
  /** Options before the first section header (darknet crashes on these). */
  orphanOptions: CfgOption[];
  problems: SyntaxProblem[];
  /** The text starts with a UTF-8 BOM (U+FEFF); it is parsed as a space, keeping every position. */
  bom: boolean;
}

const WS = /[ \t\r\n\v\f]/g;

function splitLines(text: string): { offsets: number[]; lines: string[] } {
  const offsets = [0];
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 /* \n */ || ch === 13 /* \r */) {
      lines.push(text.slice(start, i));
      if (ch === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      offsets.push(start);
    }
  }
  lines.push(text.slice(start));
  return { offsets, lines };
}

/** Exactly JavaScript's `\s`, without a regular expression per character (this is the hot path). */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
function firstNonWs(s: string, from = 0): number {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}
function lastNonWsEnd(s: string, to = s.length): number {
  let i = to;
  while (i > 0 && isSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

export function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

export function parseCfg(text: string): CfgDocument {
  const { offsets, lines } = splitLines(text);
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) lines[0] = ' ' + lines[0].slice(1);
  const sections: CfgSection[] = [];
  const orphanOptions: CfgOption[] = [];
  const problems: SyntaxProblem[] = [];
  let current: CfgSection | undefined;
  let lastContentLine = -1;

  const closeCurrent = () => {
    if (current) {
      const endLine = Math.max(current.line, lastContentLine);
      current.range = range(current.line, 0, 0);
      current.range.end = { line: endLine, character: lines[endLine].length };
    }
  };

  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    const stripped = raw.replace(WS, '');
    if (stripped === '' || stripped[0] === '#' || stripped[0] === ';') continue;
    const s = firstNonWs(raw);
    const e = lastNonWsEnd(raw);
    const lineRange = range(ln, s, e);
    if (stripped[0] === '[') {
      closeCurrent();
      const close = stripped.indexOf(']');
      const name = close > 0 ? stripped.slice(1, close) : stripped.slice(1);
      current = { name, header: stripped, line: ln, headerRange: lineRange, range: lineRange, options: [] };
      sections.push(current);
      lastContentLine = ln;
      if (close < 0) problems.push({ kind: 'bad-header', range: lineRange, message: `Section header "${stripped}" has no closing "]"` });
      else if (close !== stripped.length - 1)
        problems.push({
          kind: 'bad-header',
          range: lineRange,
          message: `Text after "]" becomes part of the section name for darknet: "${stripped}" is not "[${name}]"`,
        });
      continue;
    }
    lastContentLine = ln;
    const eq = raw.indexOf('=');
    let opt: CfgOption;
    if (eq < 0) {
      opt = {
        key: stripped,
        value: undefined,
        line: ln,
        keyRange: lineRange,
        valueRange: range(ln, e, e),
        lineRange,
        valueOffset: offsets[ln] + e,
      };
      problems.push({ kind: 'missing-equals', range: lineRange, message: `"${stripped}" has no "=": darknet ignores the line` });
    } else {
      const keyEnd = lastNonWsEnd(raw, eq);
      const vs = firstNonWs(raw, eq + 1);
      const ve = Math.max(vs, e);
      const value = raw.slice(eq + 1).replace(WS, '');
      opt = {
        key: raw.slice(0, eq).replace(WS, ''),
        value,
        line: ln,
        keyRange: range(ln, s, Math.max(s, keyEnd)),
        valueRange: range(ln, vs, ve),
        lineRange,
        valueOffset: offsets[ln] + vs,
      };
      if (value === '')
        problems.push({
          kind: 'empty-value',
          range: lineRange,
          message: `"${opt.key}=" has no value: darknet drops the line and uses the default`,
        });
    }
    if (current) current.options.push(opt);
    else {
      orphanOptions.push(opt);
      problems.push({
        kind: 'option-before-section',
        range: lineRange,
        message: `Option "${opt.key}" comes before the first section header: darknet crashes on this`,
      });
    }
  }
  closeCurrent();
  return { text, lineOffsets: offsets, sections, orphanOptions, problems, bom };
}

/** First occurrence wins, as in darknet; keys without a value or with an empty value count as absent. */
export function findOption(section: CfgSection, key: string): CfgOption | undefined {
  for (const o of section.options) if (o.key === key && o.value !== undefined && o.value !== '') return o;
  return undefined;
}

export function contains(r: Range, p: Position): boolean {
  const afterStart = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const beforeEnd = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return afterStart && beforeEnd;
}
