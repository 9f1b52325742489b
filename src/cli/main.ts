// The `postern` command. Each subcommand lives in its own module and registers itself here.
import { POSTERN_VERSION } from './version.js';
import { Command } from 'commander';
import { register as registerConfig } from './config.js';
import { register as registerDirectSend } from './directsend.js';
import { register as registerHunt } from './hunt.js';
import { register as registerImport } from './import.js';
import { register as registerInit } from './init.js';
import { register as registerServe } from './serve.js';
import { register as registerSimulate } from './simulate.js';
import { register as registerShell } from './shell.js';
import { register as registerReport } from './report.js';
import { register as registerBackup } from './backup.js';
import { register as registerStatus } from './status.js';
import { register as registerUser } from './user.js';
import { register as registerMigrate } from './migrate.js';

// Everything Postern writes (database, spool, reports, exports) holds mail or its traces: private
// to the gateway's user whatever the umask it was started with.
process.umask(0o077);
import { CliError } from './common.js';

const program = new Command('postern')
  .description('Inbound mail gateway with Exchange Online tenant mail flow: connectors, Reject Direct Send, rules, quarantine, trace, hunting.')
  .version(POSTERN_VERSION);

for (const register of [registerInit, registerServe, registerConfig, registerDirectSend, registerShell, registerSimulate, registerHunt, registerImport, registerReport, registerStatus, registerBackup, registerUser, registerMigrate]) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const failure = err instanceof CliError ? err : fileError(err);
  if (!failure) throw err;
  console.error(`postern: ${failure.message}`);
  process.exit(failure.exitCode);
}

/** A file the user named that cannot be read or written, as a sentence (every command that takes a path). */
function fileError(err: unknown): CliError | undefined {
  const e = err as NodeJS.ErrnoException;
  const why: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a part of the path is not a directory', EPERM: 'operation not permitted' };
  if (!e || typeof e.path !== 'string' || !e.code || !why[e.code]) return undefined;
  return new CliError(`cannot ${e.syscall === 'open' || e.syscall === 'read' ? 'read' : (e.syscall ?? 'use')} ${e.path}: ${why[e.code]}`);
}
