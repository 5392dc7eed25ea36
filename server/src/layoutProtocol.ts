// Messages between the language server and its graph-layout worker thread (./layouts.ts, ./layoutWorker.ts).
import type { LaidOut, Structure } from '../../core/src/lang/graph-layout';
import type { GraphLayout } from '../../core/src/protocol/graph';

export interface LayoutRequest {
  id: number;
  structure: Structure;
  /** The document's previous graph: its layout is kept where the edit allows. */
  previous?: LaidOut;
}

export type LayoutReply = { id: number; layout: GraphLayout } | { id: number; error: string };
