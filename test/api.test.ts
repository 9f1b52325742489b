// The admin REST API end to end: a real `postern serve`, real HTTP, real SMTP. Every route of the
// OpenAPI document is called — refused without sign-in, refused for another organization, refused
// to a Security Reader when it changes something, refused without the CSRF token — and called
// once as an administrator. A route added without a sample here fails the walk.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, firstLogin } from './support/api.js';
import { contoso, importOrgs, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

const PASSWORD = 'correct horse battery staple';
let pg: Running;
let admin: ApiClient;
const client = () => ApiClient.for(pg);

async function signedIn(userName: string): Promise<ApiClient> {
  const c = client();
  const r = await c.login(userName, PASSWORD);
  expect(r.status, r.text).toBe(200);
  return c;
}

beforeAll(async () => {
  const dir = tempDir('postern-api-');
  importOrgs(dir, [
    contoso({ TransportRules: [] }),
    contoso({ Name: 'Fabrikam', Guid: randomUUID(), AcceptedDomains: [{ DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: true }] }),
  ]);
  pg = await startPostern(dir);
  const login = firstLogin(pg);
  admin = client();
  expect((await admin.login(login.userName, login.password)).status).toBe(200);
  for (const [userName, org, roles] of [
    ['om@contoso.com', 'Contoso', ['Organization Management']],
    ['reader@contoso.com', 'Contoso', ['Security Reader']],
    ['qa@contoso.com', 'Contoso', ['Quarantine Administrator']],
    ['om@fabrikam.com', 'Fabrikam', ['Organization Management']],
  ] as const) {
    const r = await admin.post(`/api/organizations/${org}/users`, { userName, password: PASSWORD, roles });
    expect(r.status, r.text).toBe(201);
  }
}, 60_000);

afterAll(async () => {
  await pg?.stop();
});

describe('sign-in', () => {
  it('prints a one-time admin login at the first start, and a wrong password is refused in one sentence', async () => {
    expect(firstLogin(pg).userName).toBe('admin');
    const r = await client().login('admin', 'not the password at all');
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe('The user name or password is incorrect.');
  });

  it('sets a Secure, HttpOnly, SameSite=Strict session cookie and gives the CSRF token', async () => {
    const c = client();
    const r = await c.call('POST', '/api/login', { userName: 'om@contoso.com', password: PASSWORD });
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith('postern_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(r.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(r.body.organizations.map((o: { Name: string }) => o.Name)).toEqual(['Contoso']);
  });

  it('stops guessing: after 10 wrong passwords for one user, even the right one waits (429)', async () => {
    const c = client();
    const r = await admin.post('/api/organizations/Fabrikam/users', { userName: 'guessed@fabrikam.com', password: PASSWORD, roles: ['Security Reader'] });
    expect(r.status).toBe(201);
    for (let i = 0; i < 10; i++) expect((await c.login('guessed@fabrikam.com', `wrong password ${i}`)).status).toBe(401);
    const locked = await c.login('guessed@fabrikam.com', PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/Too many failed sign-ins/);
  });

  it('signs out: the cookie no longer works', async () => {
    const c = await signedIn('reader@contoso.com');
    expect((await c.post('/api/logout')).status).toBe(204);
    const saved = c.cookie;
    expect(saved).toBe('');
    expect((await c.get('/api/session')).status).toBe(401);
  });

  it('API tokens: created from a session, shown once, work as Bearer without CSRF, and can be revoked', async () => {
    const c = await signedIn('om@contoso.com');
    const created = await c.post('/api/tokens', { name: 'nightly export' });
    expect(created.status).toBe(201);
    const script = client();
    script.token = created.body.token;
    expect((await script.get('/api/organizations/Contoso/config')).status).toBe(200);
    expect((await script.patch('/api/organizations/Contoso/config', { RejectDirectSend: false })).status).toBe(200);
    const listed = await c.get('/api/tokens');
    expect(listed.body.items.map((t: { name: string }) => t.name)).toContain('nightly export');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect((await c.delete(`/api/tokens/${created.body.id}`)).status).toBe(204);
    const after = await script.get('/api/organizations/Contoso/config');
    expect(after.status).toBe(401);
  });
});

describe('errors', () => {
  it("carry the shell's message and name the parameter", async () => {
    const c = await signedIn('om@contoso.com');
    const r = await c.post('/api/organizations/Contoso/inbound-connectors', { Name: 'Bad', SenderDomains: ['*'], SenderIPAddresses: ['999.0.2.0/24'] });
    expect(r.status).toBe(400);
    expect(r.body.error.parameter).toBe('SenderIPAddresses');
    expect(r.body.error.message).toContain("'999.0.2.0/24' isn't a valid IP address");
    const badDate = await c.get('/api/organizations/Contoso/message-trace?StartDate=yesterday');
    expect(badDate.status).toBe(400);
    expect(badDate.body.error).toMatchObject({ parameter: 'StartDate', message: 'StartDate: not a date; give an ISO 8601 date such as 2026-12-01 or 2026-12-01T08:00:00Z' });
    const badDays = await c.get('/api/organizations/Contoso/direct-send/preview?days=abc');
    expect(badDays.body.error).toMatchObject({ parameter: 'days', message: 'days: not a whole number' });
    const unknown = await c.patch('/api/organizations/Contoso/config', { RejectDirectSnd: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.parameter).toBe('RejectDirectSnd');
  });

  it('KQL errors come with their line and column', async () => {
    const c = await signedIn('reader@contoso.com');
    const r = await c.post('/api/organizations/Contoso/hunting', { query: 'EmailEvents\n| take 1 | projectx' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ line: 2, parameter: 'query' });
    expect(r.body.error.message).toMatch(/projectx/);
  });
});

describe('paging', () => {
  it('list endpoints page with an opaque cursor until it is null', async () => {
    const c = await signedIn('om@fabrikam.com');
    for (const n of [1, 2, 3]) {
      expect((await c.post('/api/organizations/Fabrikam/inbound-connectors', { Name: `Paging ${n}`, SenderDomains: ['*'], SenderIPAddresses: [`198.51.100.${n}`] })).status).toBe(201);
    }
    const first = await c.get('/api/organizations/Fabrikam/inbound-connectors?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await c.get(`/api/organizations/Fabrikam/inbound-connectors?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((x: { Name: string }) => x.Name)).toEqual(['Paging 3']);
    expect(second.body.nextCursor).toBeNull();
    const forged = await c.get('/api/organizations/Fabrikam/inbound-connectors?cursor=not-a-cursor');
    expect(forged.status).toBe(400);
    expect(forged.body.error.parameter).toBe('cursor');
  });
});

// ---------------------------------------------------------------- the walk over every route

interface Sample {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

/** What each route is called with; fixtures are made first (a held message, a finished search ...). */
async function samples(): Promise<Record<string, Sample>> {
  const om = await signedIn('om@contoso.com');
  // A message held by a rule, and one delivered, both in the trace — once the gateway runs the new rule.
  const version = async () => ((await (await fetch(`http://127.0.0.1:${pg.httpPort}/health`)).json()) as { configVersion: number }).configVersion;
  const before = await version();
  expect((await om.post('/api/organizations/Contoso/transport-rules', { Name: 'Hold marked', SubjectContainsWords: ['hold-me'], Quarantine: true })).status).toBe(201);
  await waitFor(async () => (await version()) > before, 5_000, 'the gateway to load the rule');
  for (const subject of ['hold-me one', 'hold-me two', 'hold-me three', 'hello']) {
    const sent = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'sender@example.net', '--to', 'user@contoso.com', '--header', `Subject: ${subject}`]);
    expect(sent.out, subject).toMatch(/^<[-~] +250 2\.0\.0/m);
  }
  let seen: string[] = [];
  const heldItems = await waitFor(async () => {
    const r = await om.get('/api/organizations/Contoso/quarantine');
    seen = r.body.items.map((m: { Subject: string }) => m.Subject);
    return r.body.items.length >= 3 ? r.body.items : undefined;
  }, 15_000, 'three held messages').catch((e: Error) => Promise.reject(new Error(`${e.message}; held: ${seen.join(', ')}`)));
  const trace = await waitFor(async () => (await om.get('/api/organizations/Contoso/message-trace')).body.items[0], 15_000, 'a trace row');
  const start = new Date(Date.now() - 86_400_000).toISOString();
  const end = new Date(Date.now() + 60_000).toISOString();
  const search = await om.post('/api/organizations/Contoso/historical-searches', { ReportTitle: 'walk', ReportType: 'MessageTrace', StartDate: start, EndDate: end });
  expect(search.status, search.text).toBe(201);
  await waitFor(async () => (await om.get(`/api/organizations/Contoso/historical-searches/${search.body.JobId}`)).body.Status === 'Done', 20_000, 'the search to finish');
  const token = await om.post('/api/tokens', { name: 'walk' });
  const org = { org: 'Contoso' };
  const id = (x: string) => ({ ...org, id: x });
  return {
    'GET /openapi.json': {},
    'POST /login': { body: { userName: 'om@contoso.com', password: PASSWORD } },
    'POST /logout': {},
    'GET /session': {},
    'GET /organizations': {},
    'POST /organizations': { body: { Name: 'WalkOrg', DomainName: 'walkorg.example' } },
    'DELETE /organizations/{org}': { params: org },
    'GET /tokens': {},
    'POST /tokens': { body: { name: 'another' } },
    'DELETE /tokens/{id}': { params: { id: token.body.id } },
    'GET /organizations/{org}/users': { params: org },
    'POST /organizations/{org}/users': { params: org, body: { userName: 'walk@contoso.com', password: PASSWORD, roles: ['Security Reader'] } },
    'DELETE /organizations/{org}/users/{userName}': { params: { ...org, userName: 'walk@contoso.com' } },
    'GET /organizations/{org}/config': { params: org },
    'PATCH /organizations/{org}/config': { params: org, body: { RejectDirectSend: false } },
    'GET /organizations/{org}/accepted-domains': { params: org },
    'POST /organizations/{org}/accepted-domains': { params: org, body: { Name: 'Walk', DomainName: 'walk.contoso.com', DomainType: 'Authoritative' } },
    'PATCH /organizations/{org}/accepted-domains/{id}': { params: id('Walk'), body: { DomainType: 'InternalRelay' } },
    'DELETE /organizations/{org}/accepted-domains/{id}': { params: id('Walk') },
    'GET /organizations/{org}/inbound-connectors': { params: org },
    'POST /organizations/{org}/inbound-connectors': { params: org, body: { Name: 'Walk', SenderDomains: ['*'], SenderIPAddresses: ['203.0.113.7'], RestrictDomainsToIPAddresses: true } },
    'GET /organizations/{org}/inbound-connectors/{id}': { params: id('Walk') },
    'PATCH /organizations/{org}/inbound-connectors/{id}': { params: id('Walk'), body: { SenderIPAddresses: { Add: ['203.0.113.8'] } } },
    'DELETE /organizations/{org}/inbound-connectors/{id}': { params: id('Walk') },
    'GET /organizations/{org}/transport-rules': { params: org },
    'GET /transport-rules/vocabulary': {},
    'POST /organizations/{org}/transport-rules': { params: org, body: { Name: 'Walk rule', SenderIpRanges: ['203.0.113.0/24'], SetSCL: 5 } },
    'GET /organizations/{org}/transport-rules/{id}': { params: id('Walk rule') },
    'PATCH /organizations/{org}/transport-rules/{id}': { params: id('Walk rule'), body: { Priority: 0, State: 'Disabled' } },
    'DELETE /organizations/{org}/transport-rules/{id}': { params: id('Walk rule') },
    'GET /organizations/{org}/quarantine': { params: org, query: 'Subject=hold-me' },
    'GET /organizations/{org}/quarantine/{id}': { params: id(heldItems[0].Identity) },
    'GET /organizations/{org}/quarantine/{id}/preview': { params: id(heldItems[0].Identity) },
    'GET /organizations/{org}/quarantine/{id}/preview.html': { params: id(heldItems[0].Identity) },
    'GET /organizations/{org}/quarantine/{id}/export': { params: id(heldItems[0].Identity) },
    'POST /organizations/{org}/quarantine/{id}/release': { params: id(heldItems[0].Identity), body: {} },
    'DELETE /organizations/{org}/quarantine/{id}': { params: id(heldItems[1].Identity) },
    'POST /organizations/{org}/quarantine/bulk': { params: org, body: { action: 'delete', identities: [heldItems[2].Identity] } },
    'GET /organizations/{org}/message-trace': { params: org, query: 'SenderAddress=sender@example.net' },
    'GET /organizations/{org}/message-trace/{messageTraceId}/recipients/{recipient}': { params: { ...org, messageTraceId: trace.MessageTraceId, recipient: trace.RecipientAddress } },
    'POST /organizations/{org}/hunting': { params: org, body: { query: 'EmailEvents | where SenderFromAddress == "sender@example.net" | count' } },
    'POST /organizations/{org}/simulate': { params: org, body: { ClientIP: '203.0.113.9', MailFrom: 'a@example.net', Recipients: ['user@contoso.com'], Subject: 'hold-me?' } },
    'GET /organizations/{org}/reports/inbound-messages': { params: org, query: 'days=7' },
    'GET /organizations/{org}/historical-searches': { params: org },
    'GET /organizations/{org}/direct-send/preview': { params: org, query: 'days=30' },
    'GET /organizations/{org}/audit-log': { params: org, query: 'CmdletName=New-TransportRule' },
    'POST /organizations/{org}/historical-searches': { params: org, body: { ReportTitle: 'walk 2', ReportType: 'ConnectorReport', ConnectorType: 'NoConnector', StartDate: start, EndDate: end } },
    'GET /organizations/{org}/historical-searches/{jobId}': { params: { ...org, jobId: search.body.JobId } },
    'GET /organizations/{org}/historical-searches/{jobId}/report.csv': { params: { ...org, jobId: search.body.JobId } },
    'POST /organizations/{org}/historical-searches/{jobId}/cancel': { params: { ...org, jobId: search.body.JobId } },
  };
}

const fill = (path: string, params: Record<string, string> = {}) => path.replace(/\{(\w+)\}/g, (_m, k: string) => encodeURIComponent(params[k] ?? 'x'));
/** Routes for the provider operator only: the walk calls them as the first-start admin. */
const PROVIDER_ROUTES: Record<string, Record<string, string> | undefined> = { 'POST /organizations': undefined, 'DELETE /organizations/{org}': { org: 'WalkOrg' } };
const READ_ONLY_POSTS = new Set(['POST /organizations/{org}/hunting', 'POST /organizations/{org}/simulate', 'POST /logout', 'POST /login', 'POST /tokens']);

describe('every route of the OpenAPI document', () => {
  const routes: { key: string; method: string; path: string; public: boolean }[] = [];
  let table: Record<string, Sample> = {};

  beforeAll(async () => {
    const doc = await client().get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const [path, ops] of Object.entries(doc.body.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      for (const [method, op] of Object.entries(ops)) routes.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, public: Array.isArray(op.security) && op.security.length === 0 });
    }
    table = await samples();
  }, 90_000);

  it('has a sample call for each route (a new route needs one here)', () => {
    expect(routes.map((r) => r.key).filter((k) => !(k in table))).toEqual([]);
    expect(Object.keys(table).filter((k) => !routes.some((r) => r.key === k))).toEqual([]);
  });

  it('refuses every non-public route without sign-in (401)', async () => {
    const anonymous = client();
    for (const r of routes.filter((x) => !x.public)) {
      const s = table[r.key];
      const res = await anonymous.call(r.method, `/api${fill(r.path, s.params)}${s.query ? `?${s.query}` : ''}`, s.body);
      expect(res.status, r.key).toBe(401);
    }
  });

  it("refuses another organization's caller on every organization route, as if it did not exist (404)", async () => {
    const other = await signedIn('om@fabrikam.com');
    for (const r of routes.filter((x) => x.path.startsWith('/organizations/{org}'))) {
      const s = table[r.key];
      const res = await other.call(r.method, `/api${fill(r.path, s.params)}${s.query ? `?${s.query}` : ''}`, s.body);
      expect(res.status, r.key).toBe(404);
      expect(res.body.error.parameter, r.key).toBe('Organization');
    }
  });

  it('lets a Security Reader change nothing (403 on every state-changing route)', async () => {
    const reader = await signedIn('reader@contoso.com');
    const changing = routes.filter((x) => x.method !== 'GET' && !READ_ONLY_POSTS.has(x.key) && x.key !== 'DELETE /tokens/{id}');
    expect(changing.length).toBeGreaterThan(15);
    for (const r of changing) {
      const s = table[r.key];
      const res = await reader.call(r.method, `/api${fill(r.path, s.params)}`, s.body);
      expect(res.status, r.key).toBe(403);
    }
    // and reads, hunting and reports work for them
    expect((await reader.get('/api/organizations/Contoso/inbound-connectors')).status).toBe(200);
    expect((await reader.post('/api/organizations/Contoso/hunting', { query: 'EmailEvents | count' })).status).toBe(200);
  });

  it('refuses a state-changing call made with the session cookie but without the CSRF token (403)', async () => {
    const om = await signedIn('om@contoso.com');
    om.omitCsrf = true;
    for (const r of routes.filter((x) => x.method !== 'GET' && x.key !== 'POST /login')) {
      const s = table[r.key];
      const res = await om.call(r.method, `/api${fill(r.path, s.params)}`, s.body);
      expect(res.status, r.key).toBe(403);
      expect(res.body.error.errorId, r.key).toBe('CsrfTokenMissing');
    }
  });

  it('serves every route to an administrator of the organization', async () => {
    const om = await signedIn('om@contoso.com');
    for (const r of routes) {
      const s = table[r.key];
      if (r.key.endsWith('/cancel')) {
        // A search finishes in moments: start the one to stop right before stopping it.
        const now = Date.now();
        const fresh = await om.post('/api/organizations/Contoso/historical-searches', { ReportTitle: 'to stop', ReportType: 'MessageTrace', StartDate: new Date(now - 86_400_000).toISOString(), EndDate: new Date(now).toISOString() });
        s.params = { org: 'Contoso', jobId: fresh.body.JobId };
      }
      const provider = r.key in PROVIDER_ROUTES;
      if (provider) expect((await om.call(r.method, `/api${fill(r.path, s.params)}`, s.body)).status, r.key).toBe(403);
      const caller = provider ? admin : om;
      const res = await caller.call(r.method, `/api${fill(r.path, PROVIDER_ROUTES[r.key] ?? s.params)}${s.query ? `?${s.query}` : ''}`, s.body);
      // A search can finish before it is stopped: Exchange's "already finished" answer is the route serving too.
      const finished = r.key.endsWith('/cancel') && res.status === 409 && res.body.error.errorId === 'InvalidOperation';
      if (!finished) expect(res.status, `${r.key}: ${res.text.slice(0, 300)}`).toBeLessThan(300);
      if (r.key === 'POST /logout') expect((await om.login('om@contoso.com', PASSWORD)).status).toBe(200);
    }
  }, 60_000);
});

describe('what the routes return', () => {
  it('the audit log names who changed what through the API, from where, before and after', async () => {
    const om = await signedIn('om@fabrikam.com');
    expect((await om.patch('/api/organizations/Fabrikam/config', { RejectDirectSend: true })).status).toBe(200);
    const log = await om.get('/api/organizations/Fabrikam/audit-log?CmdletName=Set-OrganizationConfig');
    expect(log.status).toBe(200);
    expect(log.body.items[0]).toMatchObject({ CmdletName: 'Set-OrganizationConfig', Succeeded: true, ClientIP: '127.0.0.1', ModifiedProperties: [{ Name: 'RejectDirectSend', OldValue: false, NewValue: true }] });
    expect(log.body.items[0].Caller).toMatch(/^om@fabrikam\.com/);
    const hunted = await om.post('/api/organizations/Fabrikam/hunting', { query: 'AdminAuditEvents | where CmdletName == "Set-OrganizationConfig" | project Caller' });
    expect(hunted.body.rows.length).toBeGreaterThan(0);
    const members = await (await signedIn('om@contoso.com')).get('/api/organizations/Contoso/audit-log?CmdletName=Add-RoleGroupMember');
    expect(members.body.items.map((e: { ObjectModified: string }) => e.ObjectModified)).toEqual(expect.arrayContaining(['om@contoso.com', 'reader@contoso.com']));
    const contosoSide = await (await signedIn('om@contoso.com')).post('/api/organizations/Contoso/hunting', { query: 'AdminAuditEvents | where Caller startswith "om@fabrikam.com"' });
    expect(contosoSide.body.rows).toEqual([]);
  });

  it('previews held HTML only under a sandboxing Content-Security-Policy', async () => {
    const qa = await signedIn('qa@contoso.com');
    swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'x@example.net', '--to', 'user@contoso.com', '--header', 'Subject: hold-me html', '--add-header', 'Content-Type: text/html', '--body', '<script>alert(1)</script><img src="https://tracker.example/p.gif">']);
    const item = await waitFor(async () => (await qa.get('/api/organizations/Contoso/quarantine')).body.items.find((m: { Subject: string }) => m.Subject === 'hold-me html'), 15_000, 'the held HTML message');
    const html = await qa.get(`/api/organizations/Contoso/quarantine/${encodeURIComponent(item.Identity)}/preview.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
    const reader = await signedIn('reader@contoso.com');
    expect((await reader.get(`/api/organizations/Contoso/quarantine/${encodeURIComponent(item.Identity)}/preview`)).status).toBe(403);
    expect((await reader.get('/api/organizations/Contoso/quarantine')).status).toBe(200);
  });

  it('a connector created through the API refuses mail at once over SMTP (5.7.51 for an unlisted IP)', async () => {
    const om = await signedIn('om@fabrikam.com');
    const r = await om.post('/api/organizations/Fabrikam/inbound-connectors', { Name: 'Partner only', SenderDomains: ['partner.example'], SenderIPAddresses: ['192.0.2.99'], RestrictDomainsToIPAddresses: true });
    expect(r.status, r.text).toBe(201);
    const refused = await waitFor(() => {
      const s = swaks(['--server', `127.0.0.1:${pg.smtpPort}`, '--from', 'someone@partner.example', '--to', 'user@fabrikam.com']);
      return /5\.7\.51/.test(s.out) ? s.out : undefined;
    }, 5_000, 'the restriction to take effect');
    expect(refused).toMatch(/550 5\.7\.51/);
  });
});
