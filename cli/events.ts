// The CLI's writer of the `--json-events` protocol (one JSON object per line on stdout). The
// schema lives in core/src/protocol/jobs.ts, shared with the extension's job runner (the reader).

import type { JobEvent } from '../core/src/protocol/jobs';
import { noteJob } from './job-state';

export { JOB_EVENT_TYPES, parseJobEvent, type ArtifactKind, type JobEvent } from '../core/src/protocol/jobs';

export interface Reporter {
  /** True when writing --json-events. */
  readonly events: boolean;
  emit(e: JobEvent): void;
  /** Human-readable progress (stderr) unless in events mode. */
  progress(message: string, fraction?: number): void;
  /** A `note` event, or `warning: …` / the message on stderr. */
  note(level: 'info' | 'warning', message: string): void;
}

export function makeReporter(
  events: boolean,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Reporter {
  return {
    events,
    emit(e) {
      // the job has finished: from here a signal is too late to stop it (cli/process.ts)
      if (e.type === 'result') noteJob({ finished: true });
      if (events) out.write(JSON.stringify(e) + '\n');
    },
    progress(message, fraction) {
      if (events) out.write(JSON.stringify({ type: 'progress', message, fraction } satisfies JobEvent) + '\n');
      else err.write(message + '\n');
    },
    note(level, message) {
      if (events) out.write(JSON.stringify({ type: 'note', level, message } satisfies JobEvent) + '\n');
      else err.write(`${level === 'warning' ? 'warning: ' : ''}${message}\n`);
    },
  };
}
