// What the CLI process (cli/process.ts) gives the job's worker thread: its arguments and
// the port on which the job's notes (cli/job-state.ts) come back.

import type { MessagePort } from 'node:worker_threads';

export interface JobWorkerData {
  argv: string[];
  notes: MessagePort;
}
