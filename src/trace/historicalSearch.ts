// Historical search (Start-/Get-/Stop-HistoricalSearch, reference §7): jobs that turn up to 90
// days of trace into a CSV report, run in the background by the server
// (queue/historicalSearchRunner.ts), survive a restart (state and a resumable cursor are
// stored), and mail the CSV to NotifyAddress when done.
//
// The report rows come from EmailEvents (one row per message and recipient) with the
// message-trace status and the RECEIVE event's TLS facts. Postern's choices where Exchange's
// schema is unconfirmed (reference §11.4), documented here:
// - Status values: NotStarted, InProgress, Done, Failed, Cancelled.
// - CSV columns: Exchange's Enhanced summary names (origin_timestamp, sender_address,
//   Recipient_status, message_subject, total_bytes, message_id, network_message_id,
//   original_client_ip, directionality, connector_id) followed by Postern's recipient_address,
//   delivery_status, tls_version and transport_rule. directionality is the EmailDirection word
//   (Inbound, Intra-org) and Recipient_status is `address##Status`.
// - ConnectorReport: ConnectorType NoConnector = no inbound connector (EmailEvents.Connectors
//   empty); Partner/OnPremises = a connector of that type. Direction Received = Inbound and
//   Intra-org mail; Postern's own mails (reports, NDRs: Intra-org without a connector) are never
//   "received" and are left out. Sent finds nothing (Postern is an inbound gateway).
// - A report holds at most 100,000 rows; a longer one is cut there (Rows = 100000, Truncated).
import { randomUUID } from 'node:crypto';

/** Start-HistoricalSearch's parameters, with Exchange's names. */
export interface HistoricalSearchRequest {
  ReportTitle: string;
  StartDate: Date;
  EndDate: Date;
  ReportType: string;
  ConnectorType?: string;
  TLSUsed?: string;
  Direction?: 'All' | 'Received' | 'Sent';
  DeliveryStatus?: string;
  SenderAddress?: string[];
  RecipientAddress?: string[];
  MessageID?: string[];
  NetworkMessageID?: string[];
  OriginalClientIP?: string;
  NotifyAddress?: string[];
  TransportRule?: string[];
  DLPPolicy?: string[];
  Locale?: string;
  BlockStatus?: string;
  SmtpSecurityError?: string;
  CompressFile?: boolean;
  EncryptionTemplate?: string;
  EncryptionType?: string;
  Url?: string;
}

export interface HistoricalSearchObject {
  JobId: string;
  SubmitDate: Date;
  ReportTitle: string;
  Status: string;
  Rows: number;
  ErrorCode: string | null;
  ErrorDescription: string | null;
  ReportType: string;
  StartDate: Date;
  EndDate: Date;
  [property: string]: unknown;
}

export const REPORT_ROW_CAP = 100_000;
export const SEARCHES_PER_DAY = 250;
export const LIST_WINDOW_MS = 10 * 86_400_000;
export const SUPPORTED_REPORT_TYPES = ['MessageTrace', 'ConnectorReport', 'TransportRule'];

export type SearchStatus = 'NotStarted' | 'InProgress' | 'Done' | 'Failed' | 'Cancelled';

export interface SearchJob {
  jobId: string;
  orgGuid: string;
  submittedAt: number;
  submittedBy: string;
  reportTitle: string;
  reportType: string;
  startDate: number;
  endDate: number;
  request: StoredRequest;
  status: SearchStatus;
  progress: number;
  rows: number;
  cursorTs: number | null;
  cursorRowid: number | null;
  csvFile: string;
  csvBytes: number;
  errorCode: string | null;
  errorDescription: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  notifiedAt: number | null;
}

/** The request as stored (dates as epoch ms) plus the connector names a ConnectorType resolved to. */
export interface StoredRequest extends Omit<HistoricalSearchRequest, 'StartDate' | 'EndDate'> {
  /** ConnectorType Partner/OnPremises: the organization's connectors of that type at submission. */
  ConnectorNames?: string[];
}

/** The filter a batch scan applies (EmailEvents columns). */
export interface SearchFilter {
  orgGuid: string;
  start: number;
  end: number;
  /** '' = no connector; a list = one of these connectors; undefined = any. */
  connectors?: '' | string[];
  directions?: string[];
  senders?: string[];
  recipients?: string[];
  messageIds?: string[];
  networkMessageIds?: string[];
  clientIp?: string;
  deliveryStatus?: string;
  transportRules?: string[];
  /** Only rows a transport rule acted on. */
  anyTransportRule?: boolean;
  /** 'none' | '1.2' | '1.3' ... (TLSUsed). */
  tls?: string;
}

export interface ReportRow {
  timestamp: number;
  sender: string;
  recipient: string;
  subject: string;
  size: number;
  messageId: string;
  networkMessageId: string;
  clientIp: string;
  direction: string;
  connector: string;
  status: string;
  tls: string;
  transportRule: string;
}

export interface ScanResult {
  rows: ReportRow[];
  /** Position after the last row examined, or undefined when the window is exhausted. */
  next?: { ts: number; rowid: number };
}

