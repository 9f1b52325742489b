// The admin HTTP server: health, Prometheus metrics, and — when the composition root gives it
// the admin context — the REST API under /api (sign-in, roles, every admin operation) with its
// OpenAPI document at /api/openapi.json.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AccessControl } from './access/service.js';
import { registerAccess } from './access/plugin.js';
import { installErrorHandler } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { registerRoutes, route, type ApiContext, type RouteSpec } from './http/route.js';
import type { GatewayMetrics, WorkerMetrics } from './metrics.js';
import { accessRoutes } from './routes/access.js';
import { configurationRoutes } from './routes/configuration.js';
import { investigationRoutes } from './routes/investigation.js';
import { mailRoutes } from './routes/mail.js';
import { registerWebApp, WEB_ROOT } from './web.js';

export interface AdminApi {
  access: AccessControl;
  context: ApiContext;
  /** The data directory (historical search reports live there). */
  dataDir: string;
  version: string;
}

export interface HttpOptions {
  host: string;
  port: number;
  metrics: GatewayMetrics;
  workerMetrics?: () => Promise<WorkerMetrics[]>;
  /** Merged into /health's body (`status` included, which is 'ok' unless this says otherwise). */
  health: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  admin?: AdminApi;
  /** The gateway's log: failed API requests (5xx) are logged there. */
  logger?: FastifyBaseLogger;
  /** PEM key and certificate: the listener speaks HTTPS. */
  tls?: { key: Buffer; cert: Buffer };
}

/** Every route of the REST API, in the order the OpenAPI document lists them. */
export function apiRoutes(admin: AdminApi): RouteSpec[] {
  let document: unknown;
  const routes: RouteSpec[] = [
    route({ method: 'GET', path: '/openapi.json', tag: 'Documentation', permission: 'public', summary: 'This document.', handler: async () => (document ??= openApiDocument(routes, admin.version)) }),
    ...accessRoutes(admin.access, admin.context),
    ...configurationRoutes(),
    ...mailRoutes(),
    ...investigationRoutes(admin.dataDir),
  ];
  return routes;
}

async function registerApi(app: FastifyInstance, admin: AdminApi): Promise<void> {
  await app.register(
    async (api) => {
      installErrorHandler(api);
      api.addHook('onSend', async (_req, reply) => {
        reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store').header('x-content-type-options', 'nosniff');
      });
      await registerAccess(api, admin.access);
      registerRoutes(api, admin.context, apiRoutes(admin));
    },
    { prefix: '/api' },
  );
}

export async function startHttp(opts: HttpOptions): Promise<{ app: FastifyInstance; port: number }> {
  // Bodies: a simulated message may be up to 10 MB of text.
  const app = Fastify({ ...(opts.logger ? { loggerInstance: opts.logger, logController: new LogController({ disableRequestLogging: true }) } : { logger: false }), bodyLimit: 12 * 1024 * 1024, ...(opts.tls && { https: opts.tls }) });
  app.get('/health', async () => ({ status: 'ok', ...(await opts.health()) }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.exposition(opts.workerMetrics ? await opts.workerMetrics() : []);
  });
  if (opts.admin) await registerApi(app, opts.admin);
  registerWebApp(app, { root: WEB_ROOT });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : opts.port };
}
