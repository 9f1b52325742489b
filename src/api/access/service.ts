// Sign-in for the admin API: users with scrypt-hashed passwords, browser sessions (a random
// 256-bit id in an HttpOnly cookie, kept only as its SHA-256, with its own CSRF token) and API
// tokens for scripts (shown once, kept as SHA-256). Failed sign-ins are counted per user name (so
// a password is not guessed by spreading attempts over many addresses) and per client address
// (so one address does not try many names); successful ones never count.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AdminUserExistsError, type AdminUserRecord, type AdminUserStore, type ApiTokenRecord } from '../../store/ports.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import { isRole, type Principal, type Role } from './roles.js';

export const SESSION_LIFETIME_MS = 8 * 3600_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_USER = 10;
const MAX_FAILURES_PER_ADDRESS = 50;
const TOKEN_PREFIX = 'pst_';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

export class AccessError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    message: string,
    readonly parameter?: string,
    /** Seconds, for a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export interface NewUser {
  userName: string;
  password: string;
  organization: string | null;
  roles: string[];
}

export interface UserView {
  userName: string;
  organization: string | null;
  roles: Role[];
  createdAt: string;
}

export function principalOf(user: AdminUserRecord, via: Principal['via']): Principal {
  return { userName: user.userName, organization: user.organization, roles: user.roles.filter(isRole), via };
}

export const userView = (u: AdminUserRecord): UserView => ({ userName: u.userName, organization: u.organization, roles: u.roles.filter(isRole), createdAt: new Date(u.createdAt).toISOString() });

export class AccessControl {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly users: AdminUserStore,
    private readonly now: () => number = Date.now,
  ) {}

  async addUser(u: NewUser): Promise<UserView> {
    if (!/^[A-Za-z0-9._@+-]{1,128}$/.test(u.userName)) throw new AccessError(400, 'userName: letters, digits and . _ @ + - only (at most 128).', 'userName');
    const problem = passwordProblem(u.password);
    if (problem) throw new AccessError(400, `password: ${problem}`, 'password');
    if (!u.roles.length) throw new AccessError(400, 'roles: give at least one role.', 'roles');
    const bad = u.roles.find((r) => !isRole(r));
    if (bad) throw new AccessError(400, `roles: '${bad}' is not a role. Roles: Organization Management, Security Reader, Quarantine Administrator, Provider Operator.`, 'roles');
    if (u.roles.includes('Provider Operator') !== (u.organization === null)) {
      throw new AccessError(400, u.organization === null ? 'roles: a user outside any organization must be a Provider Operator.' : 'roles: Provider Operator is for users outside any organization.', 'roles');
    }
    const at = this.now();
    const record: AdminUserRecord = { userName: u.userName, organization: u.organization, roles: [...new Set(u.roles)], passwordHash: await hashPassword(u.password), createdAt: at, passwordChangedAt: at };
    try {
      this.users.addUser(record);
    } catch (e) {
      if (e instanceof AdminUserExistsError) throw new AccessError(409, e.message, 'userName');
      throw e;
    }
    return userView(record);
  }

  async setPassword(userName: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AccessError(400, `password: ${problem}`, 'password');
    if (!this.users.user(userName)) throw new AccessError(404, `The user '${userName}' couldn't be found.`, 'userName');
    this.users.setPassword(userName, await hashPassword(password), this.now());
    this.users.removeSessions(userName);
  }

  /** Checks the password; a new session (id for the cookie, CSRF token) on success. */
  /** Minutes to wait when this key has failed too often in the window, else 0. */
  private lockedFor(key: string, max: number, now: number): number {
    const f = this.failures.get(key);
    return f && now - f.since < FAILURE_WINDOW_MS && f.count >= max ? Math.ceil((f.since + FAILURE_WINDOW_MS - now) / 60_000) : 0;
  }

  private failed(key: string, now: number): void {
    const f = this.failures.get(key);
    const fresh = !f || now - f.since >= FAILURE_WINDOW_MS;
    this.failures.set(key, { count: fresh ? 1 : f.count + 1, since: fresh ? now : f.since });
    if (this.failures.size > 100_000) this.failures.clear(); // bounded memory, whatever a flood sends
  }

  async signIn(userName: string, password: string, clientIp: string): Promise<{ sessionId: string; csrfToken: string; principal: Principal }> {
    const userKey = `user:${userName.toLowerCase()}`;
    const addressKey = `ip:${clientIp}`;
    const now = this.now();
    const wait = this.lockedFor(userKey, MAX_FAILURES_PER_USER, now) || this.lockedFor(addressKey, MAX_FAILURES_PER_ADDRESS, now);
    if (wait) throw new AccessError(429, `Too many failed sign-ins; try again in ${wait} minute${wait === 1 ? '' : 's'}.`, undefined, wait * 60);
    const user = this.users.user(userName);
    // A missing user costs the same scrypt as a wrong password, so timing tells no names.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.failed(userKey, now);
      this.failed(addressKey, now);
      throw new AccessError(401, 'The user name or password is incorrect.');
    }
    this.failures.delete(userKey);
    const sessionId = secret();
    const csrfToken = secret();
    this.users.createSession(sha256(sessionId), { userName: user.userName, csrfToken, createdAt: now, expiresAt: now + SESSION_LIFETIME_MS }, clientIp);
    return { sessionId, csrfToken, principal: principalOf(user, 'session') };
  }

  signOut(sessionId: string): void {
    this.users.removeSession(sha256(sessionId));
  }

  /** The principal and CSRF token of a live session. */
  session(sessionId: string): { principal: Principal; csrfToken: string } | undefined {
    const s = this.users.session(sha256(sessionId), this.now());
    const user = s && this.users.user(s.userName);
    return user && s ? { principal: principalOf(user, 'session'), csrfToken: s.csrfToken } : undefined;
  }

  /** The principal of an API token (`Authorization: Bearer pst_…`). */
  token(token: string): Principal | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const t = this.users.useToken(sha256(token), this.now());
    const user = t && this.users.user(t.userName);
    return user ? principalOf(user, 'token') : undefined;
  }

  createToken(userName: string, name: string, expiresInDays?: number): { token: string; record: ApiTokenRecord } {
    const now = this.now();
    const record: ApiTokenRecord = { id: randomUUID(), userName, name, createdAt: now, expiresAt: expiresInDays ? now + expiresInDays * 86_400_000 : null, lastUsedAt: null };
    const token = TOKEN_PREFIX + secret();
    this.users.createToken(sha256(token), record);
    return { token, record };
  }
}

// scrypt of a random password, so an unknown user name is checked at the same cost.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
