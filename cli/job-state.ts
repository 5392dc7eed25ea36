// What a running job has done so far, as the CLI process (cli/process.ts) must know it to
// stop the job honestly: the temporaries it has pending, the outputs it has put in place, and
// whether it has finished (from then on a signal is too late and the job's own exit code stands).
// The job's stdout/stderr travel the same way, in order with the rest.

import type { WriteNote } from '../core/src/io/atomic';

/** The writes (core/src/io/atomic.ts), then what only the CLI needs to know. */
export type JobNote = WriteNote | { finished: true } | { fd: 1 | 2; text: string } | { exit: number };

let listener: ((note: JobNote) => void) | undefined;

/** Set by the job's worker thread; without one (the CLI run in-process) notes go nowhere. */
export function onJobNote(l: (note: JobNote) => void): void {
  listener = l;
}

export function noteJob(note: JobNote): void {
  listener?.(note);
}
