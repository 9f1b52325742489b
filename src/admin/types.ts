// What the admin operations take and return, one organization at a time: Exchange's object and
// parameter names, because they are what Format-List, Where-Object, ConvertTo-Json and the REST
// API show the admin. The operations are in one module per aggregate beside this file.
//
// Conventions for values crossing this interface:
// - multi-valued properties are string arrays (never null; empty = not set);
// - dates are Date objects in UTC; sizes are numbers of bytes;
// - enum values use Exchange's canonical casing ('Partner', 'Enforce', 'Enabled');
// - identities are a name or a GUID string; an operation throws `objectNotFound` (errors.ts)
//   when nothing of its organization matches, and `objectExists` on a duplicate name;
// - "changes" objects contain only what the admin set; `null` clears a property. Multi-valued
//   @{Add=...; Remove=...} edits are already applied by the caller (it reads the current object).
import type { DirectSendPreview } from '../mailflow/directSendPreview.js';
import type { DirectSendSenderGroup } from '../mailflow/directSendPlan.js';
import type { HardeningPlan } from '../mailflow/directSendScript.js';
import type { GroupReplay } from '../mailflow/directSendVerify.js';
import type { AuditModifiedProperty } from '../store/ports.js';
import type { HistoricalSearchObject, HistoricalSearchRequest } from '../trace/historicalSearch.js';
import type { HuntResult } from '../hunting/results.js';
import type { InboundReport } from '../trace/inboundReport.js';

export type { AuditModifiedProperty, DirectSendPreview, HistoricalSearchObject, HistoricalSearchRequest, HuntResult, InboundReport };

export type AcceptedDomainType = 'Authoritative' | 'InternalRelay' | 'ExternalRelay';

export interface AcceptedDomainObject {
  Identity: string;
  Name: string;
  DomainName: string;
  DomainType: AcceptedDomainType;
  Default: boolean;
  Guid?: string;
  WhenCreated?: Date;
  WhenChanged?: Date;
  [property: string]: unknown;
}

export interface NewAcceptedDomainRequest {
  Name: string;
  DomainName: string;
  DomainType: AcceptedDomainType;
}

export interface AcceptedDomainChanges {
  Name?: string;
  DomainType?: AcceptedDomainType;
  /** MakeDefault $true makes this the default domain (the previous default loses it). */
  MakeDefault?: boolean;
}

export interface OrganizationConfigObject {
  Identity: string;
  Name: string;
  Guid?: string;
  RejectDirectSend: boolean;
  [property: string]: unknown;
}

export interface OrganizationConfigChanges {
  RejectDirectSend?: boolean;
}

export interface AntiPhishPolicyObject {
  Identity: string;
  Name: string;
  EnableSpoofIntelligence: boolean;
  HonorDmarcPolicy: boolean;
  DmarcRejectAction: 'Reject' | 'Quarantine';
  DmarcQuarantineAction: 'Quarantine' | 'MoveToJmf';
  AuthenticationFailAction: 'Quarantine' | 'MoveToJmf';
  [property: string]: unknown;
}

export type AntiPhishPolicyChanges = Partial<Pick<AntiPhishPolicyObject, 'EnableSpoofIntelligence' | 'HonorDmarcPolicy' | 'DmarcRejectAction' | 'DmarcQuarantineAction' | 'AuthenticationFailAction'>>;

export interface ArcConfigObject {
  Identity: string;
  ArcTrustedSealers: string[];
  [property: string]: unknown;
}

export type InboundConnectorType = 'Partner' | 'OnPremises';

/** Every Set-/New-InboundConnector setting, with Exchange's names. */
export interface InboundConnectorSettings {
  Name: string;
  ConnectorType: InboundConnectorType;
  ConnectorSource: 'Default' | 'HybridWizard' | 'Migrated' | 'AdminUI';
  SenderDomains: string[];
  SenderIPAddresses: string[];
  RestrictDomainsToIPAddresses: boolean;
  RestrictDomainsToCertificate: boolean;
  TlsSenderCertificateName: string | null;
  RequireTls: boolean;
  TreatMessagesAsInternal: boolean;
  CloudServicesMailEnabled: boolean;
  AssociatedAcceptedDomains: string[];
  TrustedOrganizations: string[];
  ClientHostNames: string[];
  EFSkipLastIP: boolean;
  EFSkipIPs: string[];
  EFSkipMailGateway: string[];
  EFTestMode: boolean;
  EFUsers: string[];
  ScanAndDropRecipients: string[];
  Comment: string | null;
  Enabled: boolean;
}

export interface InboundConnectorObject extends InboundConnectorSettings {
  Identity: string;
  Guid?: string;
  WhenCreated?: Date;
  WhenChanged?: Date;
  [property: string]: unknown;
}

