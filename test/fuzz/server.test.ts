// Mutated corpus cfgs sent to the real server as incremental edits: it answers every request and
// stays alive, and its copy of the text (checked through the outline) matches ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DocumentSymbol } from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { documentSymbols } from '../../core/src/lang/outline';
import { corpusCfgs, readCfg } from '../corpus';
import { LspClient } from '../lsp/client';
import { mutate, prng, randomPosition } from './mutate';

const EDITS = 300;

/** The smallest single replacement turning `a` into `b`, as an LSP change against `a`. */
function diffChange(a: string, b: string) {
  let s = 0;
  while (s < a.length && s < b.length && a.charCodeAt(s) === b.charCodeAt(s)) s++;
  let ea = a.length,
    eb = b.length;
  while (ea > s && eb > s && a.charCodeAt(ea - 1) === b.charCodeAt(eb - 1)) {
    ea--;
    eb--;
  }
  // Never split a \r\n pair (LSP treats it as one line break).
  if (s > 0 && a[s - 1] === '\r' && (a[s] === '\n' || b[s] === '\n')) s--;
  if (ea < a.length && a[ea] === '\n' && a[ea - 1] === '\r') {
    ea++;
    eb++;
  }
  const pos = (off: number) => {
    let line = 0,
      last = 0;
    for (let i = 0; i < off; i++) {
      const c = a.charCodeAt(i);
      if (c === 13 || c === 10) {
        if (c === 13 && a.charCodeAt(i + 1) === 10) i++;
        line++;
        last = i + 1;
      }
    }
    return { line, character: off - last };
  };
  return { range: { start: pos(s), end: pos(ea) }, text: b.slice(s, eb) };
}

test(`${EDITS} mutated documents through the real server: every request answered, server alive`, async () => {
  const rnd = prng(0xbadc0de);
  const client = await LspClient.start({ settings: { diagnostics: { debounceMs: 0 } } });
  try {
    const names = corpusCfgs().filter((n) => readCfg(n).length < 8000);
    let answered = 0;
    for (let d = 0; d < 6; d++) {
      const uri = `file:///fuzz/${d}-${names[d % names.length]}`;
      const original = readCfg(names[d % names.length]);
      let text = original;
      await client.open(uri, text);
      for (let i = 0; i < EDITS / 6; i++) {
        // Mutate from the original most of the time, so documents stay cfg-like.
        const next = mutate(rnd() < 0.7 ? original : text, rnd).text;
        await client.change(uri, [diffChange(text, next)]);
        text = next;
        const pos = randomPosition(text, rnd);
        const p = { textDocument: { uri }, position: pos };
        const lines = text.split(/\r\n|\r|\n/).length;
        const range = { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } };
        const replies = await Promise.all([
          client.request('textDocument/hover', p),
          client.request('textDocument/completion', p),
          client.request('textDocument/definition', p),
          client.request('textDocument/references', { ...p, context: { includeDeclaration: true } }),
          client.request('textDocument/inlayHint', { textDocument: { uri }, range }),
          client.request('textDocument/codeAction', {
            textDocument: { uri },
            range: { start: pos, end: pos },
            context: { diagnostics: [] },
          }),
          client.request('textDocument/codeLens', { textDocument: { uri } }),
          client.request('textDocument/foldingRange', { textDocument: { uri } }),
          client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } }),
        ]);
        answered += replies.length;
        // Incremental sync kept the server's text equal to ours (checked every fifth edit: it costs an analysis here).
        if (i % 5 !== 4) continue;
        const symbols = replies[8] as DocumentSymbol[];
        assert.deepEqual(
          symbols.map((s) => s.name),
          documentSymbols(analyseText(text)).map((s) => s.name),
          `document ${d}, edit ${i}`,
        );
      }
      await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
    assert.ok(client.alive, 'server alive');
    assert.equal(answered, 9 * 6 * Math.floor(EDITS / 6));
    assert.ok(!client.stderr.join('').includes('Error'), client.stderr.join(''));
  } finally {
    await client.stop();
  }
});
