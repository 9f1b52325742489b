// Errors the shell reports. They read like PowerShell's: "<Command> : <message>", then
// "At line:L char:C" and the offending source line with a marker, so an admin who knows
// Exchange recognises them. Every binding error names the parameter (DESIGN.md).

export type ErrorCategory =
  | 'ParserError'
  | 'InvalidArgument'
  | 'InvalidData'
  | 'ObjectNotFound'
  | 'InvalidOperation'
  | 'NotSpecified'
  | 'NotImplemented'
  | 'ResourceExists'
  | 'PermissionDenied'
  | 'OperationStopped'
  | 'ReadError';

export interface SourcePosition {
  /** 0-based character offset into the script text. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column (PowerShell's "char"). */
  column: number;
}

export interface ShellErrorOptions {
  errorId?: string;
  category?: ErrorCategory;
  /** The parameter the error is about, canonical name, when there is one. */
  parameter?: string;
  /** The command that failed, when there is one. */
  command?: string;
  /** Position of the offending token. */
  position?: SourcePosition;
  /** Terminating errors stop the statement; non-terminating ones are reported and the pipeline goes on. */
  terminating?: boolean;
}

export class ShellError extends Error {
  errorId: string;
  category: ErrorCategory;
  parameter?: string;
  command?: string;
  position?: SourcePosition;
  terminating: boolean;
  /** The source line the position points into (filled in by the runtime). */
  sourceLine?: string;

  constructor(message: string, options: ShellErrorOptions = {}) {
    super(message);
    this.name = 'ShellError';
    this.errorId = options.errorId ?? 'ShellError';
    this.category = options.category ?? 'NotSpecified';
    this.parameter = options.parameter;
    this.command = options.command;
    this.position = options.position;
    this.terminating = options.terminating ?? true;
  }

  /** "line:column" or "" when the error has no position. */
  get where(): string {
    return this.position ? `${this.position.line}:${this.position.column}` : '';
  }

  /** PowerShell-style rendering: "Cmd : message\nAt line:1 char:5\n+ source\n+     ~". */
  format(): string {
    const head = this.command ? `${this.command} : ${this.message}` : this.message;
    const lines = [head];
    if (this.position) {
      lines.push(`At line:${this.position.line} char:${this.position.column}`);
      if (this.sourceLine !== undefined) {
        lines.push(`+ ${this.sourceLine}`);
        lines.push(`+ ${' '.repeat(Math.max(0, this.position.column - 1))}~`);
      }
    }
    lines.push(`    + CategoryInfo          : ${this.category}`);
    lines.push(`    + FullyQualifiedErrorId : ${this.errorId}${this.command ? ',' + this.command : ''}`);
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return {
      message: this.message,
      errorId: this.errorId,
      category: this.category,
      parameter: this.parameter,
      command: this.command,
      line: this.position?.line,
      column: this.position?.column,
    };
  }
}

/** A parse error. The script does not run at all when it has one (PowerShell parses first). */
export class ShellParseError extends ShellError {
  /** True when more input could complete the script (unclosed string, brace, trailing pipe...). */
  incomplete: boolean;
  constructor(message: string, position: SourcePosition, errorId: string, incomplete = false) {
    super(message, { errorId, category: 'ParserError', position });
    this.incomplete = incomplete;
  }
}

/**
 * An error from the layers the cmdlets call that already says what it is (an error id, a
 * category, the parameter at fault) keeps that when the shell reports it.
 */
export function fromCategorised(e: unknown): ShellError | undefined {
  if (!(e instanceof Error)) return undefined;
  const { errorId, category, parameter } = e as Error & { errorId?: unknown; category?: unknown; parameter?: unknown };
  if (typeof errorId !== 'string' || typeof category !== 'string') return undefined;
  return new ShellError(e.message, { errorId, category: category as ErrorCategory, parameter: typeof parameter === 'string' ? parameter : undefined });
}

/** Position from an offset (line/column are 1-based, columns count UTF-16 units like PowerShell). */
export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '\r' && text[i + 1] !== '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

export function lineOf(text: string, line: number): string {
  return text.split(/\r\n|\r|\n/)[line - 1] ?? '';
}

/** PowerShell's error for a name that is no cmdlet or function. */
export function commandNotFound(name: string, position: SourcePosition | undefined): ShellError {
  return new ShellError(`The term '${name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`, {
    errorId: 'CommandNotFoundException',
    category: 'ObjectNotFound',
    position,
  });
}