/**
 * Transport rule settings keyed by New-TransportRule parameter name (rules/model.ts has every
 * name and its validation; rules/build.ts binds them):
 * conditions, ExceptIf exceptions, actions and properties (Priority, Mode, Comments,
 * ActivationDate, ...). Words/patterns/addresses/IP ranges are string[]; sizes are bytes;
 * booleans are booleans; MessageContainsDataClassifications is an array of plain objects.
 */
export type TransportRuleSettings = Record<string, unknown>;

export type TransportRuleState = 'Enabled' | 'Disabled';

export interface TransportRuleObject {
  Identity: string;
  Name: string;
  Priority: number;
  State: TransportRuleState;
  Mode: 'Enforce' | 'Audit' | 'AuditAndNotify';
  Comments: string | null;
  Guid?: string;
  WhenChanged?: Date;
  /** Every condition/exception/action set on the rule, by parameter name. */
  [property: string]: unknown;
}

export interface NewTransportRuleRequest extends TransportRuleSettings {
  Name: string;
  /** New-TransportRule -Enabled; default true. Shown as State. */
  Enabled: boolean;
  /** Absent: after the last rule. Present: existing rules at or below shift down. */
  Priority?: number;
}

export interface QuarantineMessageObject {
  Identity: string;
  ReceivedTime: Date;
  Type: string;
  Direction: 'Inbound' | 'Outbound';
  SenderAddress: string;
  RecipientAddress: string[];
  Subject: string;
  Size: number;
  Expires: Date;
  MessageId: string;
  PolicyType?: string;
  PolicyName?: string;
  QuarantineTypes?: string;
  ReleaseStatus: string;
  [property: string]: unknown;
}

export interface QuarantineQuery {
  Identity?: string;
  Direction?: 'Inbound' | 'Outbound';
  Domain?: string[];
  StartReceivedDate?: Date;
  EndReceivedDate?: Date;
  StartExpiresDate?: Date;
  EndExpiresDate?: Date;
  EntityType?: string;
  MessageId?: string;
  PolicyName?: string;
  PolicyTypes?: string[];
  QuarantineTypes?: string[];
  RecipientAddress?: string[];
  SenderAddress?: string[];
  ReleaseStatus?: string[];
  Reported?: boolean;
  Subject?: string;
  Type?: string;
  Page: number;
  PageSize: number;
}

export interface QuarantinePreviewObject {
  Identity: string;
  ReceivedTime: Date;
  SenderAddress: string;
  RecipientAddress: string[];
  Subject: string;
  Body: string;
  IsHtml: boolean;
  [property: string]: unknown;
}

export interface QuarantineExportOptions {
  CompressOutput?: boolean;
  ForceConversionToMime?: boolean;
  PasswordV2?: string;
  ReasonForExport?: string;
  RecipientAddress?: string;
}

/** Exchange returns the message Base64-encoded in `Eml`, with `BodyEncoding` 'Base64'. */
export interface QuarantineExportObject {
  Identity: string;
  Eml: string;
  BodyEncoding: 'Base64';
  [property: string]: unknown;
}

export interface QuarantineReleaseOptions {
  ReleaseToAll?: boolean;
  User?: string[];
  ActionType?: 'Release' | 'Request' | 'Deny';
  AllowSender?: boolean;
  ReportFalsePositive?: boolean;
  Force?: boolean;
}

export interface QuarantineDeleteOptions {
  HardDelete?: boolean;
  RecipientAddress?: string;
}

/**
 * Get-MessageTrace (Page/PageSize) or, with ResultSize, Get-MessageTraceV2. The window defaults to
 * the last 48 hours; Get-MessageTrace reaches 10 days back, V2 90 days with at most 10 per query.
 */
export interface MessageTraceQuery {
  StartDate?: Date;
  EndDate?: Date;
  SenderAddress?: string[];
  RecipientAddress?: string[];
  MessageId?: string[];
  MessageTraceId?: string;
  FromIP?: string;
  ToIP?: string;
  Status?: string[];
  Subject?: string;
  SubjectFilterType?: 'Contains' | 'EndsWith' | 'StartsWith';
  StartingRecipientAddress?: string;
  /** Get-MessageTrace paging (1-based). */
  Page?: number;
  PageSize?: number;
  /** Get-MessageTraceV2 result size. */
  ResultSize?: number;
}

export interface MessageTraceObject {
  Received: Date;
  SenderAddress: string;
  RecipientAddress: string;
  Subject: string;
  Status: string;
  ToIP: string | null;
  FromIP: string | null;
  Size: number;
  MessageId: string;
  MessageTraceId: string;
  [property: string]: unknown;
}

