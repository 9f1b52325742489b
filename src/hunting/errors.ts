// Errors a hunting user sees: what was wrong, where (offset, line, column), and what to do.

export class KqlError extends Error {
  readonly pos: number;
  line = 0;
  column = 0;

  constructor(message: string, pos: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KqlError';
    this.pos = pos;
  }

  /** Fill line/column from the query text and prefix the message with them. */
  locate(text: string): this {
    const upto = text.slice(0, Math.max(0, Math.min(this.pos, text.length)));
    const lines = upto.split('\n');
    this.line = lines.length;
    this.column = lines[lines.length - 1].length + 1;
    this.message = `line ${this.line}, column ${this.column}: ${this.message}`;
    return this;
  }
}

/** A construct we recognise but do not translate: rejected by name, never approximated. */
export function unsupported(what: string, pos: number, hint?: string): KqlError {
  return new KqlError(`${what} is not supported by Postern's hunting engine${hint ? `; ${hint}` : ''}`, pos);
}

/** The query ran longer than its time limit and was cancelled. */
export class HuntTimeoutError extends Error {
  constructor(ms: number) {
    super(`The query exceeded its time limit of ${ms} ms and was cancelled; narrow the time range or add filters`);
    this.name = 'HuntTimeoutError';
  }
}

/** The caller cancelled the query before it finished. */
export class HuntCancelledError extends Error {
  constructor() {
    super('The query was cancelled.');
    this.name = 'HuntCancelledError';
  }
}

/** Last resort: a failure the engine did not foresee (a bug, or a limit of SQLite's we do not
 * check first). The user gets a sentence, never a JavaScript error or stack trace. */
export class HuntInternalError extends Error {
  constructor(cause: unknown) {
    super(`internal error in the hunting engine: ${cause instanceof Error ? cause.message : String(cause)}. Simplify the query, and please report it`, { cause });
    this.name = 'HuntInternalError';
  }
}

/** The errors a hunting caller shows as they are: everything else becomes a HuntInternalError. */
export function asHuntError(e: unknown): KqlError | HuntTimeoutError | HuntCancelledError | HuntInternalError {
  if (e instanceof KqlError || e instanceof HuntTimeoutError || e instanceof HuntCancelledError || e instanceof HuntInternalError) return e;
  return new HuntInternalError(e);
}
