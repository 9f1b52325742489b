// Hunting, simulation, reports and historical searches.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { HuntCancelledError, HuntInternalError, HuntTimeoutError, KqlError } from '../../hunting/index.js';
import { invokeCmdlet } from '../../shell/index.js';
import { ApiError } from '../http/errors.js';
import { PageQuery, readCursor, slicePage } from '../http/paging.js';
import { queryDate, queryInt } from '../http/query.js';
import { route, type RouteSpec } from '../http/route.js';

const Org = z.object({ org: z.string() });
const Job = z.object({ org: z.string(), jobId: z.string() });
const MAX_HUNTING_ROWS = 30_000;

/** A hunting failure as a 400 with its position (KQL errors), or a 408/499-like refusal. */
function huntingError(e: unknown): unknown {
  if (e instanceof KqlError) {
    return new ApiError(400, e.message, { errorId: 'KqlError', category: 'InvalidArgument', parameter: 'query', line: e.line, column: e.column, position: e.pos });
  }
  if (e instanceof HuntTimeoutError) return new ApiError(408, e.message, { errorId: 'QueryTimeout', category: 'OperationTimeout', parameter: 'query' });
  if (e instanceof HuntCancelledError) return new ApiError(499, e.message, { errorId: 'QueryCancelled', category: 'OperationStopped' });
  if (e instanceof HuntInternalError) return new ApiError(500, e.message, { errorId: 'HuntInternalError', category: 'NotSpecified' });
  return e;
}

