// Message trace and historical search (reference §7): Get-MessageTrace[V2],
// Get-MessageTraceDetail[V2], Start-/Get-/Stop-HistoricalSearch.
import type { ParameterDef } from '../registry.js';
import type { ExchangeCmdlet } from './common.js';
import type { HistoricalSearchRequest, MessageTraceQuery } from '../../admin/types.js';
import {
  dateTimeType,
  enumType,
  guidType,
  int32Type,
  multiValuedType,
  smtpAddressType,
  stringType,
  unlimitedType,
} from '../types.js';
import { bool, str, tagAll } from './common.js';

const STATUS = ['Delivered', 'Expanded', 'Failed', 'FilteredAsSpam', 'GettingStatus', 'Pending', 'Quarantined'];

const addresses = () => multiValuedType(smtpAddressType(), { typeName: 'Microsoft.Exchange.Data.MultiValuedProperty' });

function traceParameters(v2: boolean): ParameterDef[] {
  const common: ParameterDef[] = [
    { name: 'StartDate', type: dateTimeType() },
    { name: 'EndDate', type: dateTimeType() },
    { name: 'SenderAddress', type: addresses() },
    { name: 'RecipientAddress', type: addresses() },
    { name: 'MessageId', type: multiValuedType(stringType(), { typeName: 'Microsoft.Exchange.Data.MultiValuedProperty' }) },
    { name: 'MessageTraceId', type: guidType() },
    { name: 'FromIP', type: str() },
    { name: 'ToIP', type: str() },
    { name: 'Status', type: multiValuedType(enumType('Microsoft.Exchange.Data.MultiValuedProperty', STATUS)) },
    { name: 'ProbeTag', type: str(), ignored: true },
  ];
  if (!v2) {
    return [...common, { name: 'Page', type: int32Type({ min: 1, max: 1000 }) }, { name: 'PageSize', type: int32Type({ min: 1, max: 5000 }) }];
  }
  return [
    ...common,
    { name: 'ResultSize', type: unlimitedType({ min: 1, max: 5000 }) },
    { name: 'StartingRecipientAddress', type: smtpAddressType() },
    { name: 'Subject', type: str() },
    { name: 'SubjectFilterType', type: enumType('System.String', ['Contains', 'EndsWith', 'StartsWith']) },
  ];
}

function traceCmdlet(name: string, v2: boolean): ExchangeCmdlet {
  return {
    name,
    synopsis: v2 ? 'Trace messages of the last 90 days (at most 10 days per query).' : 'Trace messages of the last 10 days (default: the last 48 hours).',
    outputType: 'MessageTrace',
    parameters: traceParameters(v2),
    async run(ctx, params) {
      // the window (default: the last 48 hours) and its limits are the admin operation's
      const query: MessageTraceQuery = {};
      for (const p of ['StartDate', 'EndDate', 'SenderAddress', 'RecipientAddress', 'MessageId', 'MessageTraceId', 'FromIP', 'ToIP', 'Status', 'Subject', 'SubjectFilterType', 'StartingRecipientAddress', 'Page', 'PageSize'] as const) {
        if (params.has(p)) (query as unknown as Record<string, unknown>)[p] = params.get(p);
      }
      if (v2) query.ResultSize = params.get<number | null>('ResultSize') ?? 1000;
      else {
        query.Page = query.Page ?? 1;
        query.PageSize = query.PageSize ?? 1000;
      }
      return tagAll(await ctx.services.getMessageTrace(query), 'MessageTrace');
    },
  };
}

function traceDetailCmdlet(name: string, v2: boolean): ExchangeCmdlet {
  return {
    name,
    synopsis: 'View the events of one message to one recipient (pipe Get-MessageTrace output into it).',
    outputType: 'MessageTraceDetail',
    parameters: [
      { name: 'MessageTraceId', type: guidType(), mandatory: true, valueFromPipelineByPropertyName: true },
      { name: 'RecipientAddress', type: smtpAddressType(), mandatory: true, valueFromPipelineByPropertyName: true },
      { name: 'Action', type: multiValuedType(stringType()) },
      { name: 'Event', type: multiValuedType(stringType()) },
      { name: 'StartDate', type: dateTimeType() },
      { name: 'EndDate', type: dateTimeType() },
      { name: 'MessageId', type: str() },
      { name: 'SenderAddress', type: smtpAddressType() },
      { name: 'ProbeTag', type: str(), ignored: true },
      ...(v2 ? [] : [{ name: 'Page', type: int32Type({ min: 1, max: 1000 }) }, { name: 'PageSize', type: int32Type({ min: 1, max: 5000 }) }]),
    ],
    async run(ctx, params) {
      const query = {
        MessageTraceId: params.get<string>('MessageTraceId') as string,
        RecipientAddress: params.get<string>('RecipientAddress') as string,
      } as Record<string, unknown>;
      for (const p of ['Action', 'Event', 'StartDate', 'EndDate', 'MessageId', 'SenderAddress']) if (params.has(p)) query[p] = params.get(p);
      let rows = await ctx.services.getMessageTraceDetail(query as never);
      const page = params.get<number>('Page');
      const size = params.get<number>('PageSize');
      if (page || size) rows = rows.slice(((page ?? 1) - 1) * (size ?? 1000), (page ?? 1) * (size ?? 1000));
      return tagAll(rows, 'MessageTraceDetail');
    },
  };
}

