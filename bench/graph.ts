// Network graph panel in real Chromium (playwright-core with /usr/bin/chromium, as the e2e harness
// drives it), fed by the real language server (node server/out/server.js --stdio), which lays the
// graph out (core/src/lang/graph-layout.ts):
//   1. yolov4.cfg (162 layers) laid out and painted (target < 300 ms), each time in a fresh server
//      process and a fresh page — from darknet/networkGraph sent to the frame after the SVG is in
//      the document: as a user meets it (the cfg open in the editor; the server's worker laid the
//      graph out in the background at the open), and the worst case (asked at once with the open,
//      so the worker's start and its first, cold dagre run are in the figure); and the fresh page's
//      main-thread CPU time from a trace (what other processes' load inflates least);
//   2. an edit reflected in the graph — from didChange sent to the frame showing the new graph,
//      through the server's analysis (default 50 ms debounce), darknet/networkGraph with its layout
//      (kept when no edge changed) and the panel's paint (target < 200 ms); for a `filters=` edit
//      (same structure) and a `layers=` edit (new edges).
// VS Code's own message passing (extension host ↔ webview) is not in these figures.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import type { NetworkGraph } from '../core/src/protocol/graph';
import { NetworkGraphRequest } from '../core/src/protocol/lsp';
import { LspClient, find } from '../test/lsp/client';
import { REPO, stats } from './lib/bundle';

const CFG = join(REPO, '..', 'shared', 'corpus', 'cfg', 'yolov4.cfg');
const LAYOUT_TARGET_MS = 300;
const EDIT_TARGET_MS = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

// The theme variables the panel's stylesheet uses (VS Code sets them on the webview's <html>).
const THEME = `:root { --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e; --vscode-panel-border: #444; --vscode-descriptionForeground: #999;
  --vscode-charts-blue: #3794ff; --vscode-charts-red: #f14c4c; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616; --vscode-charts-purple: #b180d7;
  --vscode-charts-yellow: #cca700; --vscode-focusBorder: #007fd4; --vscode-editorWidget-background: #252526; --vscode-font-family: sans-serif; }`;

async function panelPage(page: Page, script: string): Promise<void> {
  const css = readFileSync(join(REPO, 'webviews', 'media', 'panel.css'), 'utf8');
  // tsx keeps function names with a __name helper, which functions passed to evaluate() then call.
  await page.setContent(`<!DOCTYPE html><html><head><style>${THEME}\n${css}</style></head><body><main id="app"></main></body></html>`);
  await page.evaluate('globalThis.__name = (f) => f');
  await page.evaluate(() => {
    const w = window as unknown as { acquireVsCodeApi: () => unknown; posted: unknown[] };
    w.posted = [];
    let state: unknown;
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.posted.push(m),
      getState: () => state,
      setState: (s: unknown) => {
        state = s;
      },
    });
  });
  await page.addScriptTag({ content: script });
}

/** Posts a graph to the panel and resolves with the ms until the frame after it is in the SVG. */
function showGraph(page: Page, graph: NetworkGraph): Promise<number> {
  return page.evaluate(
    (g) =>
      new Promise<number>((resolve) => {
        const t0 = performance.now();
        window.postMessage({ type: 'graph', view: g, context: {} }, '*');
        const check = () => {
          if (document.querySelector(`svg.graph[data-version="${g.version}"]`))
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
          else requestAnimationFrame(check);
        };
        check();
      }),
    graph,
  );
}

/** Thread time of the renderer main thread's tasks in a trace (ms). */
function mainThreadCpuMs(trace: Buffer): number {
  type Ev = { name: string; ph: string; pid: number; tid: number; tdur?: number; args?: { name?: string } };
  const events = (JSON.parse(trace.toString()) as { traceEvents: Ev[] }).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  return events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main?.pid && e.tid === main?.tid)
    .reduce((sum, e) => sum + (e.tdur ?? 0) / 1000, 0);
}

