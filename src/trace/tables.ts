// The advanced-hunting tables, with Defender's names, columns and Kusto types
// (Microsoft Learn: the advanced hunting schema pages of each table). The store creates them from this list, the gateway
// fills them, and the KQL compiler reads them. Every table also carries the hidden column
// `OrgId` (the organization that owns the row); it is never visible from KQL.
//
// Storage convention (SQLite and PostgreSQL alike): datetime = INTEGER milliseconds since the
// Unix epoch (UTC); int/long = INTEGER; real = REAL; bool = INTEGER 0/1; dynamic = TEXT holding
// JSON; timespan = INTEGER milliseconds; string = TEXT NOT NULL DEFAULT '' (Kusto strings are never
// null).

export type KustoType = 'string' | 'datetime' | 'int' | 'long' | 'real' | 'bool' | 'dynamic' | 'timespan';

export interface HuntingColumn {
  name: string;
  type: KustoType;
}

export interface HuntingTable {
  name: string;
  columns: HuntingColumn[];
}

/** The hidden tenant key on every hunting table. */
export const ORG_COLUMN = 'OrgId';

const s = (name: string): HuntingColumn => ({ name, type: 'string' });

export const EmailEvents: HuntingTable = {
  name: 'EmailEvents',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('NetworkMessageId'), s('InternetMessageId'), s('SenderMailFromAddress'), s('SenderFromAddress'),
    s('SenderDisplayName'), s('SenderObjectId'), s('SenderMailFromDomain'), s('SenderFromDomain'),
    s('SenderIPv4'), s('SenderIPv6'), s('RecipientEmailAddress'), s('RecipientObjectId'), s('Subject'),
    { name: 'EmailClusterId', type: 'long' },
    s('EmailDirection'), s('DeliveryAction'), s('DeliveryLocation'), s('ThreatTypes'), s('ThreatNames'),
    s('DetectionMethods'), s('ConfidenceLevel'),
    { name: 'BulkComplaintLevel', type: 'int' },
    s('EmailAction'), s('EmailActionPolicy'), s('EmailActionPolicyGuid'), s('AuthenticationDetails'),
    { name: 'AttachmentCount', type: 'int' },
    { name: 'UrlCount', type: 'int' },
    s('EmailLanguage'), s('Connectors'), s('OrgLevelAction'), s('OrgLevelPolicy'), s('UserLevelAction'),
    s('UserLevelPolicy'), s('ReportId'), s('AdditionalFields'), s('LatestDeliveryLocation'),
    s('LatestDeliveryAction'), s('OriginalThreatTypes'), s('OriginalDetectionMethods'),
    s('OriginalConfidenceLevel'), s('DistributionList'), s('ExchangeTransportRule'),
    s('ForwardingInformation'), s('Context'), s('To'), s('Cc'), s('ThreatClassification'),
    s('RecipientDomain'),
    { name: 'EmailSize', type: 'long' },
    { name: 'IsFirstContact', type: 'int' },
    s('Topics'),
  ],
};

export const EmailAttachmentInfo: HuntingTable = {
  name: 'EmailAttachmentInfo',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('NetworkMessageId'), s('SenderFromAddress'), s('SenderDisplayName'), s('SenderObjectId'),
    s('RecipientEmailAddress'), s('RecipientObjectId'), s('FileName'), s('FileType'), s('SHA256'),
    { name: 'FileSize', type: 'long' },
    s('ThreatTypes'), s('ThreatNames'), s('DetectionMethods'), s('ReportId'),
  ],
};

export const EmailUrlInfo: HuntingTable = {
  name: 'EmailUrlInfo',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('NetworkMessageId'), s('Url'), s('UrlDomain'), s('UrlLocation'), s('UrlChainId'),
    { name: 'UrlChainPosition', type: 'int' },
    s('ReportId'),
  ],
};

export const EmailPostDeliveryEvents: HuntingTable = {
  name: 'EmailPostDeliveryEvents',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('NetworkMessageId'), s('InternetMessageId'), s('Action'), s('ActionType'), s('ActionTrigger'),
    s('ActionResult'), s('RecipientEmailAddress'), s('DeliveryLocation'), s('ThreatTypes'),
    s('DetectionMethods'), s('ReportId'), s('SenderFromAddress'), s('EmailDirection'), s('SourceLocation'),
  ],
};

/** Postern's own table: what was refused in the SMTP dialogue (Exchange's trace never shows these). */
export const SmtpRejectEvents: HuntingTable = {
  name: 'SmtpRejectEvents',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('SessionId'), s('SenderIPv4'), s('SenderIPv6'), s('HeloName'), s('SenderMailFromAddress'),
    s('SenderMailFromDomain'), s('RecipientEmailAddress'), s('RecipientDomain'), s('SmtpStage'),
    { name: 'SmtpCode', type: 'int' },
    s('EnhancedStatusCode'), s('Response'), s('Reason'), s('Connectors'), s('TlsVersion'),
  ],
};

/**
 * Postern's own: the admin audit log (Exchange's Search-AdminAuditLog), one row per state-changing
 * admin operation, whoever ran it (shell, CLI, REST API). CmdletParameters is `[{ Name, Value }]`,
 * ModifiedProperties `[{ Name, OldValue, NewValue }]`, as Exchange's AdminAuditLogEvent has them.
 */
export const AdminAuditEvents: HuntingTable = {
  name: 'AdminAuditEvents',
  columns: [
    { name: 'Timestamp', type: 'datetime' },
    s('Caller'), s('CmdletName'),
    { name: 'CmdletParameters', type: 'dynamic' },
    s('ObjectModified'),
    { name: 'ModifiedProperties', type: 'dynamic' },
    { name: 'Succeeded', type: 'bool' },
    s('ErrorMessage'), s('ClientIP'),
  ],
};

export const HUNTING_TABLES: HuntingTable[] = [EmailEvents, EmailAttachmentInfo, EmailUrlInfo, EmailPostDeliveryEvents, SmtpRejectEvents, AdminAuditEvents];

export type HuntingRow = Record<string, string | number | boolean | null>;

/**
 * A hunting row's stored columns (the hidden organization first, then the table's) and their
 * values in the storage convention above, for every engine's INSERT: Kusto strings are never null,
 * so a missing string column is ''; a bool is 0/1.
 */
export function storedColumns(table: HuntingTable): string[] {
  return [ORG_COLUMN, ...table.columns.map((c) => c.name)];
}

export function storedValues(table: HuntingTable): (row: HuntingRow) => (string | number | null)[] {
  const cols = storedColumns(table);
  const emptyString = cols.map((c) => c === ORG_COLUMN || table.columns.find((t) => t.name === c)?.type === 'string');
  return (row) =>
    cols.map((c, i) => {
      const v = row[c];
      if (v === undefined || v === null) return emptyString[i] ? '' : null;
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
}
