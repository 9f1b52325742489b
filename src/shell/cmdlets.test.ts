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
  const bed = adminTestbed({ organization: 'Contoso', seed: { InboundConnectors: [partner] as unknown as Organization['InboundConnectors'] }, neighbours: [fabrikam], now: () => NOW });
  return { bed, shell: createShellSession({ services: bed.admin, now: () => NOW }) };
}

/** The errors a script reports: id, parameter and message. */
const errorsOf = async (shell: ReturnType<typeof setup>['shell'], script: string) =>
  (await shell.run(script)).errors.map((e) => ({ id: e.errorId, parameter: e.parameter, message: e.message }));

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

  it("Test-MailFlow simulates only for the organization's own recipients (admin/ checks, before the simulator runs)", async () => {
    const { bed, shell } = setup();
    const r = await shell.run('Test-MailFlow -ClientIP 203.0.113.7 -MailFrom a@fabrikam.com -Recipients ann@contoso.com,dave@fabrikam.com');
    expect(r.errors.map((e) => [e.errorId, e.parameter, e.message])).toEqual([['InvalidRecipient', 'Recipients', "The recipient 'dave@fabrikam.com' isn't in an accepted domain of Contoso."]]);
    expect(bed.simulations).toEqual([]);
  });

  it('Set-InboundConnector -TlsSenderCertificateName $null clears the certificate name, as in Exchange', async () => {
    const { bed, shell } = setup();
    const r = await shell.run(
      [
        "New-InboundConnector -Name 'By certificate' -SenderDomains '*' -TlsSenderCertificateName mail.partner.example -RestrictDomainsToCertificate $true | Out-Null",
        "Set-InboundConnector 'By certificate' -TlsSenderCertificateName $null -RestrictDomainsToCertificate $false",
      ].join('\n'),
    );
    expect(r.errors.map((e) => e.message)).toEqual([]);
    const stored = bed.organization().InboundConnectors.find((c) => c.Name === 'By certificate')!;
    expect([stored.TlsSenderCertificateName ?? null, stored.RestrictDomainsToCertificate]).toEqual([null, false]);
  });

  it('validates connector combinations in one place (config/inboundConnector.ts), on the connector as it would be after the change', async () => {
    const { bed, shell } = setup();
    const r = await shell.run([
      'New-InboundConnector -Name Bare -SenderDomains fabrikam.com -RestrictDomainsToIPAddresses $true',
      "Set-InboundConnector 'Partner by IP' -SenderIPAddresses $null",
      "Set-InboundConnector 'Partner by IP' -TreatMessagesAsInternal $true",
    ].join('\n'));
    expect(r.errors.map((e) => [e.command, e.errorId, e.parameter])).toEqual([
      ['New-InboundConnector', 'InvalidConnectorSettings', 'RestrictDomainsToIPAddresses'],
      ['Set-InboundConnector', 'InvalidConnectorSettings', 'RestrictDomainsToIPAddresses'],
      ['Set-InboundConnector', 'InvalidConnectorSettings', 'TreatMessagesAsInternal'],
    ]);
    expect(bed.organization().InboundConnectors.map((c) => [c.Name, c.SenderIPAddresses, c.TreatMessagesAsInternal])).toEqual([['Partner by IP', ['198.51.100.7'], false]]);
  });

  it('Get-QuarantineMessage without an identity or dates lists the last 16 days, as Exchange does (the admin operation decides)', async () => {
    const { bed, shell } = setup();
    const held = (days: number, entry: string) =>
      bed.hold({ networkMessageId: `8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2${entry.slice(-2)}`, receivedAt: new Date(NOW.getTime() - days * 86_400_000), expiresAt: new Date(NOW.getTime() + 86_400_000), sender: 'x@fabrikam.com', recipients: { 'ann@contoso.com': entry }, subject: `${days} days old`, internetMessageId: `<${days}@f>` });
    held(2, '4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11');
    held(20, '4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f12');
    const subjects = async (script: string) => (await shell.run(`${script} | ForEach-Object { $_.Subject }`)).values;
    expect(await subjects('Get-QuarantineMessage')).toEqual(['2 days old']);
    expect(await subjects('Get-QuarantineMessage -StartReceivedDate 10/01/2026')).toEqual(['2 days old', '20 days old']);
  });

  it('Set-ArcConfig stores sealer domains in lower case; Set-AntiPhishPolicy finds only the organization\'s policy', async () => {
    const { bed, shell } = setup();
    const r = await shell.run("Set-ArcConfig -Identity Default -ArcTrustedSealers Sealer.EXAMPLE, relay.example; (Get-ArcConfig).ArcTrustedSealers");
    expect(r.errors.map((e) => e.format())).toEqual([]);
    expect(r.values).toEqual(['sealer.example', 'relay.example']);
    const missing = (await shell.run("Set-AntiPhishPolicy -Identity 'Strict Preset' -DmarcRejectAction Quarantine")).errors;
    expect(missing.map((e) => e.errorId)).toEqual(['ManagementObjectNotFoundException']);
    await shell.run("Set-AntiPhishPolicy -Identity 'office365 antiphish default' -DmarcRejectAction Quarantine");
    expect(bed.organization().AntiPhishPolicy).toMatchObject({ DmarcRejectAction: 'Quarantine' });
  });

  it('New-TransportRule -Priority past the last rule is refused naming -Priority, by rules/ alone (the cmdlet kept its own copy of the check)', async () => {
    const { bed, shell } = setup();
    expect(await errorsOf(shell, 'New-TransportRule -Name Far -SubjectContainsWords x -Quarantine $true -Priority 3')).toEqual([
      { id: 'ParameterArgumentValidationError', parameter: 'Priority', message: "Cannot validate argument on parameter 'Priority'. Priority must be between 0 and 0 for a new rule (there are 0 rules)." },
    ]);
    expect(bed.rules()).toEqual([]);
  });

  it('validates header pairs in one place (rules/model.ts), on the rule as it would be after the change', async () => {
    const { bed, shell } = setup();
    await shell.run("New-TransportRule -Name Tagged -HeaderContainsMessageHeader X-Tag -HeaderContainsWords red -PrependSubject '[red] '");
    // clearing one half of the pair while the other stays is refused, as a new rule with one half is
    const r = await shell.run(['Set-TransportRule Tagged -HeaderContainsWords $null', 'New-TransportRule -Name Half -HeaderContainsMessageHeader X-Tag -Quarantine $true'].join('\n'));
    expect(r.errors.map((e) => [e.command, e.parameter, e.message])).toEqual([
      ['Set-TransportRule', 'HeaderContainsWords', "Rule 'Tagged': HeaderContainsWords: the parameter -HeaderContainsMessageHeader must be used together with -HeaderContainsWords"],
      ['New-TransportRule', 'HeaderContainsWords', "Rule 'Half': HeaderContainsWords: the parameter -HeaderContainsMessageHeader must be used together with -HeaderContainsWords"],
    ]);
    expect(bed.rules()).toEqual([expect.objectContaining({ Name: 'Tagged', HeaderContainsMessageHeader: 'X-Tag', HeaderContainsWords: ['red'] })]);
    // both halves cleared together is a valid change
    const both = await shell.run('Set-TransportRule Tagged -HeaderContainsMessageHeader $null -HeaderContainsWords $null');
    expect(both.errors.map((e) => e.format())).toEqual([]);
    expect(bed.rules()[0].HeaderContainsWords).toBeUndefined();
  });
});

