import { describe, expect, it } from 'vitest';
import { diffConfiguration, formatConfigDiff, weakeningChanges, widenedRanges } from './diff.js';
import { Organization } from './model.js';

const org = (extra: Record<string, unknown> = {}) =>
  Organization.parse({
    Name: 'Contoso',
    Guid: '7b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e',
    AcceptedDomains: [{ DomainName: 'contoso.com' }],
    Delivery: { kind: 'maildir', path: 'maildir' },
    Config: { RejectDirectSend: true },
    InboundConnectors: [
      { Name: 'Fabrikam', Guid: '11111111-1111-4111-8111-111111111111', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['192.0.2.0/28'], RestrictDomainsToIPAddresses: true },
    ],
    TransportRules: [
      { Name: 'Quarantine invoices', Guid: '21111111-1111-4111-8111-111111111111', Priority: 0, SubjectContainsWords: ['invoice'], Quarantine: true },
      { Name: 'Allow partner', Guid: '31111111-1111-4111-8111-111111111111', Priority: 1, SenderDomainIs: ['fabrikam.com'], SetSCL: -1 },
    ],
    ...extra,
  });

const weakens = (before: Organization, after: Organization) => weakeningChanges(diffConfiguration([before], [after])).map((c) => `${c.subject}: ${c.weakens}`);

describe('configuration diff', () => {
  it('is empty for the same configuration', () => {
    expect(diffConfiguration([org()], [org()])).toEqual([]);
    expect(formatConfigDiff([])).toBe('No changes.\n');
  });

  it('marks Reject Direct Send turned off, but not turned on', () => {
    expect(weakens(org(), org({ Config: { RejectDirectSend: false } }))).toEqual([
      "Config.RejectDirectSend: Reject Direct Send turned off: mail that forges the organization's domains without a connector is accepted again",
    ]);
    expect(weakens(org({ Config: { RejectDirectSend: false } }), org())).toEqual([]);
  });

  it('marks a connector restriction turned off, its IP ranges widened, and its removal', () => {
    const connector = (c: Record<string, unknown>) => org({ InboundConnectors: [{ ...org().InboundConnectors[0], ...c }] });
    expect(weakens(org(), connector({ RestrictDomainsToIPAddresses: false }))).toEqual(["InboundConnector 'Fabrikam'.RestrictDomainsToIPAddresses: RestrictDomainsToIPAddresses turned off"]);
    expect(weakens(org(), connector({ RequireTls: false }))).toEqual(["InboundConnector 'Fabrikam'.RequireTls: RequireTls turned off"]);
    expect(weakens(org(), connector({ SenderIPAddresses: ['192.0.2.0/24'] }))).toEqual(["InboundConnector 'Fabrikam'.SenderIPAddresses: trusted IP ranges widened: 192.0.2.0/24"]);
    expect(weakens(org(), connector({ SenderIPAddresses: ['192.0.2.0/28', '198.51.100.7'] }))).toEqual(["InboundConnector 'Fabrikam'.SenderIPAddresses: trusted IP ranges widened: 198.51.100.7"]);
    expect(weakens(org(), connector({ SenderIPAddresses: ['192.0.2.0/30'] }))).toEqual([]);
    expect(weakens(org(), org({ InboundConnectors: [] }))).toEqual(["InboundConnector 'Fabrikam': connector removed: the senders it restricted or identified are no longer checked against it"]);
  });

  it('marks a rule disabled, removed, or moved after a rule it used to precede', () => {
    const rules = org().TransportRules;
    expect(weakens(org(), org({ TransportRules: [{ ...rules[0], State: 'Disabled' }, rules[1]] }))).toEqual(["TransportRule 'Quarantine invoices'.State: rule disabled: its actions no longer apply"]);
    expect(weakens(org(), org({ TransportRules: [rules[1]] }))).toEqual(["TransportRule 'Quarantine invoices': rule removed: its actions no longer apply"]);
    expect(weakens(org(), org({ TransportRules: [{ ...rules[0], Priority: 1 }, { ...rules[1], Priority: 0 }] }))).toEqual([
      "TransportRule 'Quarantine invoices'.Priority: rule now runs after 'Allow partner', which it used to precede",
    ]);
  });

  it('shows old → new values per organization, additions and removals, matching connectors by name when the Guid is new', () => {
    const before = org();
    const after = org({
      AcceptedDomains: [{ DomainName: 'contoso.com' }, { DomainName: 'contoso.org' }],
      InboundConnectors: [{ ...before.InboundConnectors[0], Guid: '41111111-1111-4111-8111-111111111111', Comment: 'scanner' }],
      TransportRules: [...before.TransportRules, { Name: 'Tag', Guid: '51111111-1111-4111-8111-111111111111', Priority: 2, PrependSubject: '[ext] ' }],
    });
    const fabrikam = org({ Name: 'Fabrikam', Guid: '61111111-1111-4111-8111-111111111111' });
    expect(formatConfigDiff(diffConfiguration([before], [after, fabrikam]))).toBe(
      [
        "~ Organization 'Contoso'",
        '    ~ AcceptedDomains: {DomainName: contoso.com; DomainType: Authoritative; Default: False} → {DomainName: contoso.com; DomainType: Authoritative; Default: False}, {DomainName: contoso.org; DomainType: Authoritative; Default: False}',
        "    ~ InboundConnector 'Fabrikam'.Comment: (not set) → scanner",
        "    + TransportRule 'Tag'",
        "+ Organization 'Fabrikam' (added)",
        '',
      ].join('\n'),
    );
  });

  it('counts a range as widened only when no old range contains it', () => {
    expect(widenedRanges(['10.0.0.0/24'], ['10.0.0.128/25', '10.0.0.5'])).toEqual([]);
    expect(widenedRanges(['10.0.0.0/25'], ['10.0.0.0/24', '2001:db8::/48'])).toEqual(['10.0.0.0/24', '2001:db8::/48']);
  });
});