const REPORT_TYPES = ['ATPReport', 'ATPV2', 'ConnectorReport', 'DLP', 'Malware', 'MessageTrace', 'MessageTraceDetail', 'OutboundSecurityReport', 'P2SenderAttribution', 'SPAM', 'Spoof', 'TransportRule', 'UnifiedDLP'];

export const messageTraceCmdlets: ExchangeCmdlet[] = [
  traceCmdlet('Get-MessageTrace', false),
  traceCmdlet('Get-MessageTraceV2', true),
  traceDetailCmdlet('Get-MessageTraceDetail', false),
  traceDetailCmdlet('Get-MessageTraceDetailV2', true),
  {
    name: 'Start-HistoricalSearch',
    synopsis: 'Start a historical search (CSV report of up to 90 days). ConnectorReport with -ConnectorType NoConnector lists Direct Send traffic.',
    outputType: 'HistoricalSearch',
    parameters: [
      { name: 'ReportTitle', type: str(), mandatory: true },
      { name: 'StartDate', type: dateTimeType(), mandatory: true },
      { name: 'EndDate', type: dateTimeType(), mandatory: true },
      { name: 'ReportType', type: enumType('Microsoft.Exchange.Management.FfoReporting.HistoricalSearchReportType', REPORT_TYPES), mandatory: true },
      { name: 'ConnectorType', type: enumType('System.String', ['OnPremises', 'Partner', 'NoConnector']) },
      { name: 'TLSUsed', type: enumType('System.String', ['No Tls', 'TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3']) },
      { name: 'Direction', type: enumType('Microsoft.Exchange.Management.FfoReporting.MessageDirection', ['All', 'Received', 'Sent']) },
      { name: 'DeliveryStatus', type: enumType('System.String', ['Delivered', 'Expanded', 'Failed']) },
      { name: 'SenderAddress', type: multiValuedType(smtpAddressType(), { maxCount: 100 }) },
      { name: 'RecipientAddress', type: multiValuedType(smtpAddressType(), { maxCount: 100 }) },
      { name: 'MessageID', type: multiValuedType(stringType()) },
      { name: 'NetworkMessageID', type: multiValuedType(stringType()) },
      { name: 'OriginalClientIP', type: str() },
      { name: 'NotifyAddress', type: multiValuedType(smtpAddressType()) },
      { name: 'TransportRule', type: multiValuedType(stringType()) },
      { name: 'DLPPolicy', type: multiValuedType(stringType()), ignored: true },
      { name: 'Locale', type: stringType({ typeName: 'System.Globalization.CultureInfo' }) },
      { name: 'BlockStatus', type: str(), ignored: true },
      { name: 'SmtpSecurityError', type: str(), ignored: true },
      { name: 'CompressFile', type: bool() },
      { name: 'EncryptionTemplate', type: str(), ignored: true },
      { name: 'EncryptionType', type: str(), ignored: true },
      { name: 'Url', type: str(), ignored: true },
    ],
    async run(ctx, params) {
      const req = params.pick() as unknown as HistoricalSearchRequest;
      return tagAll([await ctx.services.startHistoricalSearch(req)], 'HistoricalSearch');
    },
  },
  {
    name: 'Get-HistoricalSearch',
    synopsis: 'View historical searches of the last 10 days.',
    outputType: 'HistoricalSearch',
    parameters: [
      { name: 'JobId', type: guidType(), position: 1, valueFromPipelineByPropertyName: true, valueFromPipeline: true },
      { name: 'ResultSize', type: unlimitedType({ min: 1 }) },
    ],
    async run(ctx, params) {
      let list = await ctx.services.getHistoricalSearches(params.get<string>('JobId') ?? undefined);
      const size = params.get<number | null>('ResultSize');
      if (typeof size === 'number') list = list.slice(0, size);
      return tagAll(list, 'HistoricalSearch');
    },
  },
  {
    name: 'Stop-HistoricalSearch',
    synopsis: 'Cancel a historical search that has not finished.',
    supportsShouldProcess: true,
    parameters: [{ name: 'JobId', type: guidType(), position: 1, mandatory: true, valueFromPipelineByPropertyName: true, valueFromPipeline: true }],
    async run(ctx, params) {
      const id = params.get<string>('JobId') as string;
      if (!(await ctx.shouldProcess(id, 'Stopping historical search'))) return;
      await ctx.services.stopHistoricalSearch(id);
    },
  },
];
