// Hosted quarantine cmdlets (reference §6): Get-, Preview-, Export-, Release-, Delete-QuarantineMessage.
import { fromCategorised } from '../errors.js';
import type { ParameterDef } from '../registry.js';
import type { ExchangeCmdlet } from './common.js';
import type { QuarantineQuery } from '../../admin/types.js';
import { dateTimeType, enumType, identityType, int32Type, multiValuedType, smtpAddressType, stringType, switchType } from '../types.js';
import { tagged } from '../values.js';
import { bool, str, tagAll } from './common.js';

const QID = 'Microsoft.Exchange.Management.FfoQuarantine.QuarantineMessageIdentity';
const ENTITY_TYPE = enumType('Microsoft.Exchange.Management.FfoQuarantine.EntityType', ['Email', 'SharePointOnline', 'Teams', 'DataLossPrevention']);
const QUARANTINE_TYPES = ['Bulk', 'DataLossPrevention', 'FileTypeBlock', 'HighConfPhish', 'Malware', 'Phish', 'Spam', 'SPOMalware', 'TransportRule'];
const POLICY_TYPES = ['AntiMalwarePolicy', 'AntiPhishPolicy', 'DataLossPreventionRule', 'ExchangeTransportRule', 'HostedContentFilterPolicy', 'SafeAttachmentPolicy'];
const RELEASE_STATUS = ['Approved', 'Denied', 'Error', 'NotReleased', 'PreparingToRelease', 'Released', 'Requested'];

const identity = (extra: Partial<ParameterDef> = {}): ParameterDef => ({
  name: 'Identity',
  type: identityType(QID, ['Identity']),
  valueFromPipeline: true,
  valueFromPipelineByPropertyName: true,
  ...extra,
});
const identities = (extra: Partial<ParameterDef> = {}): ParameterDef => ({
  name: 'Identities',
  type: multiValuedType(identityType(QID, ['Identity']), { typeName: `${QID}[]` }),
  ...extra,
});

