// Exchange cmdlets as an admin types them, on the real admin operations over SQLite: names that
// identify objects, Exchange's wildcards in -Identity, address parameters, and the
// Get | ConvertTo-Json | ConvertFrom-Json | New- round trip.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Organization } from '../config/model.js';
import { normalizePriorities } from '../rules/model.js';
import { adminTestbed } from '../testing/adminTestbed.js';
import { createShellSession } from './index.js';

const NOW = new Date('2026-11-22T12:00:00Z');

const fabrikam = {
  Name: 'Fabrikam',
  Guid: randomUUID(),
  AcceptedDomains: [{ DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: true }],
  Delivery: { kind: 'maildir', path: 'maildir' },
  DomainDelivery: {},
  Config: { RejectDirectSend: false },
  InboundConnectors: [{ Name: 'Fabrikam Partner', Guid: randomUUID(), ConnectorType: 'Partner', SenderDomains: ['supplier.example'], SenderIPAddresses: ['192.0.2.1'], RestrictDomainsToIPAddresses: true, RequireTls: false }],
  TransportRules: [],
} as unknown as Organization;

/** Contoso (a partner connector by IP) beside Fabrikam, and a shell on Contoso. */
function setup() {
  const partner = { Name: 'Partner by IP', ConnectorType: 'Partner', SenderDomains: ['partner.example'], SenderIPAddresses: ['198.51.100.7'], RestrictDomainsToIPAddresses: true, RequireTls: false };
  const bed = adminTestbed({ organization: 'Contoso', seed: { InboundConnectors: [partner] as unknown as Organization['InboundConnectors'] }, neighbours: [fabrikam] });
  return { bed, shell: createShellSession({ services: bed.admin, now: () => NOW }) };
}

