// The repository explains itself: every document a code comment cites is a file of this repository
// (docs/ or the root), written in the project's own words — never a design note outside it
// (/work/shared, ../shared/design). A cited section (`docs/pruning.md §Threshold`) must be a heading
// of that document. The same holds for the documents themselves (docs/*.md, README.md).
// Comments are found with the TypeScript parser's help (`//` inside a string, regex or template is
// not a comment); in shell scripts they are the `#` lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const REPO = resolve(__dirname, '..', '..');
const SOURCE_ROOTS = ['core/src', 'cli', 'server/src', 'client/src', 'webviews/src', 'scripts', 'bench'];
const SKIP_DIRS = new Set(['node_modules', 'out', '.git']);
const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
};
const LITERAL_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.JsxText,
]);
/** Places outside the repository where design notes used to live; no comment or document may point there. */
const OUTSIDE = /\/work\/shared\b|shared\/design\b/;
/** A cited document: an optional path, then a name ending in .md. URLs are matched first and skipped. */
const CITATION = /https?:\/\/\S+|((?:\.{1,2}\/|[\w.-]+\/)*)\b([\w-]+\.md)\b/g;
/** One section label after a citation: up to a separator, a closing bracket, a sentence end, or the next §. */
const LABEL = /^\s*(?:,|;|and)?\s*§([^§,;:()\n]+?)(?=\s+and\s+§|\s*[,;:()§]|\.(?:[\s)\]]|$)|\s*$)/;

interface Comment {
  file: string;
  line: number;
  text: string;
}
interface Problem {
  where: string;
  message: string;
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!SKIP_DIRS.has(name)) walk(p, out);
    } else out.push(p);
  }
}

function sourceFiles(): string[] {
  const out: string[] = [];
  for (const root of SOURCE_ROOTS) walk(join(REPO, root), out);
  return out.filter((f) => extname(f) in SCRIPT_KINDS || f.endsWith('.sh'));
}

