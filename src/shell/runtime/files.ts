// The session's file reader: Windows-style paths, and PowerShell's wording when a file can't be read.
import { ShellError } from '../errors.js';

/** A file reader that takes Windows-style paths (.\\ips.txt) and fails as PowerShell does. */
export function readingWith(read: (path: string) => Promise<string>): (path: string) => Promise<string> {
  return async (path) => {
    try {
      return await read(path.replace(/\\/g, '/'));
    } catch (e) {
      throw fileError(path, e);
    }
  };
}

function fileError(path: string, e: unknown): ShellError {
  if (e instanceof ShellError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const fail = (message: string, errorId: string, category: ShellError['category']) => new ShellError(message, { errorId, category, parameter: 'Path' });
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return fail(`Cannot find path '${path}' because it does not exist.`, 'PathNotFound', 'ObjectNotFound');
    case 'EISDIR':
      return fail(`Unable to get content because it is a directory: '${path}'. Please use 'Get-ChildItem' instead.`, 'GetContentReaderUnauthorizedAccessError', 'PermissionDenied');
    case 'EACCES':
    case 'EPERM':
      return fail(`Access to the path '${path}' is denied.`, 'GetContentReaderUnauthorizedAccessError', 'PermissionDenied');
    default:
      // a reader's own error (no system error code) is already worded for the user
      if (typeof code !== 'string' && e instanceof Error) return fail(e.message, 'GetContentReaderIOError', 'ReadError');
      return fail(`The file '${path}' couldn't be read${typeof code === 'string' ? ` (${code})` : ''}.`, 'GetContentReaderIOError', 'ReadError');
  }
}