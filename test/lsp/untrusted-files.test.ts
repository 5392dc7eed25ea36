// Files of a cloned repository cannot exhaust or mislead the language server: a prune-report.json
// (or the original cfg it names) that is /dev/zero, a symlink to it or a 250 MB file is refused
// without being read (once, the refusal cached), file names from a report are escaped in hover
// Markdown and lens titles, and a route with 200k references is analysed like any other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeLens, Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { analyseText } from '../../core/src/cfg/analyse';
import { main } from '../../cli/main';
import { synthesizeWeights } from '../../core/src/weights/synth';
import { serializeWeights } from '../../core/src/weights/write';
import { readCfg } from '../corpus';
import { LspClient, find } from './client';

let dir: string, client: LspClient, model: string, prunedText: string;
const ALL = { start: { line: 0, character: 0 }, end: { line: 99999, character: 0 } };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dp-lsp-untrusted-'));
  const text = readCfg('yolov4-tiny.cfg');
  writeFileSync(join(dir, 'tiny.cfg'), text);
  const net = analyseText(text);
  writeFileSync(join(dir, 'tiny.weights'), serializeWeights(net, synthesizeWeights(net)));
  model = join(dir, 'model');
  const code = await main(
    ['prune', 'channel', join(dir, 'tiny.cfg'), join(dir, 'tiny.weights'), '--global-percent', '0.5', '-o', model, '--name', 'pruned'],
    { out: () => undefined, err: () => undefined },
  );
  assert.equal(code, 0);
  prunedText = readFileSync(join(model, 'pruned.cfg'), 'utf8');
  client = await LspClient.start();
});
after(async () => {
  await client?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the pruned model whose report's source.cfg is `source` (relative to the copy). */
function modelWithSource(name: string, source: string): string {
  const copy = join(dir, name);
  cpSync(model, copy, { recursive: true });
  const report = JSON.parse(readFileSync(join(copy, 'prune-report.json'), 'utf8')) as { source: { cfg: string } };
  report.source.cfg = source;
  writeFileSync(join(copy, 'prune-report.json'), JSON.stringify(report));
  return join(copy, 'pruned.cfg');
}

/** Peak resident memory of the server process (Linux). */
const peakRssMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${client.proc.pid}/status`, 'utf8'))![1]) / 1024;

async function prunedFeatures(cfgPath: string) {
  const uri = pathToFileURL(cfgPath).href;
  await client.open(uri, prunedText);
  const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri }, range: ALL });
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const hover = await client.request<Hover | null>('textDocument/hover', {
    textDocument: { uri },
    position: find(prunedText, '[convolutional]'),
  });
  return {
    prunedHints: hints.filter((h) => /^\d+ → \d+ \([−+]\d+%\)$/.test(typeof h.label === 'string' ? h.label : '')).length,
    titles: lenses.map((l) => l.command?.title ?? ''),
    hover: (hover?.contents as MarkupContent | undefined)?.value ?? '',
  };
}

const logsAbout = (needle: string) => client.logs.filter((m) => m.includes(needle));

test('a report naming /dev/zero as the original: refused from its fstat, the server keeps answering', async () => {
  const cfg = modelWithSource('zero-source', '/dev/zero');
  const f = await prunedFeatures(cfg);
  assert.equal(f.prunedHints, 0);
  assert.ok(!f.titles.some((t) => t.startsWith('Pruned from')), f.titles.join('\n'));
  assert.ok(f.hover.includes('**Layer 0'), 'the ordinary hover is still there');
  assert.deepEqual(logsAbout('/dev/zero'), ['darknet: not comparing with the original cfg: /dev/zero: not a regular file']);
  assert.ok(client.alive);
  assert.ok(peakRssMiB() < 300, `peak RSS ${peakRssMiB()} MiB`);
});

test('a prune-report.json that is a symlink to /dev/zero is not read', async () => {
  const copy = join(dir, 'zero-report');
  cpSync(model, copy, { recursive: true });
  rmSync(join(copy, 'prune-report.json'));
  symlinkSync('/dev/zero', join(copy, 'prune-report.json'));
  const f = await prunedFeatures(join(copy, 'pruned.cfg'));
  assert.equal(f.prunedHints, 0);
  assert.deepEqual(logsAbout(join(copy, 'prune-report.json')), [
    `darknet: ignoring a pruned-model report: ${join(copy, 'prune-report.json')}: not a regular file`,
  ]);
  assert.ok(client.alive);
  assert.ok(peakRssMiB() < 300, `peak RSS ${peakRssMiB()} MiB`);
});

test('an original of 250 MB is refused by its size, and the refusal is cached', async () => {
  const huge = join(dir, 'huge.cfg');
  writeFileSync(huge, '');
  truncateSync(huge, 250 * 2 ** 20); // sparse: no disk space, but 250 MB to whoever reads it
  const cfg = modelWithSource('huge-source', '../huge.cfg');
  const f = await prunedFeatures(cfg);
  assert.equal(f.prunedHints, 0);
  // inlay hints, code lens and hover each asked; the file was looked at once
  assert.deepEqual(logsAbout('huge.cfg'), [
    `darknet: not comparing with the original cfg: ${huge}: 250 MiB is more than the 2 MiB read from such a file`,
  ]);
  await client.request('textDocument/codeLens', { textDocument: { uri: pathToFileURL(cfg).href } });
  assert.equal(logsAbout('huge.cfg').length, 1);
  assert.ok(peakRssMiB() < 200, `peak RSS ${peakRssMiB()} MiB`);
});

test('file names from a report are escaped in hover Markdown and code-lens titles', async () => {
  const name = '**bold** [link](command:workbench.action.quit) $(alert).cfg';
  writeFileSync(join(dir, name), readCfg('yolov4-tiny.cfg'));
  const cfg = modelWithSource('odd-name', `../${name}`);
  const f = await prunedFeatures(cfg);
  assert.ok(f.prunedHints >= 5, 'the original was found');
  assert.match(
    f.hover,
    /\*\*Pruned\*\* from layer 0 of \\\*\\\*bold\\\*\\\* \\\[link\\\]\\\(command\\:workbench\\\.action\\\.quit\\\) \\\$\\\(alert\\\)\\\.cfg\n/,
  );
  assert.ok(!f.hover.includes('**bold**') && !f.hover.includes(']('), f.hover);
  const lens = f.titles.find((t) => t.startsWith('Pruned from'));
  assert.ok(lens?.startsWith('Pruned from **bold** [link](command:workbench.action.quit) \\$(alert).cfg: params'), lens);
});

test('a route with 200k references: diagnostics, symbols and hover still answer', async () => {
  const refs = Array.from({ length: 200_000 }, () => '-1').join(',');
  const text = `[net]\nwidth=32\nheight=32\nchannels=3\n[convolutional]\nfilters=4\nsize=1\nactivation=leaky\n[route]\nlayers=${refs}\n`;
  const uri = pathToFileURL(join(dir, 'wide-route.cfg')).href;
  const diags = await client.open(uri, text);
  assert.deepEqual(
    diags.diagnostics.filter((d) => d.severity === 1).map((d) => d.code),
    [],
  );
  const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(symbols.length, 3);
  const h = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 8, character: 1 } });
  assert.match((h.contents as MarkupContent).value, /800000/, 'the route concatenates 200k copies of 4 channels');
});
