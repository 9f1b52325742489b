// The admin REST API (helpers' contract, /api/openapi.json once served), one typed function per
// call. Every call sends the session cookie (same origin only) and, when it changes state, the
// CSRF token the server handed out at sign-in; a 401 anywhere tells the app to sign in again.

export interface ApiErrorBody {
  message: string;
  errorId?: string;
  category?: string;
  parameter?: string;
  line?: number;
  column?: number;
  position?: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
  get parameter(): string | undefined {
    return this.body.parameter;
  }
}

export interface User {
  userName: string;
  organization: string | null;
  roles: string[];
}
export interface OrganizationRef {
  Name: string;
  Guid: string;
}
export interface Session {
  user: User;
  csrfToken: string;
  organizations: OrganizationRef[];
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrganizationConfig {
  Identity: string;
  Name: string;
  Guid?: string;
  RejectDirectSend: boolean;
}

export interface InboundConnectorSettings {
  Name: string;
  ConnectorType: 'Partner' | 'OnPremises';
  SenderIPAddresses: string[];
  SenderDomains: string[];
  RestrictDomainsToIPAddresses: boolean;
  RequireTls: boolean;
  RestrictDomainsToCertificate: boolean;
  TlsSenderCertificateName: string | null;
  Enabled: boolean;
  Comment: string | null;
}
export interface InboundConnector extends InboundConnectorSettings {
  Identity: string;
  Guid?: string;
  WhenChanged?: string;
}

export interface TransportRule {
  Identity: string;
  Name: string;
  Priority: number;
  State: 'Enabled' | 'Disabled';
  Mode: string;
  Comments: string | null;
  Guid?: string;
  [parameter: string]: unknown;
}

export interface QuarantineMessage {
  Identity: string;
  ReceivedTime: string;
  Type: string;
  SenderAddress: string;
  RecipientAddress: string[];
  Subject: string;
  Size: number;
  Expires: string;
  ReleaseStatus: string;
  QuarantineTypes?: string;
  PolicyName?: string;
  [property: string]: unknown;
}
export interface QuarantinePreview {
  Identity: string;
  Subject: string;
  SenderAddress: string;
  RecipientAddress: string[] | string;
  Body: string;
  IsHtml: boolean;
  [property: string]: unknown;
}
export interface BulkResult {
  results: { identity: string; ok: boolean; error?: string | ApiErrorBody }[];
}

export interface MessageTraceRow {
  Received: string;
  SenderAddress: string;
  RecipientAddress: string;
  Subject: string;
  Status: string;
  FromIP: string | null;
  ToIP: string | null;
  Size: number;
  MessageId: string;
  MessageTraceId: string;
}
export interface MessageTraceDetail {
  Date: string;
  Event: string;
  Action: string | null;
  Detail: string;
  Data: string | null;
}

export interface HistoricalSearch {
  JobId: string;
  ReportTitle: string;
  ReportType: string;
  Status: string;
  SubmitDate: string;
  Rows?: number;
  [property: string]: unknown;
}
export interface HistoricalSearchRequest {
  ReportTitle: string;
  ReportType: string;
  StartDate: string;
  EndDate: string;
  ConnectorType?: string;
  Direction?: string;
  SenderAddress?: string[];
  RecipientAddress?: string[];
}

export interface HuntingColumn {
  name: string;
  type: string;
}
/** KQL `render`: the visualization's kind and its `with (...)` properties. */
export interface HuntingChart {
  kind: string;
  [property: string]: unknown;
}
export interface HuntingResult {
  columns: HuntingColumn[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  chart?: HuntingChart | null;
  elapsedMs: number;
}

/** A row of the admin center's "Connector report details" (its column names). */
export interface InboundReportRow {
  Date: string;
  'Connector direction and name': string;
  'Connector type': string;
  Volume: number;
  [property: string]: unknown;
}
export interface InboundReport {
  organization: string;
  startDate: string;
  endDate: string;
  days: number;
  rows: InboundReportRow[];
  volumeByDay: { Date: string; Volume: number }[];
  tlsByDay: ({ Date: string } & Record<string, number | string>)[];
}

export interface DirectSendGroup {
  EnhancedStatusCode: string;
  Status: string;
  SenderIP: string;
  SenderMailFromDomain: string;
  Connectors: string[] | string;
  Messages: number;
  Recipients: number;
  FirstSeen: string;
  LastSeen: string;
  SenderMailFromAddresses: string[] | string;
}
export interface DirectSendStep {
  Order: number;
  Action: string;
  Connector?: string | null;
  Messages?: number;
  Done: boolean;
  Explanation: string;
  Commands?: string[] | string;
}
export interface DirectSendSummary {
  EnhancedStatusCode: string;
  Status: string;
  Messages: number;
  Recipients: number;
}
export interface DirectSendPreview {
  groups: DirectSendGroup[];
  /** Per code and status: distinct messages and recipients. */
  summary: DirectSendSummary[];
  /** Connector names seen in traffic but not configured. */
  unknownConnectors?: string[];
  steps: DirectSendStep[];
}

export interface SimulationRequest {
  ClientIP: string;
  MailFrom: string;
  Recipients: string[];
  Subject?: string;
}
export interface SimulationResult {
  Decision: string;
  SmtpResponse?: string | null;
  Connector?: string | null;
  [property: string]: unknown;
}

export interface AuditEntry {
  RunDate: string;
  Caller: string;
  CmdletName: string;
  CmdletParameters: { Name: string; Value: unknown }[] | unknown;
  ObjectModified: string;
  ModifiedProperties?: { Name: string; OldValue: unknown; NewValue: unknown }[];
  Succeeded: boolean;
  Error?: string | null;
  ClientIP?: string | null;
}

type Query = Record<string, string | number | undefined | null>;

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

/** The app learns of a lost session here (any 401), to show the sign-in page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (response.status === 401 && path !== '/login' && path !== '/session') onUnauthorized();
  if (!response.ok) throw new ApiError(response.status, await errorBody(response));
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

async function errorBody(response: Response): Promise<ApiErrorBody> {
  try {
    const parsed = (await response.json()) as { error?: ApiErrorBody; message?: string };
    if (parsed.error?.message) return parsed.error;
    if (parsed.message) return { message: parsed.message };
  } catch {
    // not JSON: fall through to the status line
  }
  return { message: `The server answered ${response.status} ${response.statusText}.` };
}

const get = <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', withQuery(path, query), undefined, signal);
const orgPath = (org: string, path: string) => `/organizations/${encodeURIComponent(org)}${path}`;
const seg = encodeURIComponent;

export async function login(userName: string, password: string): Promise<{ user: User; csrfToken: string }> {
  const result = await request<{ user: User; csrfToken: string }>('POST', '/login', { userName, password });
  csrfToken = result.csrfToken;
  return result;
}
export async function getSession(): Promise<Session> {
  const session = await get<Session>('/session');
  csrfToken = session.csrfToken;
  if (!session.organizations) session.organizations = (await get<{ items: OrganizationRef[] }>('/organizations')).items;
  return session;
}
export async function logout(): Promise<void> {
  await request<void>('POST', '/logout');
  csrfToken = null;
}

export const getOrganizationConfig = (org: string) => get<OrganizationConfig>(orgPath(org, '/config'));
export const setOrganizationConfig = (org: string, changes: { RejectDirectSend: boolean }) =>
  request<OrganizationConfig>('PATCH', orgPath(org, '/config'), changes);

export const getInboundConnectors = (org: string) => get<Page<InboundConnector>>(orgPath(org, '/inbound-connectors'), { limit: 1000 });
export const newInboundConnector = (org: string, settings: Partial<InboundConnectorSettings>) =>
  request<InboundConnector>('POST', orgPath(org, '/inbound-connectors'), settings);
export const setInboundConnector = (org: string, identity: string, changes: Partial<InboundConnectorSettings>) =>
  request<InboundConnector>('PATCH', orgPath(org, `/inbound-connectors/${seg(identity)}`), changes);
export const removeInboundConnector = (org: string, identity: string) =>
  request<void>('DELETE', orgPath(org, `/inbound-connectors/${seg(identity)}`));

export const getTransportRules = (org: string) => get<Page<TransportRule>>(orgPath(org, '/transport-rules'), { limit: 1000 });
export const newTransportRule = (org: string, settings: Record<string, unknown>) =>
  request<TransportRule>('POST', orgPath(org, '/transport-rules'), settings);
export const setTransportRule = (org: string, identity: string, changes: Record<string, unknown>) =>
  request<TransportRule>('PATCH', orgPath(org, `/transport-rules/${seg(identity)}`), changes);
export const removeTransportRule = (org: string, identity: string) =>
  request<void>('DELETE', orgPath(org, `/transport-rules/${seg(identity)}`));

export const getQuarantine = (org: string, query: Query) => get<Page<QuarantineMessage>>(orgPath(org, '/quarantine'), query);
export const previewQuarantine = (org: string, identity: string) =>
  get<QuarantinePreview>(orgPath(org, `/quarantine/${seg(identity)}/preview`));
/** The HTML body's address, for a sandboxed iframe only (the server adds its own sandbox CSP). */
export const quarantinePreviewHtmlUrl = (org: string, identity: string) => `/api${orgPath(org, `/quarantine/${seg(identity)}/preview.html`)}`;
export const quarantineExportUrl = (org: string, identity: string) => `/api${orgPath(org, `/quarantine/${seg(identity)}/export`)}`;
export const bulkQuarantine = (org: string, action: 'release' | 'delete', identities: string[]) =>
  request<BulkResult>('POST', orgPath(org, '/quarantine/bulk'), { action, identities });

export const getMessageTrace = (org: string, query: Query) => get<Page<MessageTraceRow>>(orgPath(org, '/message-trace'), query);
export const getMessageTraceDetail = (org: string, messageTraceId: string, recipient: string) =>
  get<{ items: MessageTraceDetail[] }>(orgPath(org, `/message-trace/${seg(messageTraceId)}/recipients/${seg(recipient)}`));

export const getHistoricalSearches = (org: string) => get<Page<HistoricalSearch>>(orgPath(org, '/historical-searches'));
export const startHistoricalSearch = (org: string, search: HistoricalSearchRequest) =>
  request<HistoricalSearch>('POST', orgPath(org, '/historical-searches'), search);
export const cancelHistoricalSearch = (org: string, jobId: string) =>
  request<void>('POST', orgPath(org, `/historical-searches/${seg(jobId)}/cancel`));
export const historicalSearchCsvUrl = (org: string, jobId: string) => `/api${orgPath(org, `/historical-searches/${seg(jobId)}/report.csv`)}`;

export const hunt = (org: string, query: string, signal?: AbortSignal) =>
  request<HuntingResult>('POST', orgPath(org, '/hunting'), { query }, signal);

export const getInboundReport = (org: string, days: number) => get<InboundReport>(orgPath(org, '/reports/inbound-messages'), { days });
export const getDirectSendPreview = (org: string, days = 30) => get<DirectSendPreview>(orgPath(org, '/direct-send/preview'), { days });
export const simulate = (org: string, message: SimulationRequest) => request<SimulationResult>('POST', orgPath(org, '/simulate'), message);
export const getAuditLog = (org: string, query: Query) => get<Page<AuditEntry>>(orgPath(org, '/audit-log'), query);
