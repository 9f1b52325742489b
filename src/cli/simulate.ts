// `postern simulate`: what would happen to this message, stage by stage, and why — the same
// decision functions the gateway runs (admitRecipient, planMessage), against a data directory's
// configuration, without sending or storing anything.
import { Command, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dnsServerProblem } from '../config/server.js';
import { Authenticator } from '../auth/authenticator.js';
import type { AuthVerdicts } from '../auth/verify.js';
import { admitRecipient, type AdmittedRecipient } from '../mailflow/admitRecipient.js';
import { endOfDataRefusal, messageNeedsContent, planMessage } from '../mailflow/copyPlan.js';
import type { ClientFacts, MessageFacts } from '../message/facts.js';
import { compileSnapshot } from '../mailflow/snapshot.js';
import { describeEvaluation } from '../rules/index.js';
import { extractContent } from '../smtp/content.js';
import { parseHeaderBlock, splitHeader } from '../message/header.js';
import { parseIp } from '../message/ipAddress.js';
import type { ConfigReader } from '../store/ports.js';
import { CliError, withDataDir } from './common.js';
import { openNodeStore } from './nodeStore.js';

export interface Options {
  dataDir: string;
  /** The configuration store to read (Test-MailFlow on a node); default the data directory's SQLite. */
  config?: ConfigReader;
  format: 'text' | 'json';
  eml?: string;
  /** The message itself, instead of a file (Test-MailFlow -Message). */
  messageText?: string;
  header: string[];
  clientIp: string;
  helo: string;
  tls?: string;
  certName: string[];
  certUntrusted?: boolean;
  mailFrom: string;
  rcpt: string[];
  /** Authenticate the sender (SPF, DKIM, DMARC, ARC) through these DNS servers (host:port, or 'system'). */
  dnsServer: string[];
  dnsTimeoutMs?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The message as the decision stages see it, from an .eml file or --header options. */
function messageFacts(opts: Options, client: ClientFacts): MessageFacts {
  let head: Buffer;
  let size: number;
  if (opts.eml || opts.messageText !== undefined) {
    // Files saved on Unix often have bare LF line ends: read them as the CRLF message they stand for.
    const raw = (opts.messageText ?? readFileSync(opts.eml!).toString('utf8')).replace(/\r?\n/g, '\r\n');
    head = splitHeader(Buffer.from(raw)).header;
    size = opts.eml ? statSync(opts.eml).size : Buffer.byteLength(raw);
  } else {
    head = Buffer.from(opts.header.map((h) => `${h}\r\n`).join(''));
    size = head.length;
  }
  return { client, envelope: { mailFrom: opts.mailFrom, rcptTo: opts.rcpt }, headers: parseHeaderBlock(head), size };
}

/** The configuration to decide with: the one given (a running node's), else the store the data directory's settings name. */
async function snapshotOf(opts: Options) {
  if (opts.config) return compileSnapshot(opts.config.configVersion(), opts.config.organizations());
  const { config, close } = await openNodeStore(opts.dataDir, undefined, 'simulate');
  try {
    return compileSnapshot(config.configVersion(), config.organizations());
  } finally {
    await close();
  }
}

export async function simulate(opts: Options) {
  const snapshot = await snapshotOf(opts);
  const client: ClientFacts = {
    ip: opts.clientIp,
    helo: opts.helo,
    tlsVersion: opts.tls,
    tlsCipher: opts.tls ? 'simulated' : undefined,
    peerCertificate: opts.certName.length ? { subjectCN: opts.certName[0], dnsNames: opts.certName.map((n) => n.toLowerCase()), fingerprint256: 'simulated', trusted: !opts.certUntrusted } : undefined,
  };
  const facts = messageFacts(opts, client);
  const admitted: AdmittedRecipient[] = [];
  const recipients = opts.rcpt.map((address) => {
    const v = admitRecipient(snapshot, client, opts.mailFrom, address);
    const fd = v.admitted ? v.recipient.frontDoor : v.frontDoor;
    if (v.admitted) admitted.push(v.recipient);
    return {
      address,
      organization: (v.admitted ? v.recipient.org : v.org)?.Name ?? null,
      rcptReply: v.admitted ? '250 2.1.5 Accepted' : `${v.refusal.code} ${v.refusal.text}`,
      connector: fd?.trace.Connectors ?? '',
      matchedOn: fd?.trace.ConnectorMatch ?? '',
      attribution: fd?.attribution.reasons ?? [],
      admission: fd?.admission.reasons ?? [],
    };
  });
  const content = messageNeedsContent(admitted) ? await contentOf(opts) : undefined;
  const auth = admitted.length ? await authenticationOf(opts, client) : undefined;
  const plans = admitted.length ? planMessage(admitted, facts, { gatewayHost: GATEWAY_HOST, now: new Date(), newId: randomUUID, content, auth, explain: true }) : [];
  const refusal = endOfDataRefusal(plans);
  const dataReply = !admitted.length ? null : refusal ? `${refusal.plan.reply!.code} ${refusal.plan.reply!.text}` : '250 2.0.0 OK';
  const copies = plans.map(({ plan, recipients: group }) => ({
    organization: group[0].org.Name,
    recipients: plan.recipients,
    connector: plan.firewall.connectors,
    authAs: plan.firewall.authAs,
    emailDirection: plan.firewall.emailDirection,
    headerFirewall: { removed: plan.firewall.removed.map((h) => h.name), stamps: plan.firewall.stamps },
    authentication: plan.auth ? { compauth: plan.auth.compauth, action: plan.auth.action, reason: plan.auth.reason || undefined, AuthenticationDetails: plan.auth.fields.AuthenticationDetails, fields: plan.auth.fields } : undefined,
    rules: plan.rules?.explanations.map((e) => ({ name: e.rule.Name, priority: e.rule.Priority, mode: e.rule.Mode, status: e.status, conditions: e.conditions, exceptions: e.exceptions, actions: e.actions, error: e.error })) ?? [],
    ruleSummary: plan.rules ? describeEvaluation(plan.rules) : [],
    outcome: refusal && plan.outcome !== 'reject' && plan.outcome !== 'defer' ? 'refused-with-message' : plan.outcome,
    deliverTo: plan.deliverTo,
    reply: plan.reply ? `${plan.reply.code} ${plan.reply.text}` : undefined,
  }));
  // The one-word answer per recipient, as the live gateway would leave it.
  const disposition: Record<string, string> = {};
  for (const r of recipients) if (!r.rcptReply.startsWith('250')) disposition[r.address] = `refused ${r.rcptReply}`;
  for (const c of copies) for (const a of c.recipients) disposition[a] = refusal ? `refused ${dataReply}` : c.outcome;
  return { client, mailFrom: opts.mailFrom, recipients, dataReply, copies, disposition, authentication: auth && verdictSummary(auth) };
}

const GATEWAY_HOST = 'postern.simulate';

/** The verdicts live mail would get: only with a message to check and DNS servers to ask. */
async function authenticationOf(opts: Options, client: ClientFacts): Promise<AuthVerdicts | undefined> {
  if (!opts.dnsServer.length || (opts.eml === undefined && opts.messageText === undefined)) return undefined;
  const servers = opts.dnsServer.includes('system') ? 'system' : opts.dnsServer;
  const authenticator = new Authenticator({ dnsServers: servers, dnsTimeoutMs: Number(opts.dnsTimeoutMs ?? 2000), authenticationTimeoutMs: 10_000 }, createReadStream);
  try {
    const source = opts.eml ? opts.eml : Buffer.from(opts.messageText!.replace(/\r?\n/g, '\r\n'));
    return await authenticator.authenticate({ source, ip: client.ip, helo: client.helo, mailFrom: opts.mailFrom, hostname: GATEWAY_HOST });
  } finally {
    authenticator.close();
  }
}

function verdictSummary(v: AuthVerdicts) {
  return { spf: v.spf.result, dkim: v.dkim.map((d) => ({ result: d.result, domain: d.domain, selector: d.selector, algorithm: d.algorithm })), arc: v.arc.result, dmarc: v.dmarc ? { result: v.dmarc.result, policy: v.dmarc.policy, fromDomain: v.dmarc.fromDomain, orgDomain: v.dmarc.orgDomain } : null, timedOut: v.timedOut };
}

/** Body and attachments for rules that read them: from the .eml, or from the given text via a temporary file. */
async function contentOf(opts: Options) {
  if (opts.eml) return extractContent(opts.eml);
  if (opts.messageText === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'postern-simulate-'));
  try {
    const file = join(dir, 'message.eml');
    writeFileSync(file, opts.messageText.replace(/\r?\n/g, '\r\n'));
    return await extractContent(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A mailbox as SMTP carries it: a local part and a domain (dotted labels or an [address literal]).
const MAILBOX = /^[^\s<>@]+@(?:[^\s.@<>[\]]+(?:\.[^\s.@<>[\]]+)*|\[[^\s\]]+\])$/;

/** Refuse options the gateway could never see, rather than simulate some other message. */
function checkOptions(opts: Options): void {
  if (!parseIp(opts.clientIp)) throw new CliError(`--client-ip '${opts.clientIp}' is not an IP address; give the connecting client's IPv4 or IPv6 address, e.g. --client-ip 203.0.113.5`);
  if (opts.mailFrom !== '' && !MAILBOX.test(opts.mailFrom)) throw new CliError(`--mail-from '${opts.mailFrom}' is not an email address; give the envelope sender as user@domain, or '' for the null sender <>`);
  if (!opts.rcpt.length) throw new CliError('give at least one --rcpt');
  const bad = opts.rcpt.find((r) => !MAILBOX.test(r));
  if (bad !== undefined) throw new CliError(`--rcpt '${bad}' is not an email address; give each recipient as user@domain`);
  for (const server of opts.dnsServer) {
    const problem = server === 'system' ? undefined : dnsServerProblem(server);
    if (problem) throw new CliError(`--dns-server ${problem}`);
  }
  if (opts.dnsServer.length && opts.eml === undefined && opts.messageText === undefined) {
    throw new CliError('--dns-server checks a message: give it with --eml FILE (SPF alone would judge a message that is not there)');
  }
}

/** Exit statuses of `postern simulate`, worst first (usage errors exit 1). */
export const SIMULATE_EXIT = { accepted: 0, refused: 2, notDelivered: 3 } as const;

/** The exit status for a result: refused anywhere in the dialogue, else held or dropped, else accepted. */
export function simulateExitCode(r: Awaited<ReturnType<typeof simulate>>): number {
  if (r.recipients.some((rc) => !rc.rcptReply.startsWith('250')) || (r.dataReply !== null && !r.dataReply.startsWith('250'))) return SIMULATE_EXIT.refused;
  if (r.copies.some((c) => c.outcome !== 'deliver' && c.outcome !== 'redirect')) return SIMULATE_EXIT.notDelivered;
  return SIMULATE_EXIT.accepted;
}

function printText(r: Awaited<ReturnType<typeof simulate>>): void {
  const out: string[] = [];
  out.push(`Client ${r.client.ip} (HELO ${r.client.helo || '-'}), ${r.client.tlsVersion ?? 'no TLS'}${r.client.peerCertificate ? `, certificate ${r.client.peerCertificate.dnsNames.join(', ')} (${r.client.peerCertificate.trusted ? 'trusted' : 'untrusted'})` : ''}`);
  out.push(`MAIL FROM:<${r.mailFrom}>`);
  for (const rc of r.recipients) {
    out.push(`RCPT TO:<${rc.address}>  →  ${rc.rcptReply}`);
    out.push(`  organization: ${rc.organization ?? '(none: not an accepted domain)'}`);
    for (const line of new Set([...rc.attribution, ...rc.admission])) out.push(`  · ${line}`);
  }
  if (r.dataReply) out.push(`DATA  →  ${r.dataReply}`);
  for (const c of r.copies) {
    out.push('', `Copy for ${c.organization}: ${c.recipients.join(', ')}`);
    out.push(`  connector: ${c.connector || '(none: Direct Send)'}; AuthAs ${c.authAs}; ${c.emailDirection}`);
    if (c.authentication) out.push(`  authentication: ${c.authentication.AuthenticationDetails}; compauth=${c.authentication.compauth.result} reason=${c.authentication.compauth.reason}${c.authentication.reason ? ` (${c.authentication.reason})` : ''}`);
    else out.push('  authentication: not checked (give --eml FILE and --dns-server host:port or system; the live gateway checks SPF, DKIM and DMARC on every message)');
    if (c.headerFirewall.removed.length) out.push(`  header firewall removed: ${c.headerFirewall.removed.join(', ')}`);
    for (const line of c.ruleSummary) out.push(`  ${line}`);
    out.push(`  disposition: ${c.outcome}${c.deliverTo.length ? ` → ${c.deliverTo.join(', ')}` : ''}${c.reply ? ` (${c.reply})` : ''}`);
  }
  console.log(out.join('\n'));
}

export function register(program: Command): void {
  withDataDir(program.command('simulate'))
    .description('what would happen to a message, stage by stage, and why (nothing is sent or stored)')
    .option('--eml <file>', 'the message (.eml); otherwise give --header')
    .option('--header <field>', "a header field, e.g. --header 'Subject: hi' (repeatable)", collect, [])
    .requiredOption('--client-ip <ip>', 'the connecting client address')
    .option('--helo <name>', 'HELO/EHLO name', '')
    .option('--tls <version>', 'TLS version of the session (e.g. TLSv1.3); omit for plain text')
    .option('--cert-name <name>', 'a DNS name on the client certificate (repeatable; the first is the subject CN)', collect, [])
    .option('--cert-untrusted', 'the client certificate does not chain to the trust store')
    .requiredOption('--mail-from <address>', "envelope sender (MAIL FROM); '' for <>")
    .option('--rcpt <address>', 'envelope recipient (repeatable)', collect, [])
    .option('--dns-server <host:port>', "authenticate the sender (SPF, DKIM, DMARC, ARC) asking this DNS server, as serve's dnsServers ('system': the system's resolvers; repeatable; needs --eml)", collect, [])
    .option('--dns-timeout-ms <ms>', 'time limit of one DNS query', '2000')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Exit status:
  ${SIMULATE_EXIT.accepted}  accepted: every recipient would be delivered (or redirected)
  1  usage error (a missing or invalid option, no data directory)
  ${SIMULATE_EXIT.refused}  refused in the SMTP dialogue: a recipient at RCPT TO, or the message at DATA (5xx or 4xx)
  ${SIMULATE_EXIT.notDelivered}  accepted, but a copy would be quarantined or deleted rather than delivered`,
    )
    .action(async (opts: Options) => {
      checkOptions(opts);
      const result = await simulate(opts);
      if (opts.format === 'json') console.log(JSON.stringify(result, null, 2));
      else printText(result);
      process.exitCode = simulateExitCode(result);
    });
}