export interface MessageTraceDetailQuery {
  MessageTraceId: string;
  RecipientAddress: string;
  Action?: string[];
  Event?: string[];
  StartDate?: Date;
  EndDate?: Date;
  MessageId?: string;
  SenderAddress?: string;
}

export interface MessageTraceDetailObject {
  Date: Date;
  Event: string;
  Action: string | null;
  Detail: string;
  Data: string | null;
  MessageId: string;
  MessageTraceId: string;
  RecipientAddress: string;
  [property: string]: unknown;
}

export type TlsVersion = 'None' | 'TLS1.0' | 'TLS1.1' | 'TLS1.2' | 'TLS1.3';

/** Test-MailFlow: "what would happen to this message, stage by stage, and why". */
export interface MailFlowSimulationRequest {
  ClientIP: string;
  HeloName?: string;
  MailFrom: string;
  Recipients: string[];
  TlsVersion: TlsVersion;
  /** Subject/SAN name of the TLS client certificate the sender presents. */
  CertificateName?: string;
  /** SMTP AUTH succeeded (client submission). */
  Authenticated: boolean;
  /** The message (RFC 5322 text) when -MessageFile or -Message was given. */
  MessageText?: string;
  /** Header fields to put in a synthesised message (when no MessageText). */
  Headers?: Record<string, string>;
  From?: string;
  Subject?: string;
}

/** Simulation result; shown with Format-List. Property names are Postern's own. */
export interface MailFlowSimulationResult {
  Decision: string;
  SmtpResponse?: string | null;
  Connector?: string | null;
  [property: string]: unknown;
}

export interface HuntingOptions {
  /** Row limit (the store's own limit applies anyway). */
  Limit?: number;
  /** Cancels the query (the REST API's caller went away or pressed Cancel). */
  signal?: AbortSignal;
}

export interface OrganizationConfigAdmin {
  /** Name of the organization these operations act on. */
  readonly organization: string;
  getOrganizationConfig(): Promise<OrganizationConfigObject>;
  setOrganizationConfig(changes: OrganizationConfigChanges): Promise<void>;
}

export interface AntiPhishAdmin {
  getAntiPhishPolicy(): Promise<AntiPhishPolicyObject>;
  /** identity: the policy's name (the organization has its default policy only). */
  setAntiPhishPolicy(identity: string, changes: AntiPhishPolicyChanges): Promise<void>;
  getArcConfig(): Promise<ArcConfigObject>;
  setArcConfig(changes: { ArcTrustedSealers: string[] }): Promise<void>;
}

export interface AcceptedDomainAdmin {
  getAcceptedDomains(identity?: string): Promise<AcceptedDomainObject[]>;
  newAcceptedDomain(request: NewAcceptedDomainRequest): Promise<AcceptedDomainObject>;
  setAcceptedDomain(identity: string, changes: AcceptedDomainChanges): Promise<void>;
  removeAcceptedDomain(identity: string): Promise<void>;
}

export interface InboundConnectorAdmin {
  getInboundConnectors(identity?: string): Promise<InboundConnectorObject[]>;
  newInboundConnector(settings: InboundConnectorSettings): Promise<InboundConnectorObject>;
  setInboundConnector(identity: string, changes: Partial<InboundConnectorSettings>): Promise<void>;
  removeInboundConnector(identity: string): Promise<void>;
}

export interface TransportRuleAdmin {
  /** Rules in priority order; identity filters to one (name or GUID). */
  getTransportRules(identity?: string): Promise<TransportRuleObject[]>;
  newTransportRule(request: NewTransportRuleRequest): Promise<TransportRuleObject>;
  setTransportRule(identity: string, changes: TransportRuleSettings): Promise<void>;
  setTransportRuleState(identity: string, state: TransportRuleState): Promise<void>;
  removeTransportRule(identity: string): Promise<void>;
}

export interface QuarantineAdmin {
  getQuarantineMessages(query: QuarantineQuery): Promise<QuarantineMessageObject[]>;
  previewQuarantineMessage(identity: string, recipientAddress?: string): Promise<QuarantinePreviewObject>;
  exportQuarantineMessage(identity: string, options: QuarantineExportOptions): Promise<QuarantineExportObject>;
  releaseQuarantineMessage(identity: string, options: QuarantineReleaseOptions): Promise<void>;
  deleteQuarantineMessage(identity: string, options: QuarantineDeleteOptions): Promise<void>;
}

export interface MessageTraceAdmin {
  getMessageTrace(query: MessageTraceQuery): Promise<MessageTraceObject[]>;
  getMessageTraceDetail(query: MessageTraceDetailQuery): Promise<MessageTraceDetailObject[]>;
}

