// Sign-in for the admin listener at start: who may sign in, and over what. On loopback (the
// embedded default) a data directory without users gets one provider operator, `admin`, whose
// password is printed once; it can be changed with `postern user set-password admin`. Any other
// address refuses to start without TLS and without users made beforehand (`postern user add`).
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { generatePassword } from '../api/access/password.js';
import { AccessControl } from '../api/access/service.js';
import { splitHostPort, type ServerSettings } from '../config/server.js';
import { parseIp } from '../message/ipAddress.js';
import { SqliteAdminUserStore } from '../store/sqlite/adminUserStore.js';
import type { Db } from '../store/sqlite/db.js';
import { CliError } from './common.js';

export const FIRST_ADMIN = 'admin';

export interface AdminAccess {
  access: AccessControl;
  tls?: { key: Buffer; cert: Buffer };
  /** Set when this start created the first user: shown once. */
  firstLogin?: { userName: string; password: string };
}

export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const ip = parseIp(host.replace(/^\[|\]$/g, ''));
  if (!ip) return false;
  return ip.family === 4 ? ip.bytes[0] === 127 : ip.bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${setting} ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path in the server settings`);
  }
}

export async function prepareAdminAccess(db: Db, settings: ServerSettings, logger: Logger): Promise<AdminAccess> {
  const users = new SqliteAdminUserStore(db);
  const access = new AccessControl(users);
  const { host } = splitHostPort(settings.http);
  const tls = settings.httpTlsCertFile && settings.httpTlsKeyFile ? { cert: readPem(settings.httpTlsCertFile, 'httpTlsCertFile'), key: readPem(settings.httpTlsKeyFile, 'httpTlsKeyFile') } : undefined;
  if ((settings.httpTlsCertFile === undefined) !== (settings.httpTlsKeyFile === undefined)) {
    throw new CliError('httpTlsCertFile and httpTlsKeyFile go together: set both (the admin listener then speaks HTTPS) or neither');
  }
  const purged = users.purgeExpiredSessions(Date.now());
  if (purged) logger.debug({ purged }, 'expired admin sessions removed');
  if (!isLoopbackHost(host)) {
    if (!tls) throw new CliError(`the admin listener ${settings.http} is not a loopback address, so it needs TLS: set httpTlsCertFile and httpTlsKeyFile in the server settings (or listen on 127.0.0.1)`);
    if (!users.users().length) throw new CliError(`the admin listener ${settings.http} is not a loopback address and no admin user exists: create one first with 'postern user add' (or listen on 127.0.0.1)`);
    return { access, tls };
  }
  if (users.users().length) return { access, tls };
  const password = generatePassword();
  await access.addUser({ userName: FIRST_ADMIN, password, organization: null, roles: ['Provider Operator'] });
  logger.info({ userName: FIRST_ADMIN }, 'first admin user created; its password is printed once');
  return { access, tls, firstLogin: { userName: FIRST_ADMIN, password } };
}
