// The one base class of errors that are the user's to fix (a bad file, option or dataset): the
// CLI prints their message as one line and exits with their code (cli/main.ts); anything else is
// an internal error. Each module's own error class extends it and keeps its message.

export class UserError extends Error {
  /** Where the problem is when the code that found it could not tell (the cfg a network was built from, `p=30`): printed before the message. */
  context?: string;
  /** What it was checked against (`cfg yolov3.cfg`): printed after the message, in parentheses. */
  note?: string;

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The one line the CLI prints. */
  get line(): string {
    return `${this.context ? `${this.context}: ` : ''}${this.message}${this.note ? ` (${this.note})` : ''}`;
  }
}

/** A file-system failure on `path` as one readable line. */
export function fileError(e: unknown, path: string): UserError {
  if (e instanceof UserError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${path}: no such file`);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`${path}: permission denied`);
  if (code === 'EISDIR') return new UserError(`${path}: is a directory`);
  if (code === 'ENOSPC') return new UserError(`${path}: no space left on the device`);
  return new UserError(`${path}: ${(e as Error).message}`);
}
