// Why `postern serve` could not start, as a sentence that says what to change: a port in use
// names the setting that chose it, a certificate it cannot read names the file.
import { relative } from 'node:path';
import { splitHostPort, type ServerSettings } from '../config/server.js';

/** Where a listen address came from: a command-line option or a key of the settings file. */
export interface ListenSources {
  settingsFile?: string;
  /** Listen settings given on the command line (`--smtp`, `--http`). */
  fromCommandLine: ReadonlySet<'smtp' | 'http'>;
}

const LISTENERS = [
  ['smtp', 'SMTP'],
  ['smtps', 'SMTPS (implicit TLS)'],
  ['http', 'admin HTTP'],
] as const;

const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address',
};

function listenError(err: NodeJS.ErrnoException & { port?: number; address?: string }, settings: ServerSettings, sources: ListenSources): string | undefined {
  const problem = err.code && LISTEN_PROBLEMS[err.code];
  if (!problem || err.port === undefined) return undefined;
  const found = LISTENERS.find(([key]) => {
    const value = settings[key];
    return value !== undefined && splitHostPort(value).port === err.port;
  });
  const where = `${err.address ?? ''}:${err.port}`;
  if (!found) return `cannot listen on ${where}: ${problem}.`;
  const [key, what] = found;
  const setting =
    key !== 'smtps' && sources.fromCommandLine.has(key)
      ? `--${key} host:port`
      : sources.settingsFile
        ? `the key '${key}' in ${sources.settingsFile}${key === 'smtps' ? '' : ` (or --${key} host:port)`}`
        : `--${key} host:port`;
  return `cannot listen for ${what} on ${where}: ${problem}. Choose another address with ${setting}, or stop what is using it.`;
}

function tlsError(err: NodeJS.ErrnoException, dataDir: string): string | undefined {
  if (err.path && (err.code === 'EACCES' || err.code === 'ENOENT' || err.code === 'EISDIR')) {
    return `cannot read ${err.path} (${err.code === 'EACCES' ? 'permission denied' : err.code === 'ENOENT' ? 'no such file' : 'it is a directory'}): give the user running postern read access to it, or fix the setting that names it.`;
  }
  if (/PEM|ERR_OSSL|asn1|certificate|private key/i.test(`${err.code ?? ''} ${err.message}`)) {
    return `the TLS certificate or key in ${relative(process.cwd(), dataDir) || '.'}/tls (server.crt, server.key) or the client CA file is not valid PEM (${err.message}): replace it, or remove server.crt and server.key to have a new self-signed certificate made.`;
  }
  return undefined;
}

/** The sentence for an error that stopped the gateway from starting. */
export function describeStartupError(err: unknown, settings: ServerSettings, sources: ListenSources, dataDir: string): string {
  const e = err as NodeJS.ErrnoException;
  return listenError(e, settings, sources) ?? tlsError(e, dataDir) ?? `could not start: ${e?.message ?? String(err)}`;
}