describe('Exchange cmdlets on the admin operations', () => {
  it('keeps the Name given to New-AcceptedDomain: Set-AcceptedDomain -Identity <Name> works, and -Name renames', async () => {
    const { bed, shell } = setup();
    const r = await shell.run(
      [
        'New-AcceptedDomain -Name Contoso -DomainName contoso.net | Out-Null',
        'Set-AcceptedDomain -Identity Contoso -DomainType InternalRelay',
        "Set-AcceptedDomain contoso.net -Name 'Contoso Net'",
        "Get-AcceptedDomain 'Contoso Net' | ForEach-Object { \"$($_.Identity)|$($_.Name)|$($_.DomainName)|$($_.DomainType)\" }",
        "Set-AcceptedDomain 'Contoso Net' -Name contoso.com",
      ].join('\n'),
    );
    expect(r.output.trim()).toBe('Contoso Net|Contoso Net|contoso.net|InternalRelay');
    expect(r.errors.map((e) => e.message)).toEqual(["The object accepted domain 'contoso.com' already exists."]);
    expect(bed.organization().AcceptedDomains).toEqual([
      { DomainName: 'contoso.com', DomainType: 'Authoritative', Default: true },
      { Name: 'Contoso Net', DomainName: 'contoso.net', DomainType: 'InternalRelay', Default: false },
    ]);
  });

  it('Get-* -Identity takes Exchange wildcards: *, "Prefix*", "*Infix*"; a wildcard matching nothing is no error', async () => {
    const { shell } = setup();
    const created = await shell.run(
      [
        "New-InboundConnector -Name 'SpamExperts Inbound' -SenderDomains * -SenderIPAddresses 192.0.2.10 -RestrictDomainsToIPAddresses $true",
        "New-TransportRule -Name 'Legal Disclaimer' -ApplyHtmlDisclaimerText 'Confidential'",
        "New-TransportRule -Name 'Block executables' -AttachmentHasExecutableContent $true -DeleteMessage $true",
      ].join('\n'),
    );
    expect(created.errors.map((e) => e.format())).toEqual([]);
    const names = async (script: string) => {
      const r = await shell.run(`${script} | ForEach-Object { $_.Name }`);
      expect(r.errors.map((e) => e.format())).toEqual([]);
      return r.values;
    };
    expect(await names('Get-TransportRule *')).toEqual(['Legal Disclaimer', 'Block executables']);
    expect(await names('Get-TransportRule "*Disclaimer*"')).toEqual(['Legal Disclaimer']);
    expect(await names('Get-TransportRule -Identity "block*"')).toEqual(['Block executables']);
    expect(await names('Get-InboundConnector "SpamExperts*"')).toEqual(['SpamExperts Inbound']);
    expect(await names('Get-InboundConnector *')).toEqual(['Partner by IP', 'SpamExperts Inbound']);
    expect(await names('Get-AcceptedDomain *.com')).toEqual(['contoso.com']);
    expect(await names('Get-TransportRule "Nothing*"')).toEqual([]);
    // another organization's objects never match
    expect(await names('Get-InboundConnector "Fabrikam*"')).toEqual([]);
    expect(await names('Get-AcceptedDomain *fabrikam*')).toEqual([]);
    // without a wildcard, an unknown name is still "not found"
    expect((await shell.run('Get-TransportRule Disclaimer')).errors[0].message).toContain("couldn't be found");
  });

  it('runs New-TransportRule as an admin types it, through the shell', async () => {
    const { bed, shell: session } = setup();
    const r = await session.run("New-TransportRule -Name 'Tag external' -FromScope NotInOrganization -PrependSubject '[EXTERNAL] '; Get-TransportRule | Format-Table Name,State,Priority");
    expect(r.errors.map((e) => e.format())).toEqual([]);
    expect(r.output).toMatch(/Tag external\s+Enabled\s+0/);
    expect(bed.rules()).toEqual([expect.objectContaining({ Name: 'Tag external', FromScope: 'NotInOrganization', PrependSubject: '[EXTERNAL] ' })]);
  });

  it('refuses a display name in an address parameter, naming the parameter, and stores nothing', async () => {
    const { bed, shell } = setup();
    const r = await shell.run([
      'New-TransportRule -Name "Sales copies" -SentTo "Sales Department" -BlindCopyTo archive@contoso.com',
      'New-TransportRule -Name "Not Kelly" -ExceptIfFrom "Kelly Rollin" -Quarantine $true',
    ].join('\n'));
    expect(r.errors.map((e) => e.parameter)).toEqual(['SentTo', 'ExceptIfFrom']);
    expect(r.errors[0].format()).toContain("New-TransportRule : Cannot bind parameter 'SentTo'. Cannot convert value \"Sales Department\" to type \"Microsoft.Exchange.Configuration.Tasks.RecipientIdParameter\". Error: \"'Sales Department' isn't an email address. Postern has no recipient directory to look up display names, aliases or groups; give the SMTP address");
    expect(r.errors[1].message).toContain("'Kelly Rollin' isn't an email address");
    expect(bed.rules()).toEqual([]);
  });

  it('copies a rule with Get-TransportRule | ConvertTo-Json | ConvertFrom-Json | New-TransportRule', async () => {
    const { bed, shell: session } = setup();
    const r = await session.run(
      "New-TransportRule -Name Big -SubjectContainsWords invoice -MessageSizeOver 10MB -PrependSubject '[big] ' -Comments 'large invoices' | Out-Null\n" +
        'Get-TransportRule Big | ConvertTo-Json | ConvertFrom-Json | New-TransportRule -Name Copy -WarningAction SilentlyContinue | Out-Null',
    );
    expect(r.errors.map((e) => e.format())).toEqual([]);
    // the piped Priority (0) binds too, so the copy goes first, as it would in Exchange
    const [copy, big] = normalizePriorities(bed.rules());
    const { Name: _a, Guid: _b, Priority: _c, ...settings } = big;
    expect(copy).toEqual({ ...settings, Name: 'Copy', Guid: expect.any(String), Priority: 0 });
    expect(copy.Guid).not.toBe(big.Guid);
    expect(big).toMatchObject({ MessageSizeOver: 10 * 1024 * 1024, Comments: 'large invoices' });
  });
});
