// The admin audit log on a real SQLite store: every state-changing operation leaves one record
// (who, cmdlet, parameters, object, each property before and after), a refused change too, and
// Search-AdminAuditLog finds them with Exchange's filters, inside the organization only.
import { describe, expect, it } from 'vitest';
import { adminTestbed, neighbourOrganization } from '../testing/adminTestbed.js';
import { AUDITED_OPERATIONS } from './audit.js';
import { AdminError } from './errors.js';
import type { AdminAuditLogEvent } from './types.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;

const fabrikam = neighbourOrganization('Fabrikam', 'fabrikam.com');

function setup() {
  let clock = NOW.getTime();
  // Each operation a second after the last, so that dates tell the records apart.
  const bed = adminTestbed({ organization: 'Contoso', neighbours: [fabrikam], now: () => new Date((clock += 1000)), clientIp: '192.0.2.44' });
  return { bed, admin: bed.admin };
}

async function refused(p: Promise<unknown>): Promise<AdminError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(AdminError);
  return e as AdminError;
}

const brief = (e: AdminAuditLogEvent) => `${e.CmdletName} ${e.ObjectModified} ${e.Succeeded}`;

describe('the admin audit log', () => {
  it('records Set-OrganizationConfig with the caller, client IP, parameters and the value before and after', async () => {
    const { admin } = setup();
    await admin.setOrganizationConfig({ RejectDirectSend: true });
    const [e] = await admin.searchAdminAuditLog();
    expect(e).toMatchObject({
      Caller: 'tester (adminTestbed)',
      ClientIP: '192.0.2.44',
      CmdletName: 'Set-OrganizationConfig',
      CmdletParameters: [{ Name: 'RejectDirectSend', Value: true }],
      ObjectModified: 'Contoso',
      ModifiedProperties: [{ Name: 'RejectDirectSend', OldValue: false, NewValue: true }],
      Succeeded: true,
      Error: null,
      ExternalAccess: false,
    });
    expect(e.RunDate).toBeInstanceOf(Date);
  });

  it('leaves one record for each state-changing operation, whoever the change is for', async () => {
    const { bed, admin } = setup();
    const message = (n: number) => `8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a${n}`;
    const entry = (n: number) => `4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${n}`;
    const held = (n: number) => `${message(n)}\\${entry(n)}`;
    for (const n of [1, 2]) {
      bed.hold({ networkMessageId: message(n), receivedAt: new Date(NOW.getTime() - HOUR), expiresAt: new Date(NOW.getTime() + 30 * 24 * HOUR), sender: 'x@tailspin.example', recipients: { 'alice@contoso.com': entry(n) }, subject: `held ${n}`, internetMessageId: `<${n}@tailspin.example>` });
    }
    await admin.setOrganizationConfig({ RejectDirectSend: true });
    await admin.setAntiPhishPolicy('Office365 AntiPhish Default', { HonorDmarcPolicy: false });
    await admin.setArcConfig({ ArcTrustedSealers: ['fabrikam.example'] });
    await admin.newAcceptedDomain({ Name: 'Contoso Net', DomainName: 'contoso.net', DomainType: 'Authoritative' });
    await admin.setAcceptedDomain('contoso.net', { DomainType: 'InternalRelay' });
    await admin.removeAcceptedDomain('Contoso Net');
    await admin.newInboundConnector({ Name: 'Partner', ConnectorType: 'Partner', SenderDomains: ['partner.example'], SenderIPAddresses: ['198.51.100.7'], RestrictDomainsToIPAddresses: true } as never);
    await admin.setInboundConnector('Partner', { SenderIPAddresses: ['198.51.100.7', '198.51.100.8'] });
    await admin.removeInboundConnector('Partner');
    await admin.newTransportRule({ Name: 'Quarantine Direct Send', Enabled: true, SenderIpRanges: ['203.0.113.0/24'], Quarantine: true });
    await admin.setTransportRule('Quarantine Direct Send', { Comments: 'from the article' });
    await admin.setTransportRuleState('Quarantine Direct Send', 'Disabled');
    await admin.setTransportRuleState('Quarantine Direct Send', 'Enabled');
    await admin.removeTransportRule('Quarantine Direct Send');
    await admin.releaseQuarantineMessage(held(1), { ReleaseToAll: true });
    await admin.deleteQuarantineMessage(held(2), {});
    const job = await admin.startHistoricalSearch({ ReportTitle: 'Direct Send', StartDate: new Date(NOW.getTime() - 24 * HOUR), EndDate: NOW, ReportType: 'ConnectorReport', ConnectorType: 'NoConnector' } as never);
    await admin.stopHistoricalSearch(job.JobId);

    const log = (await admin.searchAdminAuditLog()).reverse();
    expect(log.map(brief)).toEqual([
      'Set-OrganizationConfig Contoso true',
      'Set-AntiPhishPolicy Office365 AntiPhish Default true',
      'Set-ArcConfig Default true',
      'New-AcceptedDomain Contoso Net true',
      'Set-AcceptedDomain Contoso Net true',
      'Remove-AcceptedDomain Contoso Net true',
      'New-InboundConnector Partner true',
      'Set-InboundConnector Partner true',
      'Remove-InboundConnector Partner true',
      'New-TransportRule Quarantine Direct Send true',
      'Set-TransportRule Quarantine Direct Send true',
      'Disable-TransportRule Quarantine Direct Send true',
      'Enable-TransportRule Quarantine Direct Send true',
      'Remove-TransportRule Quarantine Direct Send true',
      `Release-QuarantineMessage ${held(1)} true`,
      `Delete-QuarantineMessage ${held(2)} true`,
      `Start-HistoricalSearch ${job.JobId} true`,
      `Stop-HistoricalSearch ${job.JobId} true`,
    ]);
    expect(new Set(log.map((e) => e.CmdletName)).size).toBe(AUDITED_OPERATIONS.length + 1); // Enable- and Disable- share one operation
    const changes = (cmdlet: string) => log.find((e) => e.CmdletName === cmdlet)!.ModifiedProperties;
    expect(changes('Set-AcceptedDomain')).toEqual([{ Name: 'DomainType', OldValue: 'Authoritative', NewValue: 'InternalRelay' }]);
    expect(changes('Set-InboundConnector')).toEqual([{ Name: 'SenderIPAddresses', OldValue: ['198.51.100.7'], NewValue: ['198.51.100.7', '198.51.100.8'] }]);
    expect(changes('Disable-TransportRule')).toEqual([{ Name: 'State', OldValue: 'Enabled', NewValue: 'Disabled' }]);
    expect(changes('Release-QuarantineMessage')).toContainEqual({ Name: 'ReleaseStatus', OldValue: 'NotReleased', NewValue: 'Released' });
    expect(changes('Stop-HistoricalSearch')).toContainEqual(expect.objectContaining({ Name: 'Status', NewValue: 'Cancelled' }));
    // A new object lists what it holds; a removed one what it held.
    expect(changes('New-InboundConnector')).toContainEqual({ Name: 'SenderDomains', OldValue: null, NewValue: ['partner.example'] });
    expect(changes('Remove-InboundConnector')).toContainEqual({ Name: 'SenderIPAddresses', OldValue: ['198.51.100.7', '198.51.100.8'], NewValue: null });
    expect(changes('New-TransportRule')).toContainEqual({ Name: 'SenderIpRanges', OldValue: null, NewValue: ['203.0.113.0/24'] });
  });

  it('records a refused change with its error, and a rename under the name it had', async () => {
    const { admin } = setup();
    const e = await refused(admin.newInboundConnector({ Name: 'Bad', ConnectorType: 'Partner', SenderDomains: ['x.example'], SenderIPAddresses: ['not-an-ip'] } as never));
    await refused(admin.removeAcceptedDomain('contoso.com'));
    await refused(admin.setAntiPhishPolicy('Strict', { HonorDmarcPolicy: false }));
    await admin.newInboundConnector({ Name: 'Old name', ConnectorType: 'Partner', SenderDomains: ['x.example'], SenderIPAddresses: ['192.0.2.1'] } as never);
    await admin.setInboundConnector('Old name', { Name: 'New name' });
    const [rename, , policy, removal, failed] = await admin.searchAdminAuditLog();
    expect(policy).toMatchObject({ CmdletName: 'Set-AntiPhishPolicy', ObjectModified: 'Strict', Succeeded: false, ModifiedProperties: [] });
    expect(failed).toMatchObject({ CmdletName: 'New-InboundConnector', ObjectModified: 'Bad', Succeeded: false, Error: e.message, ModifiedProperties: [] });
    expect(failed.CmdletParameters).toContainEqual({ Name: 'SenderIPAddresses', Value: ['not-an-ip'] });
    expect(removal).toMatchObject({ CmdletName: 'Remove-AcceptedDomain', ObjectModified: 'contoso.com', Succeeded: false });
    expect(removal.Error).toMatch(/default accepted domain/);
    expect(rename).toMatchObject({ ObjectModified: 'Old name', ModifiedProperties: [{ Name: 'Name', OldValue: 'Old name', NewValue: 'New name' }] });
  });

  it('never keeps a password given as a parameter', async () => {
    const { bed, admin } = setup();
    await refused(admin.newTransportRule({ Name: 'R', Enabled: true, PasswordV2: 'hunter2-secret' }));
    const [e] = await admin.searchAdminAuditLog();
    expect(e.CmdletParameters).toContainEqual({ Name: 'PasswordV2', Value: '********' });
    expect(JSON.stringify(bed.db.prepare('SELECT * FROM "AdminAuditEvents"').all())).not.toContain('hunter2');
  });

  it("finds records by cmdlet, object, user, outcome, parameter and date, pages them, and never shows another organization's", async () => {
    const { bed, admin } = setup();
    const theirs = bed.adminFor('Fabrikam', 'mallory (postern shell, pid 7)');
    await theirs.setOrganizationConfig({ RejectDirectSend: true });
    await admin.setOrganizationConfig({ RejectDirectSend: true });
    await admin.newAcceptedDomain({ Name: 'contoso.net', DomainName: 'contoso.net', DomainType: 'Authoritative' });
    await refused(admin.newAcceptedDomain({ Name: 'dup', DomainName: 'contoso.net', DomainType: 'Authoritative' }));
    const alice = bed.adminFor('Contoso', 'alice (postern shell, pid 42)');
    await alice.setAcceptedDomain('contoso.net', { DomainType: 'InternalRelay' });

    const find = async (q: Parameters<typeof admin.searchAdminAuditLog>[0]) => (await admin.searchAdminAuditLog(q)).map(brief);
    expect(await find({})).toEqual(['Set-AcceptedDomain contoso.net true', 'New-AcceptedDomain dup false', 'New-AcceptedDomain contoso.net true', 'Set-OrganizationConfig Contoso true']);
    expect(await find({ Cmdlets: ['set-organizationconfig'] })).toEqual(['Set-OrganizationConfig Contoso true']);
    expect(await find({ ObjectIds: ['contoso.net'] })).toEqual(['Set-AcceptedDomain contoso.net true', 'New-AcceptedDomain contoso.net true']);
    expect(await find({ UserIds: ['alice'] })).toEqual(['Set-AcceptedDomain contoso.net true']);
    expect(await find({ UserIds: ['mallory'] })).toEqual([]);
    expect(await find({ IsSuccess: false })).toEqual(['New-AcceptedDomain dup false']);
    expect(await find({ Cmdlets: ['Set-AcceptedDomain', 'Set-OrganizationConfig'], Parameters: ['DomainType'] })).toEqual(['Set-AcceptedDomain contoso.net true']);
    // The clock moves a second per operation (Fabrikam's first, at NOW + 1 s).
    expect(await find({ StartDate: new Date(NOW.getTime() + 3500), EndDate: new Date(NOW.getTime() + 4500) })).toEqual(['New-AcceptedDomain dup false']);
    const page1 = await admin.searchAdminAuditLog({ ResultSize: 3 });
    const page2 = await admin.searchAdminAuditLog({ ResultSize: 3, Cursor: page1[2].Identity });
    expect(page2.map(brief)).toEqual(['Set-OrganizationConfig Contoso true']);
    expect(await find({ StartIndex: 3 })).toEqual(['Set-OrganizationConfig Contoso true']);
    expect((await theirs.searchAdminAuditLog()).map((e) => `${e.Caller}: ${brief(e)}`)).toEqual(['mallory (postern shell, pid 7): Set-OrganizationConfig Fabrikam true']);
  });

  it('refuses a search it cannot run, naming the parameter', async () => {
    const { admin } = setup();
    const at = (q: Parameters<typeof admin.searchAdminAuditLog>[0]) => refused(admin.searchAdminAuditLog(q)).then((e) => e.parameter);
    expect(await at({ StartDate: NOW, EndDate: new Date(NOW.getTime() - HOUR) })).toBe('EndDate');
    expect(await at({ ResultSize: 0 })).toBe('ResultSize');
    expect(await at({ Cursor: 'x' })).toBe('Cursor');
    expect(await at({ Parameters: ['RejectDirectSend'] })).toBe('Parameters');
  });
});
