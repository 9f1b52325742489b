// Cmdlet parameters in `postern shell` bind as PowerShell binds them: names case-insensitive
// (and by unambiguous prefix); an unknown name is an error naming it, and nothing changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { contoso, importOrgs, runCli, tempDir } from './support/postern.js';

let dir: string;
const shell = (command: string) => runCli(['shell', '-d', dir, '-c', command]);

beforeAll(() => {
  dir = tempDir();
  importOrgs(dir, [contoso()]);
});

describe('cmdlet parameter names', () => {
  it('takes a miscased parameter name: -restrictdomainstoipaddresses $true restricts the connector', () => {
    const r = shell('New-InboundConnector -Name Partner -SenderDomains fabrikam.com -SenderIPAddresses 192.0.2.0/24 -restrictdomainstoipaddresses $true -requiretls $false');
    expect(r.status, r.stderr).toBe(0);
    expect(shell('Get-InboundConnector Partner | Format-List Name,RestrictDomainsToIPAddresses').stdout).toMatch(/RestrictDomainsToIPAddresses : True/);
  });

  it('refuses a misspelled parameter name, naming it, and creates nothing', () => {
    const r = shell('New-InboundConnector -Name Typo -SenderDomains fabrikam.com -SenderIPAddresses 192.0.2.0/24 -RestrictDomainToIPAddresses $true');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("New-InboundConnector : A parameter cannot be found that matches parameter name 'RestrictDomainToIPAddresses'.");
    expect(shell('Get-InboundConnector | Format-List Name').stdout).not.toContain('Typo');
  });
});
