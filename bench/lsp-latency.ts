// Edit → publishDiagnostics latency through the real language server (node server/out/server.js
// --stdio) on the largest corpus cfg: with darknet.diagnostics.debounceMs 0 and with the default 50.
// Target: under 10 ms from edit to diagnostics (the debounce itself excluded).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { LspClient } from '../test/lsp/client';
import { stats } from './lib/bundle';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const CFG_DIR = join(CORPUS, 'cfg');
const TARGET_MS = 10;
const EDITS = Number(process.env.BENCH_EDITS ?? 200);

async function measure(debounceMs: number, name: string, text: string): Promise<number[]> {
  const client = await LspClient.start({ settings: { diagnostics: { debounceMs } } });
  try {
    const uri = `file:///bench/${name}`;
    await client.open(uri, text);
    await client.request('textDocument/documentSymbol', { textDocument: { uri } }); // settings are in force after this round trip
    // Edit a filters value of a different layer each time (each edit changes the analysis).
    const lines = text.split('\n');
    const filterLines = lines.map((l, i) => (/^filters=\d+$/.test(l) ? i : -1)).filter((i) => i >= 0);
    const current = new Map<number, string>();
    const times: number[] = [];
    for (let i = 0; i < EDITS + 20; i++) {
      const line = filterLines[(i * 7) % filterLines.length];
      const old = current.get(line) ?? lines[line];
      const next = old.endsWith('0') ? old.slice(0, -1) + '2' : old.slice(0, -1) + '0';
      current.set(line, next);
      const t0 = performance.now();
      const version = i + 2;
      const published = client.nextDiagnostics(uri, (p) => p.version === version);
      await client.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: next }]);
      await published;
      if (i >= 20) times.push(performance.now() - t0); // the first 20 warm the JIT
    }
    return times;
  } finally {
    await client.stop();
  }
}

async function main() {
  const largest = readdirSync(CFG_DIR)
    .filter((f) => f.endsWith('.cfg'))
    .sort((a, b) => statSync(join(CFG_DIR, b)).size - statSync(join(CFG_DIR, a)).size)[0];
  const text = readFileSync(join(CFG_DIR, largest), 'utf8');
  console.log(
    `edit → publishDiagnostics through the real server, ${largest} (${(text.length / 1024).toFixed(1)} KiB), ${EDITS} edits each, load average ${loadavg()[0].toFixed(1)}`,
  );
  for (const debounce of [0, 50]) {
    const s = stats(await measure(debounce, largest, text));
    const beyond = s.median - debounce;
    console.log(
      `debounceMs=${String(debounce).padEnd(3)} median ${s.median.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  min ${s.min.toFixed(2)} ms` +
        `  → ${beyond.toFixed(2)} ms beyond the debounce vs target ${TARGET_MS} ms (${(beyond / TARGET_MS).toFixed(2)}×, ${beyond < TARGET_MS ? 'met' : 'NOT met'})`,
    );
  }
}

void main();
