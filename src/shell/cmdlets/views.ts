// Default views of the Exchange objects the cmdlets output. Get-TransportRule and
// Get-AcceptedDomain are what Exchange prints; for the other types Exchange's exact defaults are
// not confirmed and these are Postern's choices.
import type { FormatViews } from '../format.js';

export const EXCHANGE_VIEWS: FormatViews = {
  table: {
    TransportRule: ['Name', 'State', 'Mode', 'Priority', 'Comments'],
    AcceptedDomain: ['Name', 'DomainName', 'DomainType', 'Default'],
    InboundConnector: ['Identity', 'Enabled'],
    QuarantineMessage: ['ReceivedTime', 'Type', 'Direction', 'SenderAddress', 'Subject', 'Size', 'Expires'],
    MessageTrace: ['Received', 'SenderAddress', 'RecipientAddress', 'Subject', 'Status'],
    MessageTraceDetail: ['Date', 'Event', 'Detail'],
    HistoricalSearch: ['JobId', 'SubmitDate', 'ReportTitle', 'Status', 'Rows', 'ErrorCode', 'ErrorDescription'],
  },
  // Get-OrganizationConfig, Test-MailFlow, Preview-QuarantineMessage and Search-AdminAuditLog show a list.
  list: new Set(['OrganizationConfig', 'MailFlowSimulation', 'QuarantinePreview', 'AdminAuditLogEvent']),
};