export const quarantineCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Get-QuarantineMessage',
    synopsis: 'View quarantined messages.',
    outputType: 'QuarantineMessage',
    defaultSet: 'Summary',
    parameters: [
      identity({ mandatory: true, sets: ['Details'], position: undefined }),
      { name: 'EntityType', type: ENTITY_TYPE },
      { name: 'RecipientAddress', type: multiValuedType(smtpAddressType(), { typeName: 'System.String[]' }) },
      { name: 'SenderAddress', type: multiValuedType(smtpAddressType(), { typeName: 'System.String[]' }) },
      { name: 'TeamsConversationTypes', type: multiValuedType(enumType('Microsoft.Exchange.Management.FfoQuarantine.TeamsConversationType', ['Chat', 'Channel']), { typeName: 'TeamsConversationType[]' }), ignored: true },
      { name: 'Direction', type: enumType('Microsoft.Exchange.Management.FfoQuarantine.QuarantineMessageDirectionEnum', ['Inbound', 'Outbound']), sets: ['Summary'] },
      { name: 'Domain', type: multiValuedType(stringType(), { typeName: 'System.String[]' }), sets: ['Summary'] },
      { name: 'StartReceivedDate', type: dateTimeType(), sets: ['Summary'] },
      { name: 'EndReceivedDate', type: dateTimeType(), sets: ['Summary'] },
      { name: 'StartExpiresDate', type: dateTimeType(), sets: ['Summary'] },
      { name: 'EndExpiresDate', type: dateTimeType(), sets: ['Summary'] },
      { name: 'IncludeMessagesFromBlockedSenderAddress', type: switchType(), sets: ['Summary'], ignored: true },
      { name: 'MessageId', type: str(), sets: ['Summary'] },
      { name: 'MyItems', type: switchType(), sets: ['Summary'], ignored: true },
      { name: 'Page', type: int32Type({ min: 1, max: 1000 }), sets: ['Summary'] },
      { name: 'PageSize', type: int32Type({ min: 1, max: 1000 }), sets: ['Summary'] },
      { name: 'PolicyName', type: str(), sets: ['Summary'] },
      { name: 'PolicyTypes', type: multiValuedType(enumType('QuarantinePolicyTypeEnum', POLICY_TYPES), { typeName: 'QuarantinePolicyTypeEnum[]' }), sets: ['Summary'] },
      { name: 'QuarantineTypes', type: multiValuedType(enumType('QuarantineMessageTypeEnum', QUARANTINE_TYPES), { typeName: 'QuarantineMessageTypeEnum[]' }), sets: ['Summary'] },
      { name: 'RecipientTag', type: multiValuedType(stringType(), { typeName: 'System.String[]' }), sets: ['Summary'], ignored: true },
      { name: 'ReleaseStatus', type: multiValuedType(enumType('ReleaseStatus', RELEASE_STATUS), { typeName: 'ReleaseStatus[]' }), sets: ['Summary'] },
      { name: 'Reported', type: bool(), sets: ['Summary'] },
      { name: 'Subject', type: str(), sets: ['Summary'] },
      { name: 'Type', type: enumType('Microsoft.Exchange.Management.FfoQuarantine.QuarantineMessageTypeEnum', QUARANTINE_TYPES.filter((t) => t !== 'FileTypeBlock')), sets: ['Summary'] },
    ],
    async run(ctx, params) {
      const query: QuarantineQuery = { Page: params.get<number>('Page') ?? 1, PageSize: params.get<number>('PageSize') ?? 100 };
      for (const name of ['Identity', 'Direction', 'Domain', 'StartReceivedDate', 'EndReceivedDate', 'StartExpiresDate', 'EndExpiresDate', 'EntityType', 'MessageId', 'PolicyName', 'PolicyTypes', 'QuarantineTypes', 'RecipientAddress', 'SenderAddress', 'ReleaseStatus', 'Reported', 'Subject', 'Type'] as const) {
        if (params.has(name)) (query as unknown as Record<string, unknown>)[name] = params.get(name);
      }
      return tagAll(await ctx.services.getQuarantineMessages(query), 'QuarantineMessage');
    },
  },
  {
    name: 'Preview-QuarantineMessage',
    synopsis: 'Preview the contents of a quarantined message.',
    outputType: 'QuarantinePreview',
    parameters: [
      identity({ mandatory: true, position: 1 }),
      { name: 'EntityType', type: ENTITY_TYPE },
      { name: 'RecipientAddress', type: smtpAddressType({ typeName: 'System.String' }) },
    ],
    async run(ctx, params) {
      const p = await ctx.services.previewQuarantineMessage(params.get<string>('Identity') as string, params.get<string>('RecipientAddress') ?? undefined);
      return tagged({ ...p }, 'QuarantinePreview');
    },
  },
  {
    name: 'Export-QuarantineMessage',
    synopsis: 'Export quarantined messages (.eml, Base64 in the Eml property).',
    defaultSet: 'Identity',
    parameters: [
      identity({ mandatory: true, position: 1, sets: ['Identity'] }),
      identities({ mandatory: true, sets: ['Identities'] }),
      { name: 'CompressOutput', type: switchType() },
      { name: 'EntityType', type: ENTITY_TYPE },
      { name: 'ForceConversionToMime', type: switchType() },
      { name: 'Password', type: stringType({ typeName: 'System.Security.SecureString' }) },
      { name: 'PasswordV2', type: str() },
      { name: 'ReasonForExport', type: str() },
      { name: 'RecipientAddress', type: smtpAddressType({ typeName: 'System.String' }) },
    ],
    async run(ctx, params) {
      const ids = params.has('Identities') ? (params.get<string[]>('Identities') as string[]) : [params.get<string>('Identity') as string];
      const options = {
        CompressOutput: params.get<boolean>('CompressOutput') ?? false,
        ForceConversionToMime: params.get<boolean>('ForceConversionToMime') ?? false,
        PasswordV2: params.get<string>('PasswordV2') ?? params.get<string>('Password') ?? undefined,
        ReasonForExport: params.get<string>('ReasonForExport') ?? undefined,
        RecipientAddress: params.get<string>('RecipientAddress') ?? undefined,
      };
      const out: unknown[] = [];
      for (const id of ids) out.push(tagged({ ...(await ctx.services.exportQuarantineMessage(id, options)) }, 'QuarantineExport'));
      return out;
    },
  },
  {
    name: 'Release-QuarantineMessage',
    synopsis: 'Release quarantined messages to all original recipients (-ReleaseToAll) or to specific users (-User).',
    supportsShouldProcess: true,
    confirmImpact: 'Medium',
    defaultSet: 'Identity',
    parameters: [
      // -Identity is needed unless -Identities is given, whichever way the message is released
      identity({ mandatory: ['Identity', 'OrgReleaseToUser', 'OrgReleaseToAll'], position: 1 }),
      identities({ mandatory: ['Identities'] }),
      { name: 'User', type: multiValuedType(smtpAddressType(), { typeName: 'System.String[]' }), mandatory: true, sets: ['OrgReleaseToUser'] },
      { name: 'ReleaseToAll', type: switchType(), sets: ['OrgReleaseToAll', 'Identities'] },
      { name: 'ActionType', type: enumType('Microsoft.Exchange.Management.FfoQuarantine.ReleaseActionType', ['Release', 'Request', 'Deny']), sets: ['Identities'] },
      { name: 'AllowSender', type: switchType() },
      { name: 'EntityType', type: ENTITY_TYPE },
      { name: 'Force', type: switchType() },
      { name: 'ReportFalsePositive', type: switchType() },
    ],
    async run(ctx, params) {
      const ids = params.has('Identities') ? (params.get<string[]>('Identities') as string[]) : [params.get<string>('Identity') as string];
      const options = {
        ReleaseToAll: params.get<boolean>('ReleaseToAll') ?? undefined,
        User: params.get<string[]>('User') ?? undefined,
        ActionType: params.get<'Release' | 'Request' | 'Deny'>('ActionType') ?? undefined,
        AllowSender: params.get<boolean>('AllowSender') ?? undefined,
        ReportFalsePositive: params.get<boolean>('ReportFalsePositive') ?? undefined,
        Force: params.get<boolean>('Force') ?? undefined,
      };
      for (const id of ids) {
        if (!(await ctx.shouldProcess(id, 'Releasing quarantined message'))) continue;
        try {
          await ctx.services.releaseQuarantineMessage(id, options);
        } catch (e) {
          // one message failing doesn't stop the rest (non-terminating, as Exchange reports it)
          ctx.writeError(fromCategorised(e) ?? (e instanceof Error ? e.message : String(e)));
        }
      }
    },
  },
  {
    name: 'Delete-QuarantineMessage',
    synopsis: 'Delete quarantined messages.',
    supportsShouldProcess: true,
    confirmImpact: 'High',
    defaultSet: 'Identity',
    parameters: [
      identity({ mandatory: ['Identity'], position: 1, sets: ['Identity'] }),
      identities({ mandatory: ['Identities'], sets: ['Identities'] }),
      { name: 'EntityType', type: ENTITY_TYPE },
      { name: 'HardDelete', type: switchType() },
      { name: 'RecipientAddress', type: smtpAddressType({ typeName: 'System.String' }) },
    ],
    async run(ctx, params) {
      const ids = params.has('Identities') ? (params.get<string[]>('Identities') as string[]) : [params.get<string>('Identity') as string];
      for (const id of ids) {
        if (!(await ctx.shouldProcess(id, 'Deleting quarantined message'))) continue;
        await ctx.services.deleteQuarantineMessage(id, { HardDelete: params.get<boolean>('HardDelete') ?? false, RecipientAddress: params.get<string>('RecipientAddress') ?? undefined });
      }
    },
  },
];
