// The admin center's serving over real HTTP: static files, the client-route fallback, the
// security headers on every response, and the one-line answer when the web app was not built.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, registerWebApp } from './web.js';

const INDEX = '<!doctype html><title>Postern admin center</title><script type="module" src="/assets/index-abc.js"></script>';
let app: FastifyInstance | undefined;
let dir: string | undefined;

afterEach(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = dir = undefined;
});

async function serve(build: boolean): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'postern-web-'));
  if (build) {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log("admin center")');
  }
  app = Fastify();
  app.get('/health', async () => ({ status: 'ok' }));
  // A route that picks its own policy, like the quarantine's sandboxed HTML preview.
  app.get('/api/organizations/contoso/quarantine/1/preview.html', async (_req, reply) =>
    reply.header('content-security-policy', "sandbox; default-src 'none'").type('text/html').send('<p>hi</p>'),
  );
  registerWebApp(app, { root: dir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function expectStrictHeaders(response: Response) {
  expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
}

describe('the admin center served by postern serve', () => {
  it('serves index.html at / and the hashed assets, with the strict policy and long caching for assets', async () => {
    const base = await serve(true);
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expectStrictHeaders(page);
    const asset = await fetch(`${base}/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expectStrictHeaders(asset);
  });

  it('answers a client route (a reload on /quarantine) with index.html, but not a server path or a non-HTML request', async () => {
    const base = await serve(true);
    const route = await fetch(`${base}/quarantine?SenderAddress=x`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    expectStrictHeaders(route);
    const api = await fetch(`${base}/api/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { message: string } }).error.message).toContain('/api/nothing-here');
    expectStrictHeaders(api);
    expect((await fetch(`${base}/health`)).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect((await fetch(`${base}/missing.png`, { headers: { accept: 'image/png' } })).status).toBe(404);
    expect((await fetch(`${base}/quarantine`, { method: 'POST', headers: { accept: 'text/html' } })).status).toBe(404);
  });

  it("leaves a route's own policy alone and lets the admin center frame it (the sandboxed mail preview)", async () => {
    const base = await serve(true);
    const preview = await fetch(`${base}/api/organizations/contoso/quarantine/1/preview.html`);
    expect(preview.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(preview.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(preview.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('says how to build the admin center when dist/web is missing', async () => {
    const base = await serve(false);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('admin center was not built');
    expect(text).toContain('npm run build');
    expect(text.trim().split('\n')).toHaveLength(1);
    expectStrictHeaders(page);
  });
});
