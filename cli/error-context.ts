// Locating a UserError in the command that knows where it is: core raises it without the file or
// option it concerns, the command wraps the call, and cli/main.ts prints `context: message (note)`.

import { UserError } from '../core/src/errors';

function attach<T>(fn: () => T, add: (e: UserError) => void): T {
  const mark = (e: unknown) => {
    if (e instanceof UserError) add(e);
    return e;
  };
  try {
    const r = fn();
    if (r instanceof Promise)
      return r.catch((e: unknown) => {
        throw mark(e);
      }) as T;
    return r;
  } catch (e) {
    throw mark(e);
  }
}

/** fn's result; a UserError escaping it (sync or async) is located at `where` (unless already located; a function may locate by the error, or not). */
export function withContext<T>(where: string | ((e: UserError) => string | undefined), fn: () => T): T {
  return attach(fn, (e) => {
    e.context ??= typeof where === 'string' ? where : where(e);
  });
}

/** fn's result; a UserError escaping it gets `note` after its message (unless it has one). */
export function withNote<T>(note: string, fn: () => T): T {
  return attach(fn, (e) => {
    e.note ??= note;
  });
}
