// Hosted quarantine and message trace. Held message content is untrusted: the preview comes as
// data (JSON) or as an HTML document served under a sandboxing Content-Security-Policy, so a
// page that shows it in an <iframe sandbox> runs none of its scripts and loads nothing remote.
import { z } from 'zod';
import { invokeCmdlet } from '../../shell/index.js';
import { objectNotFound } from '../../admin/errors.js';
import { errorResponse } from '../http/errors.js';
import { queryDate } from '../http/query.js';
import { PageQuery, pageOf, readCursor } from '../http/paging.js';
import { route, type RouteSpec } from '../http/route.js';

const Org = z.object({ org: z.string() });
const Held = z.object({ org: z.string(), id: z.string().describe('Identity: NetworkMessageId\\RecipientGuid') });
const list = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(z.string()));

const QuarantineFilter = PageQuery.extend({
  SenderAddress: list.optional(),
  RecipientAddress: list.optional(),
  Subject: z.string().optional(),
  QuarantineTypes: list.optional(),
  ReleaseStatus: list.optional(),
  StartReceivedDate: queryDate().optional(),
  EndReceivedDate: queryDate().optional(),
}).strict();

const TraceFilter = PageQuery.extend({
  SenderAddress: list.optional(),
  RecipientAddress: list.optional(),
  MessageId: list.optional(),
  Status: list.optional(),
  Subject: z.string().optional(),
  FromIP: z.string().optional(),
  StartDate: queryDate().optional(),
  EndDate: queryDate().optional(),
}).strict();

/** The preview as a document of its own: the sandbox directive gives it an opaque origin and no scripts, whoever frames it. */
const PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One page of an admin operation that pages by number (Get-QuarantineMessage, Get-MessageTrace): the query's filters and its cursor. */
async function paged<Q extends { cursor?: string; limit?: number }, T>(query: Q, fetch: (filters: Omit<Q, 'cursor' | 'limit'>, page: { Page: number; PageSize: number }) => Promise<T[]>) {
  const { cursor: _cursor, limit: _limit, ...filters } = query;
  const page = readCursor(query);
  return pageOf(await fetch(filters, { Page: page.page, PageSize: page.size }), page);
}

export function mailRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', path: '/organizations/{org}/quarantine', tag: 'Quarantine', permission: 'quarantine.read', cmdlet: 'Get-QuarantineMessage', summary: 'Messages held in quarantine, newest first.',
      params: Org, query: QuarantineFilter,
      handler: ({ admin, query }) => paged(query, (filters, page) => admin.getQuarantineMessages({ ...filters, ...page })),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/quarantine/{id}', tag: 'Quarantine', permission: 'quarantine.read', cmdlet: 'Get-QuarantineMessage', summary: 'One held message.',
      params: Held,
      handler: async ({ admin, params }) => (await admin.getQuarantineMessages({ Identity: params.id, Page: 1, PageSize: 1 }))[0] ?? Promise.reject(objectNotFound(params.id, undefined, 'Identity')),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/quarantine/{id}/preview', tag: 'Quarantine', permission: 'quarantine.manage', cmdlet: 'Preview-QuarantineMessage', summary: 'The held message as data (Body is untrusted text or HTML).',
      params: Held,
      handler: ({ admin, params }) => admin.previewQuarantineMessage(params.id),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/quarantine/{id}/preview.html', tag: 'Quarantine', permission: 'quarantine.manage', produces: 'text/html; charset=utf-8', cmdlet: 'Preview-QuarantineMessage', summary: 'The held message body as a sandboxed document (no scripts, no remote content) for an <iframe sandbox>.',
      params: Held,
      async handler({ admin, params, reply }) {
        const p = await admin.previewQuarantineMessage(params.id);
        reply.header('content-security-policy', PREVIEW_CSP).header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
        return p.IsHtml ? p.Body : `<!doctype html><meta charset="utf-8"><pre style="white-space:pre-wrap;font:13px monospace">${escapeHtml(p.Body)}</pre>`;
      },
    }),
    route({
      method: 'GET', path: '/organizations/{org}/quarantine/{id}/export', tag: 'Quarantine', permission: 'quarantine.manage', produces: 'message/rfc822', cmdlet: 'Export-QuarantineMessage', summary: 'Download the held message (.eml).',
      params: Held,
      async handler({ admin, params, reply }) {
        const e = await admin.exportQuarantineMessage(params.id, {});
        reply.header('content-disposition', `attachment; filename="${params.id.replace(/[^A-Za-z0-9-]/g, '_')}.eml"`).header('cache-control', 'no-store');
        return Buffer.from(e.Eml, 'base64');
      },
    }),
    route({
      method: 'POST', path: '/organizations/{org}/quarantine/{id}/release', tag: 'Quarantine', permission: 'quarantine.manage', status: 204, cmdlet: 'Release-QuarantineMessage', summary: 'Release a held message to all its original recipients.',
      params: Held, body: z.object({ ReleaseToAll: z.literal(true).optional(), AllowSender: z.boolean().optional(), ReportFalsePositive: z.boolean().optional() }).strict().optional(),
      handler: async ({ admin, params, body }) => void (await invokeCmdlet(admin, 'Release-QuarantineMessage', { Identity: params.id, ...body, ReleaseToAll: true })),
    }),
    route({
      method: 'DELETE', path: '/organizations/{org}/quarantine/{id}', tag: 'Quarantine', permission: 'quarantine.manage', status: 204, cmdlet: 'Delete-QuarantineMessage', summary: 'Delete a held message.',
      params: Held,
      handler: async ({ admin, params }) => void (await invokeCmdlet(admin, 'Delete-QuarantineMessage', { Identity: params.id })),
    }),
    route({
      method: 'POST', path: '/organizations/{org}/quarantine/bulk', tag: 'Quarantine', permission: 'quarantine.manage', cmdlet: 'Release-QuarantineMessage', summary: 'Release or delete several held messages; one result per message.',
      params: Org, body: z.object({ action: z.enum(['release', 'delete']), identities: z.array(z.string()).min(1).max(1000) }).strict(),
      async handler({ admin, body }) {
        const results = [];
        for (const identity of body.identities) {
          try {
            if (body.action === 'release') await invokeCmdlet(admin, 'Release-QuarantineMessage', { Identity: identity, ReleaseToAll: true });
            else await invokeCmdlet(admin, 'Delete-QuarantineMessage', { Identity: identity });
            results.push({ identity, ok: true });
          } catch (e) {
            const { status, body: err } = errorResponse(e);
            if (status >= 500) throw e;
            results.push({ identity, ok: false, error: err.error });
          }
        }
        return { results };
      },
    }),
    route({
      method: 'GET', path: '/organizations/{org}/message-trace', tag: 'Message trace', permission: 'read', cmdlet: 'Get-MessageTrace', summary: 'Message trace: one row per message and recipient (default the last 48 hours; up to 10 days back).',
      params: Org, query: TraceFilter,
      handler: ({ admin, query }) => paged(query, (filters, page) => admin.getMessageTrace({ ...filters, ...page })),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/message-trace/{messageTraceId}/recipients/{recipient}', tag: 'Message trace', permission: 'read', cmdlet: 'Get-MessageTraceDetail', summary: "One recipient's events, in order (receive, rules, quarantine, delivery ...).",
      params: z.object({ org: z.string(), messageTraceId: z.string(), recipient: z.string() }),
      handler: async ({ admin, params }) => ({ items: await admin.getMessageTraceDetail({ MessageTraceId: params.messageTraceId, RecipientAddress: params.recipient }), nextCursor: null }),
    }),
  ];
}