// What the deleted in-memory twin (shell/memoryServices.ts) did differently from the store,
// settled to Exchange's behaviour, one test each.
describe("the old in-memory twin's divergences, settled", () => {
  it('New-InboundConnector with a name the organization has (any case): "already exists", naming -Name', async () => {
    const { bed, shell } = setup();
    expect(await errorsOf(shell, "New-InboundConnector -Name 'PARTNER BY IP' -SenderDomains fabrikam.com")).toEqual([
      { id: 'ManagementObjectAlreadyExistsException', parameter: 'Name', message: "The object inbound connector 'PARTNER BY IP' already exists." },
    ]);
    expect(bed.organization().InboundConnectors).toHaveLength(1);
  });

  it('Set-InboundConnector -Name taking another connector\'s name is refused (the twin renamed it)', async () => {
    const { bed, shell } = setup();
    await shell.run('New-InboundConnector -Name Second -SenderDomains fabrikam.com');
    expect(await errorsOf(shell, "Set-InboundConnector Second -Name 'Partner by IP'")).toEqual([
      { id: 'ManagementObjectAlreadyExistsException', parameter: 'Name', message: "The object inbound connector 'Partner by IP' already exists." },
    ]);
    expect(bed.organization().InboundConnectors.map((c) => c.Name)).toEqual(['Partner by IP', 'Second']);
  });

  it('Set-TransportRule -Name taking another rule\'s name is refused (the twin renamed it)', async () => {
    const { bed, shell } = setup();
    await shell.run("New-TransportRule -Name One -SubjectContainsWords a -Quarantine $true; New-TransportRule -Name Two -SubjectContainsWords b -Quarantine $true");
    expect(await errorsOf(shell, 'Set-TransportRule Two -Name one')).toEqual([
      { id: 'ManagementObjectAlreadyExistsException', parameter: 'Name', message: "The object transport rule 'one' already exists." },
    ]);
    expect(bed.rules().map((r) => r.Name)).toEqual(['One', 'Two']);
  });

  it('Set-AcceptedDomain -Name taking another domain\'s name is refused (the twin renamed it)', async () => {
    const { bed, shell } = setup();
    await shell.run('New-AcceptedDomain -Name Contoso -DomainName contoso.net');
    expect(await errorsOf(shell, 'Set-AcceptedDomain contoso.net -Name contoso.com')).toEqual([
      { id: 'ManagementObjectAlreadyExistsException', parameter: 'Name', message: "The object accepted domain 'contoso.com' already exists." },
    ]);
    expect(bed.organization().AcceptedDomains.map((d) => d.Name ?? d.DomainName)).toEqual(['contoso.com', 'Contoso']);
  });

  it('Set-AcceptedDomain -MakeDefault $false on the default domain is refused: another domain must become the default (the twin ignored it)', async () => {
    const { bed, shell } = setup();
    expect(await errorsOf(shell, 'Set-AcceptedDomain contoso.com -MakeDefault $false')).toEqual([
      { id: 'InvalidParameterValue', parameter: 'MakeDefault', message: "MakeDefault: 'contoso.com' is the default domain; make another domain the default instead (Set-AcceptedDomain <domain> -MakeDefault $true)." },
    ]);
    // on a domain that isn't the default it changes nothing, and is no error
    await shell.run('New-AcceptedDomain -Name Net -DomainName contoso.net');
    expect(await errorsOf(shell, 'Set-AcceptedDomain Net -MakeDefault $false')).toEqual([]);
    expect(bed.organization().AcceptedDomains.map((d) => [d.DomainName, d.Default])).toEqual([['contoso.com', true], ['contoso.net', false]]);
  });

  it('Remove-AcceptedDomain refuses the default domain and one a connector is associated with (the twin removed them)', async () => {
    const { bed, shell } = setup();
    await shell.run("New-AcceptedDomain -Name Net -DomainName contoso.net; Set-InboundConnector 'Partner by IP' -AssociatedAcceptedDomains contoso.net");
    const errors = await errorsOf(shell, 'Remove-AcceptedDomain contoso.com -Confirm:$false; Remove-AcceptedDomain contoso.net -Confirm:$false');
    expect(errors.map((e) => [e.id, e.parameter])).toEqual([['CannotRemoveDefaultDomain', 'Identity'], ['DomainInUse', 'Identity']]);
    expect(bed.organization().AcceptedDomains.map((d) => d.DomainName)).toEqual(['contoso.com', 'contoso.net']);
  });

  it('Start-HistoricalSearch mails reports only inside the organization; Stop-HistoricalSearch refuses a finished search (the twin did both)', async () => {
    const { bed, shell } = setup();
    const outside = await errorsOf(shell, 'Start-HistoricalSearch -ReportTitle R -StartDate 11/01/2026 -EndDate 11/20/2026 -ReportType MessageTrace -NotifyAddress someone@fabrikam.com');
    expect(outside.map((e) => [e.id, e.parameter])).toEqual([['InvalidParameterValue', 'NotifyAddress']]);
    expect(await bed.admin.getHistoricalSearches()).toEqual([]);
    const job = await bed.admin.startHistoricalSearch({ ReportTitle: 'R', StartDate: new Date('2026-11-01'), EndDate: new Date('2026-11-20'), ReportType: 'MessageTrace' });
    bed.searchStore.update(job.JobId, { status: 'Done' });
    const stop = await errorsOf(shell, `Stop-HistoricalSearch -JobId ${job.JobId}`);
    expect(stop.map((e) => [e.id, e.parameter])).toEqual([['InvalidOperation', 'JobId']]);
    expect((await bed.admin.getHistoricalSearches(job.JobId))[0].Status).toBe('Done');
  });

  it('Get-MessageTraceDetail honours -MessageId and -SenderAddress (the twin ignored them)', async () => {
    const { bed, shell } = setup();
    const id = 'ae5c1219-4c90-41bf-fef5-08d837917e7c';
    bed.recordTrace(
      [{ networkMessageId: id, recipient: 'ann@contoso.com', receivedAt: NOW.getTime() - 3_600_000, sender: 'john@fabrikam.com', subject: 'Hi', status: 'Delivered', fromIp: '203.0.113.9', size: 2000, internetMessageId: '<a@f>', connector: '' }],
      [{ networkMessageId: id, recipient: 'ann@contoso.com', at: NOW.getTime() - 3_600_000, event: 'Receive', detail: 'Received' }],
    );
    const count = async (extra: string) => (await shell.run(`@(Get-MessageTraceDetail -MessageTraceId ${id} -RecipientAddress ann@contoso.com ${extra}).Count`)).values[0];
    expect(await count('')).toBe(1);
    expect(await count('-MessageId a@f -SenderAddress JOHN@fabrikam.com')).toBe(1);
    expect(await count('-MessageId other@f')).toBe(0);
    expect(await count('-SenderAddress mallory@fabrikam.com')).toBe(0);
  });

  it('New-AcceptedDomain refuses a wildcard domain or ExternalRelay, which tenant attribution cannot match (the twin stored them)', async () => {
    const { bed, shell } = setup();
    const errors = await errorsOf(shell, "New-AcceptedDomain -Name Net -DomainName 'Contoso.NET'; New-AcceptedDomain -Name Wild -DomainName *.contoso.org; New-AcceptedDomain -Name Relay -DomainName relay.example -DomainType ExternalRelay");
    expect(errors.map((e) => [e.id, e.parameter])).toEqual([['InvalidParameterValue', 'DomainName'], ['InvalidParameterValue', 'DomainType']]);
    expect(bed.organization().AcceptedDomains.map((d) => d.DomainName)).toEqual(['contoso.com', 'contoso.net']);
  });
});
