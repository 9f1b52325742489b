// Who is calling: every /api request is looked up by its bearer token (scripts) or session
// cookie (the admin center), and a state-changing call made with the cookie must echo the
// session's CSRF token in X-CSRF-Token — a page on another site can make the browser send the
// cookie, but cannot read the token.
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../http/errors.js';
import type { Principal } from './roles.js';
import { SESSION_LIFETIME_MS, type AccessControl } from './service.js';

export const SESSION_COOKIE = 'postern_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The session's CSRF token (cookie sign-in only). */
    csrfToken?: string;
    sessionId?: string;
  }
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function identify(access: AccessControl, request: FastifyRequest): void {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const principal = m ? access.token(m[1]) : undefined;
    if (!principal) throw new ApiError(401, 'The API token is not valid (or has expired).', { errorId: 'NotAuthenticated', category: 'PermissionDenied' });
    request.principal = principal;
    return;
  }
  const id = request.cookies[SESSION_COOKIE];
  const session = id ? access.session(id) : undefined;
  if (!session) return;
  request.principal = session.principal;
  request.csrfToken = session.csrfToken;
  request.sessionId = id;
}

// Cookies are always Secure: browsers keep them on http://127.0.0.1 and http://localhost (secure
// contexts), and anywhere else the admin listener requires TLS.
export async function registerAccess(api: FastifyInstance, access: AccessControl): Promise<void> {
  await api.register(cookie);
  api.addHook('onRequest', async (request) => {
    identify(access, request);
    if (SAFE_METHODS.has(request.method) || request.principal?.via !== 'session') return;
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameSecret(sent, request.csrfToken!)) {
      throw new ApiError(403, 'The request has no valid CSRF token (send the X-CSRF-Token header the session gave).', { errorId: 'CsrfTokenMissing', category: 'PermissionDenied' });
    }
  });
  api.decorateReply('setSession', function (this: { setCookie: (name: string, value: string, o: object) => void }, sessionId: string) {
    this.setCookie(SESSION_COOKIE, sessionId, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: SESSION_LIFETIME_MS / 1000 });
  });
}

declare module 'fastify' {
  interface FastifyReply {
    setSession(sessionId: string): void;
  }
}
