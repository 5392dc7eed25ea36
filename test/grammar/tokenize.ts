// Tokenizes text with the committed grammar through vscode-textmate + vscode-oniguruma (the engine
// VS Code uses), resolved through vscode-tmgrammar-test, which depends on both.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { GRAMMAR_PATH, SCOPE_NAME } from '../../scripts/grammar';

export interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface TmGrammar {
  tokenizeLine(line: string, stack: unknown): { tokens: Token[]; ruleStack: unknown };
}
interface TextMate {
  INITIAL: unknown;
  Registry: new (opts: object) => { loadGrammar(scope: string): Promise<TmGrammar | null> };
  parseRawGrammar(content: string, path: string): unknown;
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (p: string[]) => unknown;
  OnigString: new (s: string) => unknown;
}

const req = createRequire(require.resolve('vscode-tmgrammar-test/package.json'));
let grammar: Promise<TmGrammar> | undefined;

function load(): Promise<TmGrammar> {
  const tm = req('vscode-textmate') as TextMate;
  const onig = req('vscode-oniguruma') as Oniguruma;
  const wasm = readFileSync(join(req.resolve('vscode-oniguruma'), '..', 'onig.wasm'));
  const onigLib = onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer).then(() => ({
    createOnigScanner: (p: string[]) => new onig.OnigScanner(p),
    createOnigString: (s: string) => new onig.OnigString(s),
  }));
  const path = join(REPO, GRAMMAR_PATH);
  const registry = new tm.Registry({ onigLib, loadGrammar: async () => tm.parseRawGrammar(readFileSync(path, 'utf8'), path) });
  return registry.loadGrammar(SCOPE_NAME).then((g) => {
    if (!g) throw new Error(`cannot load ${SCOPE_NAME}`);
    return g;
  });
}

/** Tokens of every line of `text`. */
export async function tokenizeLines(text: string): Promise<Token[][]> {
  grammar ??= load();
  const g = await grammar;
  const tm = req('vscode-textmate') as TextMate;
  let stack = tm.INITIAL;
  return text.split(/\r\n|\r|\n/).map((line) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens;
  });
}

/** Scopes of the token covering `character` on a line. */
export function scopesAt(tokens: Token[], character: number): string[] {
  return tokens.find((t) => t.startIndex <= character && character < t.endIndex)?.scopes ?? [];
}
