// The admin API's users, sessions and API tokens on SQLite (migration 9).
import type { Db } from './db.js';
import { AdminUserExistsError, type AdminSessionRecord, type AdminUserRecord, type AdminUserStore, type ApiTokenRecord } from '../ports.js';

interface UserRow {
  user_name: string;
  org_guid: string | null;
  roles: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
}

const toUser = (r: UserRow): AdminUserRecord => ({
  userName: r.user_name,
  organization: r.org_guid,
  roles: JSON.parse(r.roles) as string[],
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  passwordChangedAt: r.password_changed_at,
});

interface TokenRow {
  id: string;
  user_name: string;
  name: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

const toToken = (r: TokenRow): ApiTokenRecord => ({ id: r.id, userName: r.user_name, name: r.name, createdAt: r.created_at, expiresAt: r.expires_at, lastUsedAt: r.last_used_at });

export class SqliteAdminUserStore implements AdminUserStore {
  constructor(private readonly db: Db) {}

  users(organization?: string | null): AdminUserRecord[] {
    const rows =
      organization === undefined
        ? this.db.prepare('SELECT * FROM admin_users ORDER BY user_name').all()
        : this.db.prepare('SELECT * FROM admin_users WHERE org_guid IS ? ORDER BY user_name').all(organization);
    return (rows as UserRow[]).map(toUser);
  }

  user(userName: string): AdminUserRecord | undefined {
    const row = this.db.prepare('SELECT * FROM admin_users WHERE user_name = ?').get(userName) as UserRow | undefined;
    return row && toUser(row);
  }

  addUser(u: AdminUserRecord): void {
    const r = this.db
      .prepare('INSERT INTO admin_users (user_name, org_guid, roles, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(u.userName, u.organization, JSON.stringify(u.roles), u.passwordHash, u.createdAt, u.passwordChangedAt);
    if (r.changes === 0) throw new AdminUserExistsError(u.userName);
  }

  setPassword(userName: string, passwordHash: string, at: number): void {
    this.db.prepare('UPDATE admin_users SET password_hash = ?, password_changed_at = ? WHERE user_name = ?').run(passwordHash, at, userName);
  }

  removeUser(userName: string): boolean {
    return this.db.prepare('DELETE FROM admin_users WHERE user_name = ?').run(userName).changes > 0;
  }

  createSession(idHash: string, s: AdminSessionRecord, clientIp: string): void {
    this.db
      .prepare('INSERT INTO admin_sessions (id_hash, user_name, csrf_token, created_at, expires_at, client_ip) VALUES (?, ?, ?, ?, ?, ?)')
      .run(idHash, s.userName, s.csrfToken, s.createdAt, s.expiresAt, clientIp);
  }

  session(idHash: string, now: number): AdminSessionRecord | undefined {
    const r = this.db.prepare('SELECT user_name, csrf_token, created_at, expires_at FROM admin_sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, now) as
      | { user_name: string; csrf_token: string; created_at: number; expires_at: number }
      | undefined;
    return r && { userName: r.user_name, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at };
  }

  removeSession(idHash: string): void {
    this.db.prepare('DELETE FROM admin_sessions WHERE id_hash = ?').run(idHash);
  }

  removeSessions(userName: string): void {
    this.db.prepare('DELETE FROM admin_sessions WHERE user_name = ?').run(userName);
  }

  purgeExpiredSessions(now: number): number {
    return this.db.prepare('DELETE FROM admin_sessions WHERE expires_at <= ?').run(now).changes;
  }

  createToken(tokenHash: string, t: ApiTokenRecord): void {
    this.db
      .prepare('INSERT INTO api_tokens (id, token_hash, user_name, name, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)')
      .run(t.id, tokenHash, t.userName, t.name, t.createdAt, t.expiresAt);
  }

  useToken(tokenHash: string, now: number): ApiTokenRecord | undefined {
    const row = this.db
      .prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?) RETURNING id, user_name, name, created_at, expires_at, last_used_at')
      .get(now, tokenHash, now) as TokenRow | undefined;
    return row && toToken(row);
  }

  tokens(userName: string): ApiTokenRecord[] {
    return (this.db.prepare('SELECT id, user_name, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_name = ? ORDER BY created_at').all(userName) as TokenRow[]).map(toToken);
  }

  removeToken(userName: string, id: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE user_name = ? AND id = ?').run(userName, id).changes > 0;
  }
}
