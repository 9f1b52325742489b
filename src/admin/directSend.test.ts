// The Direct Send lockdown preview as an admin operation, on a real SQLite store: the
// organization's own trace rows of the period, judged under the configuration in force now.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertFor } from '../store/sqlite/traceStore.js';
import { adminTestbed, neighbourOrganization } from '../testing/adminTestbed.js';
import { EmailEvents, SmtpRejectEvents } from '../trace/tables.js';
import { AdminError } from './errors.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;

const fabrikam = neighbourOrganization('Fabrikam', 'fabrikam.com');

function setup() {
  const bed = adminTestbed({ organization: 'Contoso', neighbours: [fabrikam], now: () => NOW });
  const contoso = bed.organization().Guid;
  const accepted = insertFor(bed.db, EmailEvents);
  const refused = insertFor(bed.db, SmtpRejectEvents);
  const mail = (OrgId: string, daysAgo: number, ip: string, from: string, to: string) =>
    accepted({ OrgId, Timestamp: NOW.getTime() - daysAgo * DAY, NetworkMessageId: randomUUID(), SenderIPv4: ip, SenderMailFromAddress: from, SenderMailFromDomain: from.split('@')[1], RecipientEmailAddress: to, Connectors: '', EmailDirection: 'Inbound' });
  mail(contoso, 1, '203.0.113.5', 'scanner@contoso.com', 'alice@contoso.com');
  mail(contoso, 2, '203.0.113.5', 'scanner@contoso.com', 'bob@contoso.com');
  mail(contoso, 45, '198.51.100.20', 'crm@contoso.com', 'alice@contoso.com');
  mail(fabrikam.Guid, 1, '192.0.2.66', 'ceo@fabrikam.com', 'dave@fabrikam.com');
  refused({ OrgId: contoso, Timestamp: NOW.getTime() - DAY, SessionId: 's1', SenderIPv4: '192.0.2.99', SenderMailFromAddress: 'ceo@contoso.com', SenderMailFromDomain: 'contoso.com', RecipientEmailAddress: 'alice@contoso.com', EnhancedStatusCode: '5.7.68' });
  return bed;
}

const groups = (p: Awaited<ReturnType<ReturnType<typeof setup>['admin']['directSendPreview']>>) => p.groups.map((g) => `${g.EnhancedStatusCode} ${g.Status} ${g.SenderIP} ${g.Messages}/${g.Recipients}`);

describe('directSendPreview', () => {
  it("lists the organization's Direct Send senders of the period, and the steps", async () => {
    const { admin } = setup();
    const p = await admin.directSendPreview({ days: 30 });
    // The refusal is not listed: with Reject Direct Send off, the configuration now lets it in.
    expect(groups(p)).toEqual(['5.7.68 WouldRefuse 203.0.113.5 2/2']);
    expect(p.groups[0]).toMatchObject({ Organization: 'Contoso', SenderMailFromDomain: 'contoso.com', SenderMailFromAddresses: ['scanner@contoso.com'] });
    expect(p.summary).toEqual([{ EnhancedStatusCode: '5.7.68', Status: 'WouldRefuse', Messages: 2, Recipients: 2 }]);
    expect(p.steps.map((s) => `${s.Order} ${s.Action} ${s.Done}`)).toEqual(['1 NewInboundConnector false', '2 RejectDirectSend false']);
    expect(p.steps[0].Commands).toEqual(["New-InboundConnector -Name 'Direct Send contoso.com' -ConnectorType Partner -SenderDomains contoso.com -SenderIPAddresses 203.0.113.5 -RestrictDomainsToIPAddresses $true"]);
  });

  it('judges under the configuration in force now, over the days asked', async () => {
    const { admin } = setup();
    await admin.setOrganizationConfig({ RejectDirectSend: true });
    const p = await admin.directSendPreview({ days: 60 });
    expect(groups(p)).toEqual(['5.7.68 Refused 192.0.2.99 1/1', '5.7.68 WillRefuse 203.0.113.5 2/2', '5.7.68 WillRefuse 198.51.100.20 1/1']);
    expect(p.steps.at(-1)).toMatchObject({ Action: 'RejectDirectSend', Done: true, Commands: [] });
    expect(JSON.stringify(p)).not.toMatch(/fabrikam|192\.0\.2\.66/i);
  });

  it('refuses a period it cannot preview, naming Days; without the trace rows it says it is not available', async () => {
    const bed = setup();
    for (const days of [0, 91, Number.NaN]) {
      const e = await bed.admin.directSendPreview({ days }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AdminError);
      expect((e as AdminError).parameter).toBe('Days');
    }
    await expect(bed.adminFor('Contoso').directSendPreview()).rejects.toThrow(/Direct Send preview is not available/);
  });
});
