// Test harness: a client of a running Postern's admin REST API, as a browser or a script uses it
// (session cookie + X-CSRF-Token, or a bearer token), over real HTTP.
import type { Running } from './postern.js';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** The one-time admin login `postern serve` printed at its first start. */
export function firstLogin(running: Running): { userName: string; password: string } {
  const line = running.log.find((l) => l.includes('One-time login'));
  const m = line && /user: (\S+)\s+password: (\S+)/.exec(line);
  if (!m) throw new Error(`no one-time login in the output:\n${running.log.join('\n')}`);
  return { userName: m[1], password: m[2] };
}

export class ApiClient {
  cookie = '';
  csrf = '';
  token = '';
  /** Leave out the CSRF header (to see it refused). */
  omitCsrf = false;

  constructor(readonly base: string) {}

  static for(running: Running): ApiClient {
    return new ApiClient(`http://127.0.0.1:${running.httpPort}`);
  }

  async login(userName: string, password: string): Promise<ApiResponse> {
    return this.call('POST', '/api/login', { userName, password });
  }

  async call<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.csrf && !this.omitCsrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      if (pair.startsWith('postern_session=')) this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c) ? '' : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = text ? JSON.parse(text) : undefined;
    // A sign-in starts a new session with its own CSRF token.
    if (path === '/api/login' && res.status === 200) this.csrf = (parsed as { csrfToken: string }).csrfToken;
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.call<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.call<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body: unknown) {
    return this.call<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.call<T>('DELETE', path);
  }
}
