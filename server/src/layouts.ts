// The graph panel's layouts, made in a worker thread (./layoutWorker.ts): dagre takes a quarter of a
// second on yolov4 and seconds on a network of thousands of layers, which must not hold up
// diagnostics, hovers or completions; the worker stays warm between layouts (docs/network-graph.md
// §Performance). Each document's last graph is kept: the next one keeps its layout where the edit
// allows, and a graph with the same layers and edges reuses it without asking the worker.
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { structureKey, type LaidOut, type Structure } from '../../core/src/lang/graph-layout';
import type { GraphLayout } from '../../core/src/protocol/graph';
import { startWorker } from '../../core/src/worker-thread';
import type { LayoutReply, LayoutRequest } from './layoutProtocol';

const script = () => (__filename.endsWith('.ts') ? join(__dirname, 'layoutWorker.ts') : join(__dirname, 'graph-layout-worker.js'));

export class GraphLayouts {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (l: GraphLayout) => void; reject: (e: Error) => void }>();
  private readonly last = new Map<string, { key: string; laidOut: Promise<LaidOut> }>();

  /** The layout of a document's graph. */
  async layout(uri: string, structure: Structure): Promise<GraphLayout> {
    const key = structureKey(structure);
    const before = this.last.get(uri);
    if (before?.key === key) return (await before.laidOut).layout;
    const laidOut = (async () => {
      const previous = await before?.laidOut.catch(() => undefined);
      return { ...structure, layout: await this.request({ structure, previous }) };
    })();
    this.last.set(uri, { key, laidOut });
    laidOut.catch(() => {
      if (this.last.get(uri)?.laidOut === laidOut) this.last.delete(uri);
    });
    return (await laidOut).layout;
  }

  has(uri: string): boolean {
    return this.last.has(uri);
  }

  drop(uri: string): void {
    this.last.delete(uri);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.failAll(new Error('the language server is shutting down'));
  }

  private request(r: Omit<LayoutRequest, 'id'>): Promise<GraphLayout> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.start().postMessage({ id, ...r } satisfies LayoutRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(script());
    // never what keeps the server's process alive
    w.unref();
    w.on('message', (m: LayoutReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if ('error' in m) p?.reject(new Error(`graph layout failed: ${m.error}`));
      else p?.resolve(m.layout);
    });
    const lost = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(e);
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`the graph layout worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
