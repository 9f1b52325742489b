// Settings of one Postern node (not of an organization): listeners, limits, retry policy, trust.
// Read from YAML (`serve --config FILE`, default <data-dir>/postern.yaml when present). The keys
// are Postern's own camelCase names, matched case-insensitively; an unknown one is refused
// (config/keys.ts), so a misspelled limit never silently falls back to its default.
import { z } from 'zod';
import { parseIp } from '../message/ipAddress.js';
import { parseYamlFile } from './yamlFile.js';

const HostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port');

/** How long message trace and hunting rows are kept unless traceRetentionDays says otherwise (Exchange keeps 90 days). */
const DEFAULT_TRACE_RETENTION_DAYS = 90;

/**
 * `store`: 'sqlite' (the default), the embedded database in the data directory; or a PostgreSQL
 * URL, the database several nodes share.
 */
const StoreSetting = z.string().superRefine((v, ctx) => {
  const problem = storeProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const ServerSettings = z.object({
  hostname: z.string().default('postern.localhost'),
  smtp: HostPort.default('127.0.0.1:2525'),
  /** Optional implicit-TLS (SMTPS) listener. */
  smtps: HostPort.optional(),
  http: HostPort.default('127.0.0.1:8025'),
  /**
   * PEM certificate chain and key for the admin listener (HTTPS). Required, with at least one
   * admin user, when http is not a loopback address: passwords and sessions never cross a network
   * in clear text.
   */
  httpTlsCertFile: z.string().optional(),
  httpTlsKeyFile: z.string().optional(),
  /** PEM bundle of CAs that client certificates must chain to (default <data-dir>/tls/client-ca.pem if present). */
  clientCaFile: z.string().optional(),
  trustedProxies: z.array(z.string()).default([]),
  /**
   * Early-talker pause before the greeting for clients that are not trusted (milliseconds).
   * Clients in trustedNetworks or in any connector's SenderIPAddresses are greeted at once.
   */
  earlyTalkerDelayMs: z.number().int().min(0).max(10_000).default(0),
  trustedNetworks: z.array(z.string()).default([]),
  limits: z
    .object({
      maxMessageSize: z.number().int().positive(),
      maxRecipients: z.number().int().positive(),
      maxLineLength: z.number().int().positive(),
      maxHeaderBytes: z.number().int().positive(),
      maxConnectionsPerIp: z.number().int().positive(),
      maxConnections: z.number().int().positive(),
      idleTimeoutMs: z.number().int().positive(),
      sessionTimeoutMs: z.number().int().positive(),
      /** Minimum DATA rate in bytes/s (as Postfix's smtpd_min_data_rate, default 500); 0 disables it. */
      minDataRate: z.number().int().min(0),
      /** DATA time before the minimum rate applies (default 30,000 ms). */
      minDataRateGraceMs: z.number().int().min(0),
      /** Content inspection: MIME parts per message (default 250), nesting depth (10), distinct URLs (500). */
      maxMimeParts: z.number().int().positive(),
      maxMimeDepth: z.number().int().positive(),
      maxUrlsPerMessage: z.number().int().positive(),
    })
    .partial()
    .default({}),
  retry: z.object({ initialMs: z.number().int().positive(), maxMs: z.number().int().positive(), maxLifetimeMs: z.number().int().positive() }).partial().default({}),
  /**
   * Processes that take SMTP sessions. 1: one process does everything. n > 1 or 'auto' (one per
   * core, at most 8): a primary (delivery, housekeeping, admin HTTP) and n SMTP worker processes.
   */
  smtpProcesses: z.union([z.literal('auto'), z.number().int().min(1).max(64)]).default(1),
  deliveryConcurrency: z.number().int().min(1).max(1000).default(20),
  /** Days of message trace, EmailEvents and SmtpRejectEvents kept (Exchange: 90). */
  traceRetentionDays: z.number().int().min(1).max(3650).default(DEFAULT_TRACE_RETENTION_DAYS),
  /** Check SPF, DKIM, DMARC and ARC on every message and act on them per organization (AntiPhishPolicy). */
  senderAuthentication: z.boolean().default(true),
  /** DNS servers for sender authentication, as host:port (or host), or 'system' for the system's resolvers. */
  dnsServers: z.union([z.literal('system'), z.array(z.string().superRefine((v, ctx) => {
    const problem = dnsServerProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })).min(1)]).default('system'),
  /** One DNS query's time limit. */
  dnsTimeoutMs: z.number().int().min(50).max(30_000).default(2000),
  /** The most one message's authentication may take (DNS included); unfinished checks are temperror. */
  authenticationTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  queuePollMs: z.number().int().min(10).default(1000),
  configPollMs: z.number().int().min(50).default(500),
  store: StoreSetting.default('sqlite'),
});
export type ServerSettings = z.infer<typeof ServerSettings>;

/**
 * Parse the settings file's text (empty when there is none); `overrides` (command-line options)
 * win over the file. Throws ConfigFileError with every problem at file:line:column.
 */
export function parseServerSettings(text: string, fileName: string, overrides: Partial<Record<keyof ServerSettings, unknown>> = {}): ServerSettings {
  return parseYamlFile(ServerSettings, text, fileName, overrides);
}

export function splitHostPort(hp: string): { host: string; port: number } {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hp.slice(i + 1)) };
}

/**
 * Why a dnsServers entry is not a DNS server the resolver can ask, or undefined. Node's resolver
 * takes IP addresses only (no host names), with an optional port: 192.0.2.53, 192.0.2.53:5353,
 * 2001:db8::53, [2001:db8::53]:5353.
 */
export function dnsServerProblem(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const v4 = /^([^:]+):(\d+)$/.exec(entry);
  const [host, port] = parseIp(entry) ? [entry, undefined] : bracketed ? [bracketed[1], bracketed[2]] : v4 ? [v4[1], v4[2]] : [entry, undefined];
  const ok = parseIp(host) !== undefined && (!bracketed || host.includes(':')) && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
  return ok ? undefined : `'${entry}' is not a DNS server address: give an IP address with an optional port (192.0.2.53, 127.0.0.1:5353, [2001:db8::53]:5353), or 'system'`;
}

/** Which engine a `store` setting names (valid ones: see storeProblem). */
export function storeEngine(store: string): 'sqlite' | 'postgres' {
  return store === 'sqlite' ? 'sqlite' : 'postgres';
}

/**
 * Why a `store` value names no store Postern can use, or undefined. A PostgreSQL URL names its
 * server (a host, or ?host= with a socket directory); an unparsable value is not repeated back,
 * as it may hold a password.
 */
export function storeProblem(value: string): string | undefined {
  const what = "give 'sqlite' (the default: the embedded database in the data directory) or a PostgreSQL URL such as postgres://postern@db.example:5432/postern";
  if (value === 'sqlite') return undefined;
  let url: URL;
  try {
    // scheme://…: a bare 'host:port' would parse as the scheme 'host:'.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new Error('no scheme');
    url = new URL(value);
  } catch {
    return `not a URL: ${what}`;
  }
  if (url.password) url.password = '***';
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `'${url}' is not a store Postern knows: ${what}`;
  if (!url.hostname && !url.searchParams.get('host')) return `'${url}' names no server: ${what}`;
  return undefined;
}
