// The `--json-events` protocol: one JSON object per line on stdout. Shared by the CLI (writer)
// and the extension's job runner (reader), so the schema lives in one place.

export type ArtifactKind = 'cfg' | 'weights' | 'report' | 'onnx' | 'ir' | 'checkpoint' | 'image' | 'other';

export type JobEvent =
  | { type: 'progress'; message: string; /** 0..1 when known */ fraction?: number }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'histogram'; name: string; edges: number[]; counts: number[]; step?: number }
  | { type: 'artifact'; kind: ArtifactKind; path: string }
  | { type: 'result'; command: string; data: unknown }
  | { type: 'error'; message: string };

export const JOB_EVENT_TYPES = ['progress', 'metric', 'histogram', 'artifact', 'result', 'error'] as const;

/** Parses one line of CLI output; undefined for anything that is not a job event. */
export function parseJobEvent(line: string): JobEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as { type?: unknown };
    return typeof v.type === 'string' && (JOB_EVENT_TYPES as readonly string[]).includes(v.type) ? (v as JobEvent) : undefined;
  } catch {
    return undefined;
  }
}

export interface Reporter {
  /** True when writing --json-events. */
  readonly events: boolean;
  emit(e: JobEvent): void;
  /** Human-readable progress (stderr) unless in events mode. */
  progress(message: string, fraction?: number): void;
}

export function makeReporter(events: boolean, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Reporter {
  return {
    events,
    emit(e) { if (events) out.write(JSON.stringify(e) + '\n'); },
    progress(message, fraction) {
      if (events) out.write(JSON.stringify({ type: 'progress', message, fraction } satisfies JobEvent) + '\n');
      else err.write(message + '\n');
    },
  };
}
