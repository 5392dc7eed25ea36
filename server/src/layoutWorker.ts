// The graph-layout worker thread (bundled as server/out/graph-layout-worker.js): lays graphs out with
// dagre, one request at a time, staying warm between them.
import { parentPort } from 'node:worker_threads';
import { layoutGraph } from '../../core/src/lang/graph-layout';
import type { LayoutReply, LayoutRequest } from './layoutProtocol';

parentPort!.on('message', ({ id, structure, previous }: LayoutRequest) => {
  let reply: LayoutReply;
  try {
    reply = { id, layout: layoutGraph(structure, previous) };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
