// Search-AdminAuditLog as an admin types it, on the real admin operations over SQLite: what the
// shell's own changes left in the log, Exchange's list view, the filters, and errors that name
// the parameter.
import { describe, expect, it } from 'vitest';
import { adminTestbed } from '../testing/adminTestbed.js';
import { createShellSession } from './index.js';

function setup() {
  const bed = adminTestbed({ organization: 'Contoso' });
  return createShellSession({ services: bed.admin, width: 200 });
}

describe('Search-AdminAuditLog', () => {
  it("shows the shell's changes, newest first, in Exchange's list view", async () => {
    const shell = setup();
    const r = await shell.run(
      [
        'Set-OrganizationConfig -RejectDirectSend $true',
        "New-InboundConnector -Name 'Partner by IP' -SenderDomains partner.example -SenderIPAddresses 198.51.100.7 -RestrictDomainsToIPAddresses $true | Out-Null",
        'Search-AdminAuditLog',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    const [connector, config] = r.output.trim().split(/\n\s*\n/);
    expect(connector).toMatch(/^RunDate\s+: \d+\/\d+\/\d{4} /);
    expect(connector).toMatch(/CmdletName\s+: New-InboundConnector\n/);
    expect(connector).toMatch(/ObjectModified\s+: Partner by IP\n/);
    expect(config).toMatch(/Caller\s+: tester \(adminTestbed\)\n/);
    expect(config).toMatch(/CmdletParameters\s+: \{RejectDirectSend\}\n/);
    expect(config).toMatch(/ModifiedProperties\s+: \{RejectDirectSend\}\n/);
    expect(config).toMatch(/Succeeded\s+: True\n/);
  });

  it('filters by cmdlet, parameter and outcome, and pipes into the utilities', async () => {
    const shell = setup();
    await shell.run(['Set-OrganizationConfig -RejectDirectSend $true', 'Set-OrganizationConfig -RejectDirectSend $false', 'Remove-AcceptedDomain contoso.com -Confirm:$false'].join('\n'));
    const r = await shell.run(
      [
        'Search-AdminAuditLog -Cmdlets Set-OrganizationConfig -Parameters RejectDirectSend | ForEach-Object { $_.ModifiedProperties | ForEach-Object { "$($_.Name): $($_.OldValue) -> $($_.NewValue)" } }',
        'Search-AdminAuditLog -IsSuccess $false | ForEach-Object { "$($_.CmdletName) $($_.ObjectModified): $($_.Error)" }',
        '(Search-AdminAuditLog -ExternalAccess $true | Measure-Object).Count',
        '(Search-AdminAuditLog -ResultSize 1 -StartIndex 1).CmdletName',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.output.trim().split('\n')).toEqual([
      'RejectDirectSend: True -> False',
      'RejectDirectSend: False -> True',
      "Remove-AcceptedDomain contoso.com: 'contoso.com' is the default accepted domain and can't be removed; make another domain the default first (Set-AcceptedDomain <domain> -MakeDefault $true).",
      '0',
      'Set-OrganizationConfig',
    ]);
  });

  it('names the parameter it refuses', async () => {
    const shell = setup();
    const r = await shell.run(['Search-AdminAuditLog -Parameters RejectDirectSend', 'Search-AdminAuditLog -StartDate 2026-11-02 -EndDate 2026-11-01'].join('\n'));
    expect(r.errors.map((e) => e.parameter)).toEqual(['Parameters', 'EndDate']);
  });
});
