// Get/Set-AntiPhishPolicy (the organization's default policy: spoof intelligence and how DMARC
// failures are honoured) and Get/Set-ArcConfig (trusted ARC sealers), with Exchange's names.
import type { ExchangeCmdlet } from './common.js';
import type { AntiPhishPolicyChanges } from '../../admin/types.js';
import { domainType, enumType, identityType, multiValuedType } from '../types.js';
import { tagged } from '../values.js';
import { bool, noChangesWarning, pickParams, resolveEdits } from './common.js';

const POLICY_ID = 'Microsoft.Exchange.Configuration.Tasks.AntiPhishPolicyIdParameter';
const ARC_ID = 'Microsoft.Exchange.Configuration.Tasks.OrganizationIdParameter';
const POLICY_SETTINGS = ['EnableSpoofIntelligence', 'HonorDmarcPolicy', 'DmarcRejectAction', 'DmarcQuarantineAction', 'AuthenticationFailAction'] as const;
const SPOOF_ACTION = 'Microsoft.Exchange.Data.SpoofAuthenticationFailAction';

export const antiPhishCmdlets: ExchangeCmdlet[] = [
  {
    name: 'Get-AntiPhishPolicy',
    synopsis: 'View the anti-phishing policy: spoof intelligence and how DMARC p=reject / p=quarantine are honoured.',
    outputType: 'AntiPhishPolicy',
    parameters: [{ name: 'Identity', type: identityType(POLICY_ID), position: 1 }],
    async run(ctx) {
      return tagged({ ...(await ctx.services.getAntiPhishPolicy()) }, 'AntiPhishPolicy');
    },
  },
  {
    name: 'Set-AntiPhishPolicy',
    synopsis: 'Change the anti-phishing policy. -HonorDmarcPolicy $false ignores the sender\'s DMARC policy; -DmarcRejectAction Quarantine quarantines instead of rejecting.',
    supportsShouldProcess: true,
    parameters: [
      { name: 'Identity', type: identityType(POLICY_ID), position: 1, mandatory: true, valueFromPipelineByPropertyName: true },
      { name: 'EnableSpoofIntelligence', type: bool(), description: 'Act on messages that fail composite authentication (spoof).' },
      { name: 'HonorDmarcPolicy', type: bool(), description: "$true: act on the sender's DMARC p=quarantine / p=reject." },
      { name: 'DmarcRejectAction', type: enumType(SPOOF_ACTION, ['Reject', 'Quarantine']), description: 'For DMARC p=reject: Reject (550 5.7.509) or Quarantine.' },
      { name: 'DmarcQuarantineAction', type: enumType(SPOOF_ACTION, ['Quarantine', 'MoveToJmf']), description: 'For DMARC p=quarantine: Quarantine, or MoveToJmf (deliver with SCL 6).' },
      { name: 'AuthenticationFailAction', type: enumType(SPOOF_ACTION, ['Quarantine', 'MoveToJmf']), description: 'For a spoof of an accepted domain: Quarantine, or MoveToJmf (deliver with SCL 6).' },
    ],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      const changes = pickParams(params, POLICY_SETTINGS) as AntiPhishPolicyChanges;
      if (Object.keys(changes).length === 0) return ctx.writeWarning(noChangesWarning(identity));
      if (!(await ctx.shouldProcess(identity, 'Setting anti-phishing policy'))) return;
      await ctx.services.setAntiPhishPolicy(identity, changes);
    },
  },
  {
    name: 'Get-ArcConfig',
    synopsis: 'View the trusted ARC sealers: domains whose ARC-sealed verdicts are trusted for mail they forwarded.',
    outputType: 'ArcConfig',
    parameters: [{ name: 'Identity', type: identityType(ARC_ID), position: 1 }],
    async run(ctx) {
      return tagged({ ...(await ctx.services.getArcConfig()) }, 'ArcConfig');
    },
  },
  {
    name: 'Set-ArcConfig',
    synopsis: 'Set the trusted ARC sealers (-ArcTrustedSealers "fabrikam.com","contoso.net", or @{Add=...; Remove=...}).',
    supportsShouldProcess: true,
    parameters: [
      { name: 'Identity', type: identityType(ARC_ID), position: 1, mandatory: true },
      { name: 'ArcTrustedSealers', type: multiValuedType(domainType({ wildcard: false }), { edit: true, splitStrings: true }), description: 'Domains (ARC-Seal d=) whose sealed results are trusted.' },
    ],
    async run(ctx, params) {
      const identity = params.get<string>('Identity') as string;
      if (!params.has('ArcTrustedSealers')) return ctx.writeWarning(noChangesWarning(identity));
      if (!(await ctx.shouldProcess(identity, 'Setting ARC configuration'))) return;
      const current = await ctx.services.getArcConfig();
      const { ArcTrustedSealers } = resolveEdits({ ArcTrustedSealers: params.get('ArcTrustedSealers') ?? [] }, current) as { ArcTrustedSealers: string[] };
      await ctx.services.setArcConfig({ ArcTrustedSealers });
    },
  },
];
