// The admin HTTP server: health and Prometheus metrics for now; the REST API and the admin
// center mount here as they land.
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayMetrics, WorkerMetrics } from './metrics.js';

export async function startHttp(opts: { host: string; port: number; metrics: GatewayMetrics; workerMetrics?: () => Promise<WorkerMetrics[]>; health: () => Record<string, unknown> }): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ status: 'ok', ...opts.health() }));
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.exposition(opts.workerMetrics ? await opts.workerMetrics() : []);
  });
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : opts.port };
}
