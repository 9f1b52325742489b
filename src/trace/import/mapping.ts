// One record of an export → the hunting row(s) it means, with Defender's column meanings, marked
// as imported (AdditionalFields `{"Imported": "<file>", "Source": "<format>"}`). A record that
// cannot be read (a bad date or IP address, no recipient, the wrong number of fields) is a reason,
// never an exception.
//
// What an export does not say is filled in as Exchange would have it, and the summary says so:
// - Connectors (empty = the message came through no connector: Direct Send). A historical search
//   report names it (connector_id); Get-MessageTrace output does not, so it is derived from the
//   organization's inbound connectors as they are configured now, by the sender's IP address and
//   MAIL FROM domain, with the attribution the gateway itself runs (the caller hands it in as
//   `ConnectorOf`: mailflow/importAttribution.ts).
// - EmailDirection: Inbound when the recipient is in an accepted domain (Intra-org when no client
//   IP was recorded: mail submitted inside Exchange Online), Outbound otherwise.
// - SenderFromAddress (the From: header): message trace records the envelope sender only, which
//   stands in for it.
import { domainOf } from '../../message/facts.js';
import { formatIp, parseIp } from '../../message/ipAddress.js';
import { EmailEvents, ORG_COLUMN, type HuntingRow, type HuntingTable } from '../tables.js';
import { parseExportDate, type ExportFormat } from './formats.js';
import type { ImportRow } from './types.js';

export interface ImportOrganization {
  Guid: string;
  AcceptedDomains: readonly { DomainName: string }[];
}

/** The inbound connector a message from `ip` with this MAIL FROM to `recipient` comes through, as configured now. */
export type ConnectorOf = (message: { ip: string; mailFrom: string; recipient: string }) => { name: string; matchedOn: string } | undefined;

export type Mapped = { rows: ImportRow[] } | { skip: string };

/** The message × recipient an export row describes, before it becomes a row. */
interface Message {
  timestamp: number;
  networkMessageId: string;
  internetMessageId: string;
  mailFrom: string;
  from: string;
  recipient: string;
  subject: string;
  ip: string;
  size: number;
  direction: string;
  /** undefined: the export does not say. */
  connectors?: string;
  status: string;
  tls: string;
  /** Further EmailEvents columns (advanced hunting exports). */
  columns: HuntingRow;
  additional: Record<string, unknown>;
}

class Skip extends Error {}

export class RowMapper {
  private readonly accepted: ReadonlySet<string>;
  /** Rows whose connector was derived from the configuration, and how many of them matched one. */
  derived = { rows: 0, attributed: 0 };

  constructor(
    readonly format: ExportFormat,
    private readonly org: ImportOrganization,
    private readonly fileName: string,
    private readonly connectorOf: ConnectorOf,
  ) {
    this.accepted = new Set(org.AcceptedDomains.map((d) => d.DomainName.toLowerCase()));
  }

  map(fields: readonly string[], line: number): Mapped {
    const want = this.format.header.length;
    if (fields.length !== want) return { skip: `${fields.length} field(s) where the header has ${want}` };
    try {
      if (this.format.table !== EmailEvents) return { rows: [this.huntingRow(this.format.table, fields, line)] };
      return { rows: this.messages(fields).map((m) => this.emailEventsRow(m, line)) };
    } catch (e) {
      if (e instanceof Skip) return { skip: e.message };
      throw e;
    }
  }

  /** What this file could not tell, for the summary. */
  notes(): string[] {
    const notes: string[] = [];
    const c = this.format.columns;
    if (this.derived.rows > 0) {
      notes.push(
        `The export does not say which connector a message came through: Connectors was derived from the organization's inbound connectors as configured now, by sender IP and MAIL FROM domain (${this.derived.attributed} of ${this.derived.rows} row(s) matched a connector; the rest count as no connector, i.e. Direct Send).`,
      );
    }
    if (this.format.source !== 'AdvancedHunting') {
      notes.push('Message trace records the envelope sender only: SenderFromAddress (the From: header) holds the MAIL FROM address.');
      if (!c.has('directionality')) notes.push('EmailDirection was derived: Inbound for recipients in the accepted domains (Intra-org without a client IP), Outbound otherwise.');
      notes.push('Authentication results (SPF, DKIM, DMARC) are not in the export: AuthenticationDetails is empty.');
    }
    return notes;
  }