/** Storage of jobs and the batch scan over the trace (adapter: store/sqlite/historicalSearchStore.ts). */
export interface HistoricalSearchStore {
  insert(job: SearchJob): void;
  list(orgGuid: string, since: number, jobId?: string): SearchJob[];
  countSince(orgGuid: string, since: number): number;
  get(jobId: string): SearchJob | undefined;
  /** Jobs to run or resume (NotStarted, InProgress, or Done but not yet mailed), oldest first. */
  pending(): SearchJob[];
  update(jobId: string, fields: Partial<Pick<SearchJob, 'status' | 'progress' | 'rows' | 'cursorTs' | 'cursorRowid' | 'csvFile' | 'csvBytes' | 'errorCode' | 'errorDescription' | 'startedAt' | 'finishedAt' | 'notifiedAt'>>): void;
  /** NotStarted/InProgress → Cancelled. */
  cancel(orgGuid: string, jobId: string): 'ok' | 'notFound' | 'finished';
  /** Examine at most `limit` trace rows after `after` (in time order) and return those matching. */
  scan(filter: SearchFilter, after: { ts: number; rowid: number } | undefined, limit: number): ScanResult;
}

export class HistoricalSearchError extends Error {
  constructor(
    message: string,
    readonly parameter: string,
  ) {
    super(message);
  }
}

/** Start/Get/Stop for the shell, scoped by the caller to one organization. */
export class HistoricalSearches {
  constructor(
    private readonly store: HistoricalSearchStore,
    private readonly connectorNames: (orgGuid: string, type: string) => string[],
    private readonly now: () => number = Date.now,
  ) {}

  start(orgGuid: string, req: HistoricalSearchRequest, submittedBy: string): HistoricalSearchObject {
    if (!SUPPORTED_REPORT_TYPES.includes(req.ReportType)) {
      throw new HistoricalSearchError(`ReportType: Postern produces ${SUPPORTED_REPORT_TYPES.join(', ')} reports; '${req.ReportType}' is not available.`, 'ReportType');
    }
    if (req.ConnectorType && req.ReportType !== 'ConnectorReport') throw new HistoricalSearchError('ConnectorType: only ConnectorReport searches take -ConnectorType.', 'ConnectorType');
    if (req.CompressFile) throw new HistoricalSearchError('CompressFile: Postern sends the CSV uncompressed; leave -CompressFile $false.', 'CompressFile');
    const now = this.now();
    if (this.store.countSince(orgGuid, now - 86_400_000) >= SEARCHES_PER_DAY) {
      throw new HistoricalSearchError(`ReportTitle: the organization has started ${SEARCHES_PER_DAY} historical searches in the last 24 hours, the limit; try again later.`, 'ReportTitle');
    }
    const { StartDate, EndDate, ...rest } = req;
    const request: StoredRequest = { ...rest };
    if (req.ConnectorType === 'Partner' || req.ConnectorType === 'OnPremises') request.ConnectorNames = this.connectorNames(orgGuid, req.ConnectorType);
    const job: SearchJob = {
      jobId: randomUUID(),
      orgGuid,
      submittedAt: now,
      submittedBy,
      reportTitle: req.ReportTitle,
      reportType: req.ReportType,
      startDate: StartDate.getTime(),
      endDate: EndDate.getTime(),
      request,
      status: 'NotStarted',
      progress: 0,
      rows: 0,
      cursorTs: null,
      cursorRowid: null,
      csvFile: '',
      csvBytes: 0,
      errorCode: null,
      errorDescription: null,
      startedAt: null,
      finishedAt: null,
      notifiedAt: null,
    };
    this.store.insert(job);
    return searchObject(job);
  }

  list(orgGuid: string, jobId?: string): HistoricalSearchObject[] {
    return this.store.list(orgGuid, this.now() - LIST_WINDOW_MS, jobId?.toLowerCase()).map(searchObject);
  }

  stop(orgGuid: string, jobId: string): 'ok' | 'notFound' | 'finished' {
    return this.store.cancel(orgGuid, jobId.toLowerCase());
  }

  /** The finished report's CSV file (in the data directory) of the organization's job. */
  report(orgGuid: string, jobId: string): { job: HistoricalSearchObject; csvFile: string; csvBytes: number } | 'notFound' | 'notDone' {
    const job = this.store.get(jobId.toLowerCase());
    if (!job || job.orgGuid !== orgGuid) return 'notFound';
    if (job.status !== 'Done' || !job.csvFile) return 'notDone';
    return { job: searchObject(job), csvFile: job.csvFile, csvBytes: job.csvBytes };
  }
}

export function searchObject(j: SearchJob): HistoricalSearchObject {
  return {
    JobId: j.jobId,
    SubmitDate: new Date(j.submittedAt),
    ReportTitle: j.reportTitle,
    Status: j.status,
    Rows: j.rows,
    ErrorCode: j.errorCode,
    ErrorDescription: j.errorDescription,
    ReportType: j.reportType,
    StartDate: new Date(j.startDate),
    EndDate: new Date(j.endDate),
    Progress: j.progress,
    SubmittedBy: j.submittedBy,
    NotifyAddress: j.request.NotifyAddress ?? [],
    ConnectorType: j.request.ConnectorType ?? null,
    Direction: j.request.Direction ?? 'All',
    DeliveryStatus: j.request.DeliveryStatus ?? null,
    CompletionDate: j.finishedAt ? new Date(j.finishedAt) : null,
    Truncated: j.rows >= REPORT_ROW_CAP,
  };
}