export function investigationRoutes(dataDir: string): RouteSpec[] {
  return [
    route({
      method: 'POST', path: '/organizations/{org}/hunting', tag: 'Advanced hunting', permission: 'investigate', cmdlet: 'Invoke-Hunting', summary: 'Run a KQL query over EmailEvents and the other hunting tables. Closing the connection cancels it.',
      params: Org, body: z.object({ query: z.string().min(1).max(100_000), limit: z.number().int().min(1).max(MAX_HUNTING_ROWS).optional() }).strict(),
      async handler({ admin, body, reply }) {
        // The caller going away (or pressing Cancel, which aborts the fetch) closes the response
        // before it was written: that ends the query.
        const cancel = new AbortController();
        const onClose = () => {
          if (!reply.raw.writableEnded) cancel.abort();
        };
        reply.raw.once('close', onClose);
        try {
          return await admin.runHuntingQuery(body.query, { Limit: body.limit ?? 10_000, signal: cancel.signal });
        } catch (e) {
          throw huntingError(e);
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    }),
    route({
      method: 'POST', path: '/organizations/{org}/simulate', tag: 'Simulation', permission: 'investigate', cmdlet: 'Test-MailFlow', summary: 'What would happen to this message, stage by stage, and why. Nothing is delivered.',
      params: Org,
      body: z
        .object({
          ClientIP: z.string(),
          MailFrom: z.string(),
          Recipients: z.array(z.string()).min(1),
          HeloName: z.string(),
          TlsVersion: z.enum(['None', 'TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3']),
          CertificateName: z.string(),
          Authenticated: z.boolean(),
          Message: z.string().max(10_000_000),
          From: z.string(),
          Subject: z.string(),
          Headers: z.record(z.string(), z.string()),
        })
        .partial()
        .required({ ClientIP: true, MailFrom: true, Recipients: true })
        .strict(),
      handler: async ({ admin, body }) => (await invokeCmdlet(admin, 'Test-MailFlow', body)).output[0],
    }),
    route({
      method: 'GET', path: '/organizations/{org}/reports/inbound-messages', tag: 'Reports', permission: 'read', summary: 'The Inbound messages report: volume per day per connector (NoConnector: Direct Send) and TLS version.',
      params: Org, query: z.object({ days: queryInt().optional() }).strict(),
      handler: ({ admin, query }) => admin.inboundMessagesReport({ days: query.days }),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/direct-send/preview', tag: 'Reports', permission: 'read', summary: 'What locking the back door would break: the senders Reject Direct Send (5.7.68) and restricted connectors (5.7.51) refuse or would refuse, judged under the configuration in force now, and the ordered steps with their cmdlets.',
      params: Org, query: z.object({ days: queryInt().optional() }).strict(),
      handler: ({ admin, query }) => admin.directSendPreview({ days: query.days }),
    }),
    route({
      method: 'GET', path: '/organizations/{org}/audit-log', tag: 'Audit log', permission: 'read', cmdlet: 'Search-AdminAuditLog', summary: 'Every change to the organization (who, what, before and after), newest first.',
      params: Org,
      query: z
        .object({
          StartDate: queryDate().optional(),
          EndDate: queryDate().optional(),
          Caller: z.string().optional(),
          CmdletName: z.string().optional(),
          ObjectModified: z.string().optional(),
          cursor: z.string().max(100).optional(),
          limit: queryInt(1, 1000).optional(),
        })
        .strict(),
      async handler({ admin, query }) {
        const limit = query.limit ?? 50;
        const items = await admin.searchAdminAuditLog({
          StartDate: query.StartDate,
          EndDate: query.EndDate,
          UserIds: query.Caller ? [query.Caller] : undefined,
          Cmdlets: query.CmdletName ? [query.CmdletName] : undefined,
          ObjectIds: query.ObjectModified ? [query.ObjectModified] : undefined,
          Cursor: query.cursor,
          ResultSize: limit,
        });
        return { items, nextCursor: items.length === limit ? items[items.length - 1].Identity : null };
      },
    }),
    route({
      method: 'GET', path: '/organizations/{org}/historical-searches', tag: 'Historical search', permission: 'read', cmdlet: 'Get-HistoricalSearch', summary: 'Historical searches of the last 10 days.',
      params: Org, query: PageQuery,
      handler: async ({ admin, query }) => slicePage(await admin.getHistoricalSearches(), readCursor(query)),
    }),
    route({
      method: 'POST', path: '/organizations/{org}/historical-searches', tag: 'Historical search', permission: 'search', status: 201, cmdlet: 'Start-HistoricalSearch', summary: "Start a historical search from Start-HistoricalSearch's parameters (ReportTitle, ReportType, StartDate, EndDate, ConnectorType ...).",
      params: Org, body: z.record(z.string(), z.unknown()),
      handler: async ({ admin, body }) => (await invokeCmdlet(admin, 'Start-HistoricalSearch', body)).output[0],
    }),
    route({
      method: 'GET', path: '/organizations/{org}/historical-searches/{jobId}', tag: 'Historical search', permission: 'read', cmdlet: 'Get-HistoricalSearch', summary: 'One historical search and its status.',
      params: Job,
      handler: async ({ admin, params }) => (await admin.getHistoricalSearches(params.jobId))[0],
    }),
    route({
      method: 'GET', path: '/organizations/{org}/historical-searches/{jobId}/report.csv', tag: 'Historical search', permission: 'read', produces: 'text/csv; charset=utf-8', summary: "A finished search's report (CSV).",
      params: Job,
      async handler({ admin, params, reply }) {
        const r = await admin.historicalSearchReport(params.jobId);
        const name = r.job.ReportTitle.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 100) || r.job.JobId;
        reply.header('content-disposition', `attachment; filename="${name}.csv"`).header('content-length', r.csvBytes).header('cache-control', 'no-store');
        return createReadStream(resolve(dataDir, r.csvFile));
      },
    }),
    route({
      method: 'POST', path: '/organizations/{org}/historical-searches/{jobId}/cancel', tag: 'Historical search', permission: 'search', status: 204, cmdlet: 'Stop-HistoricalSearch', summary: 'Stop a search that has not finished.',
      params: Job,
      handler: async ({ admin, params }) => void (await invokeCmdlet(admin, 'Stop-HistoricalSearch', { JobId: params.jobId })),
    }),
  ];
}