  private messages(f: readonly string[]): Message[] {
    switch (this.format.source) {
      case 'HistoricalSearch':
        return this.historicalSearch(f);
      case 'MessageTrace':
        return [this.messageTrace(f)];
      default:
        return [this.advancedHunting(f)];
    }
  }

  private get(f: readonly string[], ...names: string[]): string {
    for (const n of names) {
      const i = this.format.columns.get(n.toLowerCase());
      if (i !== undefined) return f[i].trim();
    }
    return '';
  }

  private historicalSearch(f: readonly string[]): Message[] {
    // Postern's own reports quote a cell a spreadsheet would evaluate with a leading apostrophe.
    const own = this.format.columns.has('delivery_status');
    const text = (v: string) => (own ? v.replace(/^'(?=[=+\-@\t\r])/, '') : v);
    const ip = this.ip(f, 'original_client_ip');
    const recipients = this.get(f, 'recipient_address')
      ? [{ address: this.get(f, 'recipient_address'), status: this.get(f, 'delivery_status') || statusOfEvents(this.get(f, 'recipient_status').split('##')[1] ?? '') }]
      : this.get(f, 'recipient_status').split(';').filter((s) => s.trim()).map((s) => {
          const [address, events = ''] = s.split('##');
          return { address: address.trim(), status: statusOfEvents(events) };
        });
    if (!recipients.length) throw new Skip('no recipient in Recipient_status');
    const directionality = this.get(f, 'directionality');
    return recipients.map((r) => {
      const sender = this.get(f, 'sender_address');
      return {
        timestamp: this.date(f, 'origin_timestamp', 'origin_timestamp_utc'),
        networkMessageId: this.required(f, 'network_message_id'),
        internetMessageId: this.get(f, 'message_id'),
        mailFrom: sender,
        from: sender,
        recipient: this.recipient(r.address),
        subject: text(this.get(f, 'message_subject')),
        ip,
        size: this.number(f, 'total_bytes'),
        direction: directionOf(directionality) ?? this.direction(r.address, ip),
        connectors: this.format.columns.has('connector_id') ? text(this.get(f, 'connector_id')) : undefined,
        status: r.status,
        tls: this.get(f, 'tls_version'),
        columns: {},
        additional: {},
      };
    });
  }

  private messageTrace(f: readonly string[]): Message {
    const ip = this.ip(f, 'FromIP');
    const recipient = this.recipient(this.get(f, 'RecipientAddress'));
    const sender = this.get(f, 'SenderAddress');
    return {
      timestamp: this.date(f, 'Received'),
      networkMessageId: this.required(f, 'MessageTraceId'),
      internetMessageId: this.get(f, 'MessageId'),
      mailFrom: sender,
      from: sender,
      recipient,
      subject: this.get(f, 'Subject'),
      ip,
      size: this.number(f, 'Size'),
      direction: this.direction(recipient, ip),
      status: this.get(f, 'Status'),
      tls: '',
      columns: {},
      additional: {},
    };
  }

  private advancedHunting(f: readonly string[]): Message {
    const columns = this.columnsOf(EmailEvents, f);
    const ip = this.ip(f, 'SenderIPv4') || this.ip(f, 'SenderIPv6');
    const recipient = this.recipient(this.get(f, 'RecipientEmailAddress'));
    let additional: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(this.get(f, 'AdditionalFields') || '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) additional = parsed as Record<string, unknown>;
    } catch {
      additional = { OriginalAdditionalFields: this.get(f, 'AdditionalFields') };
    }
    const action = this.get(f, 'DeliveryAction');
    const location = this.get(f, 'DeliveryLocation');
    return {
      timestamp: this.date(f, 'Timestamp'),
      networkMessageId: this.required(f, 'NetworkMessageId'),
      internetMessageId: this.get(f, 'InternetMessageId'),
      mailFrom: this.get(f, 'SenderMailFromAddress'),
      from: this.get(f, 'SenderFromAddress'),
      recipient,
      subject: this.get(f, 'Subject'),
      ip,
      size: this.number(f, 'EmailSize'),
      direction: this.get(f, 'EmailDirection') || this.direction(recipient, ip),
      connectors: this.format.columns.has('connectors') ? this.get(f, 'Connectors') : undefined,
      status: /quarantine/i.test(location) ? 'Quarantined' : action === 'Junked' ? 'FilteredAsSpam' : action === 'Blocked' ? 'Failed' : action ? 'Delivered' : '',
      tls: '',
      columns,
      additional,
    };
  }

  private emailEventsRow(m: Message, line: number): ImportRow {
    let connectors = m.connectors;
    const additional: Record<string, unknown> = { ...m.additional, Imported: this.fileName, Source: this.format.source };
    if (connectors === undefined) {
      const a = this.connectorOf({ ip: m.ip, mailFrom: m.mailFrom, recipient: m.recipient });
      connectors = a?.name ?? '';
      this.derived.rows++;
      if (a) {
        this.derived.attributed++;
        additional.ConnectorMatch = a.matchedOn;
      }
      additional.ConnectorDerived = true;
    }
    const { action, location } = deliveryOf(m.status);
    const row: HuntingRow = {
      ...m.columns,
      [ORG_COLUMN]: this.org.Guid,
      Timestamp: m.timestamp,
      NetworkMessageId: m.networkMessageId,
      InternetMessageId: m.internetMessageId,
      SenderMailFromAddress: m.mailFrom,
      SenderMailFromDomain: domainOf(m.mailFrom),
      SenderFromAddress: m.from,
      SenderFromDomain: domainOf(m.from),
      SenderIPv4: m.ip.includes(':') ? '' : m.ip,
      SenderIPv6: m.ip.includes(':') ? m.ip : '',
      RecipientEmailAddress: m.recipient,
      RecipientDomain: domainOf(m.recipient),
      Subject: m.subject,
      EmailDirection: m.direction,
      Connectors: connectors,
      EmailSize: m.size,
      AdditionalFields: JSON.stringify(additional),
    };
    row.DeliveryAction ||= action;
    row.DeliveryLocation ||= location;
    row.LatestDeliveryAction ||= row.DeliveryAction;
    row.LatestDeliveryLocation ||= row.DeliveryLocation;
    row.AuthenticationDetails ||= '{}';
    const authAs = connectors ? 'Partner' : m.direction === 'Intra-org' ? 'Internal' : 'Anonymous';
    const base = { orgGuid: this.org.Guid, networkMessageId: m.networkMessageId, recipient: m.recipient };
    return {
      line,
      table: EmailEvents.name,
      row,
      trace: {
        row: { ...base, receivedAt: m.timestamp, sender: m.mailFrom, subject: m.subject, status: m.status || 'Delivered', fromIp: m.ip, size: m.size, internetMessageId: m.internetMessageId, connector: connectors },
        receive: {
          ...base,
          at: m.timestamp,
          event: 'RECEIVE',
          action: 'Receive',
          detail: `Imported from ${this.fileName} (${this.format.label}), line ${line}`,
          data: `connector=${connectors}; authas=${authAs}; tls=${tlsWord(m.tls)}; imported=${this.fileName}`,
        },
      },
    };
  }

  /** A row of another hunting table, its columns as the export has them. */
  private huntingRow(table: HuntingTable, f: readonly string[], line: number): ImportRow {
    const row: HuntingRow = { ...this.columnsOf(table, f), [ORG_COLUMN]: this.org.Guid, Timestamp: this.date(f, 'Timestamp'), NetworkMessageId: this.required(f, 'NetworkMessageId') };
    return { line, table: table.name, row };
  }

  /** The export's values of the table's columns, each read as its Kusto type. */
  private columnsOf(table: HuntingTable, f: readonly string[]): HuntingRow {
    const row: HuntingRow = {};
    for (const c of table.columns) {
      const i = this.format.columns.get(c.name.toLowerCase());
      if (i === undefined || c.name === 'Timestamp') continue;
      const v = f[i].trim();
      if (c.type === 'int' || c.type === 'long' || c.type === 'real') {
        if (v === '') continue;
        const n = Number(v.replace(/,/g, ''));
        if (!Number.isFinite(n)) throw new Skip(`'${clip(v)}' in ${c.name} is not a number`);
        row[c.name] = n;
      } else if (c.type === 'datetime') {
        if (v) row[c.name] = this.dateValue(v, c.name);
      } else row[c.name] = f[i];
    }
    return row;
  }

  private date(f: readonly string[], ...names: string[]): number {
    const name = names.find((n) => this.format.columns.has(n.toLowerCase())) ?? names[0];
    return this.dateValue(this.get(f, name), name);
  }

  private dateValue(v: string, name: string): number {
    const t = parseExportDate(v);
    if (t === undefined) throw new Skip(v ? `'${clip(v)}' in ${name} is not a date` : `no date in ${name}`);
    return t;
  }

  private ip(f: readonly string[], name: string): string {
    const v = this.get(f, name);
    if (!v) return '';
    const ip = parseIp(v);
    if (!ip) throw new Skip(`'${clip(v)}' in ${name} is not an IP address`);
    return formatIp(ip);
  }

  private number(f: readonly string[], name: string): number {
    const v = this.get(f, name).replace(/,/g, '');
    if (!v) return 0;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Skip(`'${clip(v)}' in ${name} is not a size`);
    return n;
  }

  private required(f: readonly string[], name: string): string {
    const v = this.get(f, name);
    if (!v) throw new Skip(`no ${name}`);
    return v;
  }

  private recipient(address: string): string {
    const a = address.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(a)) throw new Skip(a ? `'${clip(a)}' is not a recipient address` : 'no recipient address');
    return a;
  }

  private direction(recipient: string, ip: string): string {
    if (!this.accepted.has(domainOf(recipient).toLowerCase())) return 'Outbound';
    return ip ? 'Inbound' : 'Intra-org';
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** directionality: 1/2 (Exchange's numbers) or a word (Postern's reports). */
function directionOf(v: string): string | undefined {
  const w = v.toLowerCase();
  if (w === '1' || w === 'inbound' || w === 'incoming') return 'Inbound';
  if (w === '2' || w === 'outbound' || w === 'originating') return 'Outbound';
  if (w === 'intra-org' || w === 'intraorg') return 'Intra-org';
  return undefined;
}

/** Recipient_status's event list (`Receive, Deliver`) → a message-trace Status. */
function statusOfEvents(events: string): string {
  const last = events.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean).pop() ?? '';
  if (last === 'deliver' || last === 'send' || last === 'transfer') return 'Delivered';
  if (last === 'fail' || last === 'drop') return 'Failed';
  if (last === 'expand') return 'Expanded';
  if (last.startsWith('quarantine')) return 'Quarantined';
  return last ? 'Pending' : '';
}

/** Get-MessageTrace's Status → Defender's DeliveryAction and DeliveryLocation. */
function deliveryOf(status: string): { action: string; location: string } {
  switch (status.toLowerCase()) {
    case 'quarantined':
      return { action: 'Blocked', location: 'Quarantine' };
    case 'failed':
      return { action: 'Blocked', location: 'Failed' };
    case 'filteredasspam':
      return { action: 'Junked', location: 'Junk folder' };
    default:
      return { action: 'Delivered', location: status.toLowerCase() === 'delivered' ? 'Inbox/folder' : '' };
  }
}

function tlsWord(v: string): string {
  const m = v.match(/(\d\.\d)/);
  return m ? `TLSv${m[1] === '1.0' ? '1' : m[1]}` : 'none';
}