export interface HistoricalSearchAdmin {
  startHistoricalSearch(request: HistoricalSearchRequest): Promise<HistoricalSearchObject>;
  getHistoricalSearches(jobId?: string): Promise<HistoricalSearchObject[]>;
  stopHistoricalSearch(jobId: string): Promise<void>;
  /** A Done search's report: the CSV file the gateway wrote (the edge reads it) and its size. */
  historicalSearchReport(jobId: string): Promise<{ job: HistoricalSearchObject; csvFile: string; csvBytes: number }>;
}

export interface InvestigationAdmin {
  /** Test-MailFlow: the gateway's decision path for this organization. */
  simulate(request: MailFlowSimulationRequest): Promise<MailFlowSimulationResult>;
  /** Runs a KQL query over EmailEvents & co. for this organization; rows in column order. */
  hunt(query: string, options?: HuntingOptions): Promise<Record<string, unknown>[]>;
  /** The same, with the result's columns and types, its chart (KQL `render`) and whether rows were cut. */
  runHuntingQuery(query: string, options?: HuntingOptions): Promise<HuntResult>;
}

export interface ReportAdmin {
  /** The Inbound messages report over the last `days` (7 to 90, default 7). */
  inboundMessagesReport(options?: { days?: number; now?: number }): Promise<InboundReport>;
  /**
   * The Direct Send lockdown preview over the last `days` (1 to 90, default 30): who Reject Direct
   * Send (5.7.68) and restricted connectors (5.7.51) refuse, judged under the configuration in
   * force now, and the order of steps that breaks no sender the admin recognises.
   */
  directSendPreview(options?: { days?: number }): Promise<DirectSendPreview>;
  /**
   * Who uses Direct Send over the last `days` (1 to 90, default 30): inbound mail that came through
   * no connector and that no connector identifies by IP now, grouped by sender IP range and MAIL
   * FROM domain, classified (own domain, known service, unknown). The first part of the plan.
   */
  directSendSenders(options?: { days?: number }): Promise<DirectSendSenderGroup[]>;
  /**
   * The Direct Send plan over the last `days`: the sender groups, the hardening they call for
   * (connectors for every OwnDomain and KnownService group but those `exclude` names, the quarantine
   * rule, Reject Direct Send) and, with `verify`, the period's mail replayed through the configuration
   * the plan produces (in memory: the stored configuration is not changed).
   */
  directSendPlan(options?: { days?: number; exclude?: readonly string[]; verify?: boolean }): Promise<DirectSendPlan>;
}

export interface DirectSendPlan {
  groups: DirectSendSenderGroup[];
  plan: HardeningPlan;
  replay?: GroupReplay[];
}

/** Search-AdminAuditLog's parameters. Without dates, every record the log still keeps (trace retention). */
export interface AdminAuditLogQuery {
  StartDate?: Date;
  EndDate?: Date;
  /** Cmdlet names (Set-OrganizationConfig, New-InboundConnector, ...). */
  Cmdlets?: string[];
  /** Identities of the objects modified (a connector's or rule's name, a quarantine message's Identity, ...). */
  ObjectIds?: string[];
  /** Callers: a user name finds that user's records of every session. */
  UserIds?: string[];
  /** Records whose cmdlet was run with one of these parameters (with Cmdlets, as in Exchange). */
  Parameters?: string[];
  IsSuccess?: boolean;
  /** Records skipped before the first returned (0-based). */
  StartIndex?: number;
  /** At most this many records (default 1000, at most 250000). */
  ResultSize?: number;
  /** Paging (Postern's): the Identity of the last event of the previous page; only older events follow. */
  Cursor?: string;
}

/** One audited admin operation, newest first, with the property names of Exchange's AdminAuditLogEvent. */
export interface AdminAuditLogEvent {
  /** The record's id in the log (the paging cursor). */
  Identity: string;
  RunDate: Date;
  Caller: string;
  CmdletName: string;
  /** The parameters as given (passwords masked). */
  CmdletParameters: { Name: string; Value: unknown }[];
  ObjectModified: string;
  ModifiedProperties: AuditModifiedProperty[];
  Succeeded: boolean;
  /** Why the operation failed; null when it succeeded. */
  Error: string | null;
  ClientIP: string | null;
  ExternalAccess: boolean;
  [property: string]: unknown;
}

export interface AuditLogAdmin {
  searchAdminAuditLog(query?: AdminAuditLogQuery): Promise<AdminAuditLogEvent[]>;
}

/** Every admin operation on one organization: what the shell, the CLI and the REST API call. */
export interface OrganizationAdmin
  extends OrganizationConfigAdmin,
    AntiPhishAdmin,
    AcceptedDomainAdmin,
    InboundConnectorAdmin,
    TransportRuleAdmin,
    QuarantineAdmin,
    MessageTraceAdmin,
    HistoricalSearchAdmin,
    InvestigationAdmin,
    ReportAdmin,
    AuditLogAdmin {}
