// Serves the admin center (the static build of web/, in dist/web/) and puts the browser's
// security headers on every response of the HTTP server: a strict Content-Security-Policy (no
// inline script or style anywhere in the app), no MIME sniffing, no referrer, no framing.
// Client-side routes (/quarantine, /hunting, ...) get index.html, so a reload or a bookmark works.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Where `npm run build` puts the admin center: dist/web/ of the package (this file is in src/api/ or dist/api/). */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

/** Paths that belong to the server, never to the web app's router. */
const SERVER_PATHS = /^\/(api|health|metrics)(\/|$|\?)/;

const NOT_BUILT = 'The admin center was not built: run `npm run build` (it writes dist/web/), then restart postern serve.\n';

/**
 * A response that chose its own policy keeps it: the quarantine's HTML preview carries a sandbox
 * CSP and is framed by the admin center itself, so it may be framed by its own origin only.
 */
function securityHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  const own = reply.getHeader('content-security-policy');
  if (own === undefined) {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-frame-options', 'DENY');
  } else if (!reply.hasHeader('x-frame-options') && !String(own).includes('frame-ancestors')) {
    reply.header('x-frame-options', 'SAMEORIGIN');
  }
}

function wantsApp(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (SERVER_PATHS.test(request.url)) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') || accept.includes('*/*');
}

function notFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({ error: { message: `Nothing is at ${request.method} ${request.url.split('?')[0]}.`, errorId: 'NotFound', category: 'ObjectNotFound' } });
}

/**
 * Mounts the admin center on `app`: static files from `root` (dist/web), index.html for client
 * routes, and the security headers on every response (call it before the routes are ready).
 */
export function registerWebApp(app: FastifyInstance, opts: { root: string }): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });

  if (!existsSync(join(opts.root, 'index.html'))) {
    app.get('/', async (_request, reply) => reply.type('text/plain; charset=utf-8').send(NOT_BUILT));
    return;
  }

  app.register(fastifyStatic, {
    root: opts.root,
    prefix: '/',
    index: ['index.html'],
    // Routes for the files the build wrote (it does not change while serving), not a catch-all:
    // an unknown /api path then reaches the API's own not-found answer.
    wildcard: false,
    // Vite names every asset by its content hash: it never changes; index.html always may.
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes(`${join('/', 'assets', '/')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.setNotFoundHandler((request, reply) => {
    if (!wantsApp(request)) return notFound(request, reply);
    return reply.sendFile('index.html');
  });
}