async function main(): Promise<void> {
  const bundle = await build({
    entryPoints: [join(REPO, 'webviews/src/graph.ts')],
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0].text;
  const text = readFileSync(CFG, 'utf8');
  const uri = 'file:///bench/yolov4.cfg';
  const browser = await chromium.launch({
    executablePath: process.env.DARKNET_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const servers: LspClient[] = [];
  const server = async () => {
    const c = await LspClient.start({ settings: { diagnostics: { debounceMs: 50 } } });
    servers.push(c);
    return c;
  };
  try {
    /** A fresh server: the graph asked right after the open (cold), or once the open is done. */
    const openGraph = async (cold: boolean): Promise<{ graph: NetworkGraph; ms: number }> => {
      const c = await server();
      let t0 = performance.now();
      const opened = c.open(uri, text);
      if (!cold) {
        await opened;
        // the first answer waits for the layout the open started in the background
        await c.conn.sendRequest(NetworkGraphRequest, { uri });
        t0 = performance.now();
      }
      const graph = (await c.conn.sendRequest(NetworkGraphRequest, { uri }))!;
      const ms = performance.now() - t0;
      await c.stop();
      return { graph, ms };
    };
    const opens = { user: { server: [] as number[], total: [] as number[] }, cold: { server: [] as number[], total: [] as number[] } };
    const paintMs: number[] = [];
    let graph: NetworkGraph | undefined;
    for (let i = 0; i < RUNS; i++)
      for (const kind of ['user', 'cold'] as const) {
        const o = await openGraph(kind === 'cold');
        graph = o.graph;
        const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
        await panelPage(page, script);
        const panel = await showGraph(page, o.graph);
        if (kind === 'user')
          paintMs.push(await page.evaluate(() => performance.getEntriesByType('measure').find((e) => e.name === 'graph-paint')!.duration));
        opens[kind].server.push(o.ms);
        opens[kind].total.push(o.ms + panel);
        await page.close();
      }
    console.log(
      `yolov4.cfg: ${graph!.nodes.length} layers, ${graph!.edges.length} edges; load average ${loadavg()[0].toFixed(1)} on this machine`,
    );
    // A fresh page traced: the CPU time of the page's main thread (trace events' thread time), which
    // other processes' load inflates far less than the wall-clock figures.
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await panelPage(page, script);
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await showGraph(page, graph!);
      cpu.push(mainThreadCpuMs(await browser.stopTracing()));
      await page.close();
    }
    const verdict = (ms: number, target: number) => `${ms < target ? 'met' : 'NOT met'} (target ${target} ms)`;
    const med = (xs: number[]) => stats(xs).median.toFixed(0);
    const u = stats(opens.user.total),
      c = stats(opens.cold.total);
    console.log(
      `open, cfg open in the editor  median ${u.median.toFixed(0)} ms  min ${u.min.toFixed(0)} ms  (server ${med(opens.user.server)} ms, panel script ${med(paintMs)} ms)  → ${verdict(u.median, LAYOUT_TARGET_MS)}`,
    );
    console.log(
      `open, asked with the open     median ${c.median.toFixed(0)} ms  min ${c.min.toFixed(0)} ms  (server incl. the worker's first dagre run ${med(opens.cold.server)} ms)  → ${verdict(c.median, LAYOUT_TARGET_MS)}`,
    );
    console.log(`      main-thread CPU, fresh page median ${med(cpu)} ms  min ${stats(cpu).min.toFixed(0)} ms`);

    const client = await server();
    await client.open(uri, text);
    // Edits through the server into one page.
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    await panelPage(page, script);
    await showGraph(page, (await client.conn.sendRequest(NetworkGraphRequest, { uri }))!);
    const lines = text.split('\n');
    let version = 1;
    const edit = async (
      line: number,
      next: string,
    ): Promise<{ total: number; server: number; panel: number; js: number; edges: number }> => {
      const old = lines[line];
      lines[line] = next;
      version++;
      const t0 = performance.now();
      const published = client.nextDiagnostics(uri, (p) => p.version === version);
      await client.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: next }]);
      await published;
      const g = (await client.conn.sendRequest(NetworkGraphRequest, { uri }))!;
      const server = performance.now() - t0;
      const panel = await showGraph(page, g);
      const js = await page.evaluate(() => performance.getEntriesByType('measure').at(-1)!.duration);
      // The graph's trip into the page through the DevTools protocol is left out (VS Code posts it).
      return { total: server + panel, server, panel, js, edges: g.edges.length };
    };
    const filtersLine = find(text, 'filters=64').line;
    const routeLine = lines.findIndex((l, i) => i > lines.length / 2 && /^layers\s*=\s*-1,\s*-\d+$/.test(l.trim()));
    const routeText = lines[routeLine];
    const same: number[] = [],
      sameServer: number[] = [],
      structural: number[] = [],
      structuralServer: number[] = [],
      sameJs: number[] = [],
      structuralJs: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      const s = await edit(filtersLine, i % 2 ? 'filters=64' : 'filters=48');
      same.push(s.total);
      sameServer.push(s.server);
      sameJs.push(s.js);
      const r = await edit(routeLine, i % 2 ? routeText : 'layers=-1,-2');
      structural.push(r.total);
      structuralServer.push(r.server);
      structuralJs.push(r.js);
    }
    const s = stats(same),
      r = stats(structural);
    console.log(
      `edit filters= (same edges)     median ${s.median.toFixed(0)} ms (server incl. 50 ms debounce ${stats(sameServer).median.toFixed(0)} ms, panel script ${stats(sameJs).median.toFixed(0)} ms)  → ${verdict(s.median, EDIT_TARGET_MS)}`,
    );
    console.log(
      `edit layers= (edge moves)      median ${r.median.toFixed(0)} ms (server incl. 50 ms debounce ${stats(structuralServer).median.toFixed(0)} ms, panel script ${stats(structuralJs).median.toFixed(0)} ms)  → ${verdict(r.median, EDIT_TARGET_MS)}`,
    );
  } finally {
    await browser.close();
    for (const c of servers) await c.stop().catch(() => undefined);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