/** Comment text without its markers; consecutive `//` lines are one comment (wrapped citations). */
function commentsOf(file: string): Comment[] {
  const text = readFileSync(file, 'utf8');
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0,
      hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  if (file.endsWith('.sh')) {
    const out: Comment[] = [];
    text.split('\n').forEach((l, i) => {
      const t = l.trim();
      if (!t.startsWith('#') || t.startsWith('#!')) return;
      const prev = out[out.length - 1];
      const body = t.replace(/^#+\s?/, '');
      if (prev && prev.line + prev.text.split('\n').length === i + 1) prev.text += `\n${body}`;
      else out.push({ file, line: i + 1, text: body });
    });
    return out;
  }
  // The parser knows where strings, templates and regular expressions are; outside them, `//` and
  // `/*` start comments.
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, SCRIPT_KINDS[extname(file)]);
  const literals: [number, number][] = [];
  const visit = (node: ts.Node) => {
    if (LITERAL_KINDS.has(node.kind)) literals.push([node.getStart(sf), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  literals.sort((a, b) => a[0] - b[0]);
  const ranges: { pos: number; end: number; line: boolean }[] = [];
  for (let i = 0, k = 0; i < text.length;) {
    while (k < literals.length && literals[k][1] <= i) k++;
    if (k < literals.length && literals[k][0] <= i) {
      i = literals[k][1];
      continue;
    }
    if (text[i] === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      ranges.push({ pos: i, end, line: true });
      i = end;
    } else if (text[i] === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? text.length : close + 2;
      ranges.push({ pos: i, end, line: false });
      i = end;
    } else i++;
  }
  const out: { pos: number; end: number; text: string }[] = [];
  for (const r of ranges) {
    const raw = text.slice(r.pos, r.end);
    const body = r.line
      ? raw.replace(/^\/\/\/?\s?/, '')
      : raw
          .replace(/^\/\*+/, '')
          .replace(/\*+\/$/, '')
          .split('\n')
          .map((l) => l.replace(/^\s*\*?\s?/, ''))
          .join('\n');
    const prev = out[out.length - 1];
    if (prev && r.line && /^[ \t]*\r?\n[ \t]*$/.test(text.slice(prev.end, r.pos))) {
      prev.text += `\n${body}`;
      prev.end = r.end;
    } else out.push({ pos: r.pos, end: r.end, text: body });
  }
  return out.map((c) => ({ file, line: lineOf(c.pos), text: c.text }));
}

/** The repository file a citation names, or undefined. Exact case, inside the repository only. */
function resolveCitation(path: string, name: string, from: string): string | undefined {
  const exists = (p: string): boolean => {
    const rel = relative(REPO, p);
    if (rel.startsWith('..') || rel.split(sep).some((s) => SKIP_DIRS.has(s))) return false;
    try {
      return readdirSync(dirname(p)).includes(p.slice(dirname(p).length + 1)) && statSync(p).isFile();
    } catch {
      return false;
    }
  };
  const candidates = path
    ? [join(REPO, path, name), join(dirname(from), path, name)]
    : [join(REPO, 'docs', name), join(REPO, name), join(dirname(from), name)];
  return candidates.find(exists);
}

const headingCache = new Map<string, string[]>();
/** Names a section can be cited by: the heading, and its part before " (" or ":" (backticks removed). */
function sectionNames(doc: string): string[] {
  let names = headingCache.get(doc);
  if (!names) {
    names = [];
    for (const line of readFileSync(doc, 'utf8').split('\n')) {
      const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (!m) continue;
      const h = m[1].replace(/`/g, '').trim();
      names.push(h, h.split(' (')[0].trim(), h.split(':')[0].trim());
    }
    headingCache.set(doc, names);
  }
  return names;
}

/** Problems in one piece of text: outside references, missing documents, unknown sections. */
function checkText(text: string, where: string, from: string, self?: string): Problem[] {
  const problems: Problem[] = [];
  const flat = text.replace(/`/g, '').replace(/\s+/g, ' ');
  const outside = OUTSIDE.exec(flat);
  if (outside) problems.push({ where, message: `refers to "${outside[0]}", outside the repository: cite a document under docs/ instead` });
  const claimed = new Set<number>();
  const checkLabels = (doc: string, after: number) => {
    let pos = after;
    for (let m = LABEL.exec(flat.slice(pos)); m; m = LABEL.exec(flat.slice(pos))) {
      const label = m[1].trim();
      claimed.add(pos + m[0].indexOf('§'));
      if (!sectionNames(doc).includes(label)) {
        problems.push({ where, message: `cites §${label} of ${relative(REPO, doc)}, which has no such heading` });
      }
      pos += m[0].length;
    }
  };
  for (const m of flat.matchAll(CITATION)) {
    if (m[2] === undefined) continue; // a URL
    const cited = `${m[1]}${m[2]}`;
    const doc = resolveCitation(m[1], m[2], from);
    if (!doc) {
      problems.push({ where, message: `cites ${cited}, which is not a file of this repository (docs/ or the root)` });
      continue;
    }
    if (doc.endsWith('.md')) checkLabels(doc, m.index! + m[0].length);
  }
  // In a document, a § not attached to a citation names one of its own sections.
  if (self) {
    for (const m of flat.matchAll(/§/g)) if (!claimed.has(m.index!)) checkLabels(self, m.index!);
  }
  return problems;
}

const report = (ps: Problem[]) => ps.map((p) => `${p.where}: ${p.message}`).join('\n');

test('code comments cite only documents of this repository, and sections those documents have', () => {
  const files = sourceFiles();
  assert.ok(files.length > 100, `expected the project's sources, found ${files.length} files`);
  // Only a file that mentions a .md file or an outside path can fail; the others need no parsing.
  const candidates = files.filter((f) => /\.md\b|shared\/design|\/work\/shared/.test(readFileSync(f, 'utf8')));
  const problems = candidates.flatMap((f) => commentsOf(f).flatMap((c) => checkText(c.text, `${relative(REPO, f)}:${c.line}`, f)));
  assert.equal(report(problems), '', 'cite docs/… (docs/pruning.md §Threshold), never design notes outside the repository');
});

test('documents cite only documents of this repository, and sections those documents have', () => {
  const docs = [
    join(REPO, 'README.md'),
    ...readdirSync(join(REPO, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(REPO, 'docs', f)),
  ];
  const problems = docs.flatMap((d) => {
    const paragraphs = readFileSync(d, 'utf8').split(/\n\s*\n/);
    let line = 1;
    return paragraphs.flatMap((p) => {
      const where = `${relative(REPO, d)}:${line}`;
      line += p.split('\n').length + 1;
      return checkText(p, where, d, d);
    });
  });
  assert.equal(report(problems), '');
});

test('the checker catches what it is for', () => {
  const file = join(REPO, 'core/src/example.ts');
  const messages = (text: string, self?: string) => checkText(text, 'x', file, self).map((p) => p.message);
  assert.deepEqual(messages('the threshold index (docs/pruning.md §Threshold, §Masks)'), []);
  assert.deepEqual(messages('see docs/evaluation.md §Protocol and §Reference protocols.'), []);
  assert.deepEqual(messages('(the reference NMS instead: docs/evaluation.md §Protocol.)'), []);
  assert.deepEqual(messages('layer semantics (docs/network.md §Layer semantics (legacy reorg)), verbatim'), []);
  assert.deepEqual(messages('https://github.com/onnx/onnx/blob/main/docs/Versioning.md'), []);
  assert.match(messages('design: ../shared/design/RUNTIMES.md').join('\n'), /outside the repository[\s\S]*not a file of this repository/);
  assert.match(messages('as /work/shared/design/pruning.md says').join('\n'), /outside the repository/);
  assert.match(messages('(RUNTIMES.md)').join(), /RUNTIMES\.md, which is not a file/);
  assert.match(messages('(pruning.md §C.0)').join(), /§C\.0 of docs\/pruning\.md, which has no such heading/);
  assert.match(messages('(docs/pruning.md §Nonexistent section)').join(), /§Nonexistent section/);
  assert.match(messages('(core/src/cli/notes.md)').join(), /core\/src\/cli\/notes\.md, which is not a file/);
  assert.deepEqual(messages('a self reference (§Threshold)', join(REPO, 'docs/pruning.md')), []);
  assert.match(messages('a self reference (§Nope)', join(REPO, 'docs/pruning.md')).join(), /§Nope/);

  const comments = commentsOf(join(REPO, 'test/docs/citations.test.ts'));
  assert.ok(comments[0].text.includes('The repository explains itself'), 'the header comment is read');
  assert.ok(!comments.some((c) => c.text.includes('/onnx/onnx/blob')), 'text inside strings is not a comment');
});