/** The scan filter a job's request means. */
export function searchFilter(job: SearchJob): SearchFilter {
  const r = job.request;
  const f: SearchFilter = { orgGuid: job.orgGuid, start: job.startDate, end: job.endDate };
  if (r.ConnectorType === 'NoConnector') f.connectors = '';
  else if (r.ConnectorType) f.connectors = r.ConnectorNames ?? [];
  if (r.Direction === 'Received') f.directions = ['Inbound', 'Intra-org'];
  else if (r.Direction === 'Sent') f.directions = ['Outbound'];
  if (r.SenderAddress?.length) f.senders = r.SenderAddress;
  if (r.RecipientAddress?.length) f.recipients = r.RecipientAddress;
  if (r.MessageID?.length) f.messageIds = r.MessageID.map((m) => m.trim().replace(/^<|>$/g, ''));
  if (r.NetworkMessageID?.length) f.networkMessageIds = r.NetworkMessageID.map((m) => m.trim().toLowerCase());
  if (r.OriginalClientIP) f.clientIp = r.OriginalClientIP.trim();
  if (r.DeliveryStatus) f.deliveryStatus = r.DeliveryStatus;
  if (r.TransportRule?.length) f.transportRules = r.TransportRule;
  if (job.reportType === 'TransportRule') f.anyTransportRule = true;
  if (r.TLSUsed) f.tls = tlsLabel(r.TLSUsed);
  return f;
}

/** TLS version words (TLSUsed values, Node's 'TLSv1.3', trace 'none') to one label: 'No TLS', 'TLS 1.2', ... */
export function tlsLabel(v: string | undefined | null): string {
  const m = (v ?? '').match(/(\d\.\d)/);
  return m ? `TLS ${m[1]}` : 'No TLS';
}

export const CSV_COLUMNS = [
  'origin_timestamp', 'sender_address', 'Recipient_status', 'message_subject', 'total_bytes', 'message_id', 'network_message_id',
  'original_client_ip', 'directionality', 'connector_id', 'recipient_address', 'delivery_status', 'tls_version', 'transport_rule',
];

function csvCell(v: string | number): string {
  let s = String(v);
  // A cell that a spreadsheet would evaluate as a formula is quoted as text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvLine(r: ReportRow): string {
  return [
    new Date(r.timestamp).toISOString(), r.sender, `${r.recipient}##${r.status}`, r.subject, r.size, r.messageId, r.networkMessageId,
    r.clientIp, r.direction, r.connector, r.recipient, r.status, r.tls, r.transportRule,
  ].map(csvCell).join(',') + '\r\n';
}

/** Percent done, from how far the cursor has moved through the window. */
export function progressOf(job: Pick<SearchJob, 'startDate' | 'endDate'>, cursorTs: number | null): number {
  if (cursorTs === null) return 0;
  const span = job.endDate - job.startDate;
  return span <= 0 ? 100 : Math.max(0, Math.min(99, Math.floor(((cursorTs - job.startDate) / span) * 100)));
}

/** The notification mail: a short text and the CSV as an attachment (RFC 5322 / MIME, CRLF). */
export function reportMail(job: SearchJob, csv: Buffer, opts: { from: string; to: string[]; now: Date; messageId: string }): Buffer {
  const boundary = `=_postern_${job.jobId.replace(/-/g, '')}`;
  const name = `${job.reportTitle.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'report'}.csv`;
  const subject = `Historical search '${job.reportTitle}' is ready`.replace(/[\r\n]+/g, ' ');
  const enc = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`);
  const text = [
    `Your historical search '${job.reportTitle}' (${job.reportType}) has finished.`,
    '',
    `Job ID:     ${job.jobId}`,
    `Window:     ${new Date(job.startDate).toISOString()} to ${new Date(job.endDate).toISOString()}`,
    `Rows:       ${job.rows}${job.rows >= REPORT_ROW_CAP ? ` (cut at the ${REPORT_ROW_CAP} row limit)` : ''}`,
    `Submitted:  ${new Date(job.submittedAt).toISOString()} by ${job.submittedBy}`,
    '',
    'The report is attached as CSV.',
  ].join('\r\n');
  const b64 = csv.toString('base64').replace(/.{1,76}/g, '$&\r\n');
  const lines = [
    `From: Postern reports <${opts.from}>`,
    `To: ${opts.to.join(', ')}`,
    `Subject: ${enc(subject)}`,
    `Date: ${opts.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${opts.messageId}>`,
    'MIME-Version: 1.0',
    'Auto-Submitted: auto-generated',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(text).toString('base64').replace(/.{1,76}/g, '$&\r\n').trimEnd(),
    `--${boundary}`,
    `Content-Type: text/csv; charset=utf-8; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    b64.trimEnd(),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
