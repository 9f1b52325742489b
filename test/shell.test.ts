// `postern shell` end to end: the built CLI against a running `postern serve` on the same data
// directory. Commands are the ones admins paste from Microsoft's documentation and the Direct
// Send article; their effect is checked over real SMTP with swaks, and tenant isolation is
// checked through every identity an admin of one organization could type for another's objects.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../src/config/model.js';
import { CLI, contoso, importOrgs, query, runCli, startPostern, swaks, tempDir, waitFor, type Running } from './support/postern.js';

let pg: Running;
const fabConnectorGuid = randomUUID();
const server = () => `127.0.0.1:${pg.smtpPort}`;

function fabrikam(): Organization {
  return contoso({
    Name: 'Fabrikam',
    Guid: randomUUID(),
    AcceptedDomains: [{ DomainName: 'fabrikam.com', DomainType: 'Authoritative', Default: true }],
    InboundConnectors: [
      { Name: 'Fabrikam Partner', Guid: fabConnectorGuid, ConnectorType: 'Partner', SenderDomains: ['supplier.example'], SenderIPAddresses: ['127.0.0.6'], RestrictDomainsToIPAddresses: true, RequireTls: false },
    ] as Organization['InboundConnectors'],
  });
}

/** `postern shell` on the test server's data directory. */
function shell(args: string[], opts: { input?: string; cwd?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'shell', '-d', pg.dataDir, ...args], { encoding: 'utf8', input: opts.input ?? '', cwd: opts.cwd, timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const contosoShell = (commands: string, opts: { input?: string; cwd?: string } = {}) => shell(['--organization', 'Contoso', '-c', commands], opts);

/** ConvertTo-Json output as a list (PowerShell prints one object without brackets). */
function jsonList(text: string): Record<string, any>[] {
  if (text.trim() === '') return [];
  const v = JSON.parse(text);
  return Array.isArray(v) ? v : [v];
}

/** Send until `expect` shows up (configuration reloads by polling), at most `ms`. */
async function sendUntil(args: string[], pattern: RegExp, ms: number): Promise<{ out: string; elapsed: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = swaks(['--server', server(), ...args]);
    if (pattern.test(r.out) || Date.now() - t0 > ms) return { out: r.out, elapsed: Date.now() - t0 };
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  const dir = tempDir();
  importOrgs(dir, [contoso(), fabrikam()]);
  pg = await startPostern(dir);
});
afterAll(async () => {
  await pg?.stop();
});

describe("the article's commands, as pasted, on a running server", () => {
  it('Set-OrganizationConfig -RejectDirectSend $true: within 2 s Direct Send forging contoso.com gets 550 5.7.68', async () => {
    expect(swaks(['--server', server(), '--from', 'ceo@contoso.com', '--to', 'x@contoso.com']).out).toMatch(/250 2\.0\.0 OK/);
    const r = contosoShell('Set-OrganizationConfig -RejectDirectSend $true');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sent = await sendUntil(['--from', 'ceo@contoso.com', '--to', 'x@contoso.com'], /5\.7\.68/, 2000);
    expect(sent.out).toMatch(/550 5\.7\.68 TenantInboundAttribution; Direct Send not allowed/);
    expect(sent.elapsed).toBeLessThanOrEqual(2000);
    expect(contosoShell('Get-OrganizationConfig | Format-List Name,RejectDirectSend').stdout).toMatch(/RejectDirectSend : True/);
    // the other organization is untouched
    expect(shell(['--organization', 'Fabrikam', '-c', 'Get-OrganizationConfig | Format-List RejectDirectSend']).stdout).toMatch(/RejectDirectSend : False/);
  });

  it('New-InboundConnector restricted to an IP: 127.0.0.2 is accepted (250), 127.0.0.3 gets 5.7.51', async () => {
    const r = contosoShell('New-InboundConnector -Name "Partner by IP" -ConnectorType Partner -SenderDomains partner.example -SenderIPAddresses 127.0.0.2 -RestrictDomainsToIPAddresses $true');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Partner by IP\s+True/);
    const denied = await sendUntil(['--from', 'orders@partner.example', '--to', 'buyer@contoso.com', '--local-interface', '127.0.0.3'], /5\.7\.51/, 2000);
    expect(denied.out).toMatch(/550 5\.7\.51 TenantInboundAttribution; There is a partner connector configured that matched the message's recipient domain/);
    // RequireTls defaults to $true on New-InboundConnector, as in Exchange: the partner uses STARTTLS.
    expect(swaks(['--server', server(), '--from', 'orders@partner.example', '--to', 'buyer@contoso.com', '--local-interface', '127.0.0.2', '--tls']).out).toMatch(/250 2\.0\.0 OK/);
  });
});

describe('live changes through the shell', () => {
  it('New-AcceptedDomain takes effect on the running server within 2 s; Remove-AcceptedDomain withdraws it', async () => {
    const rcpt = ['--from', 'ops@tailspin.example', '--to', 'someone@contoso.org'];
    expect(swaks(['--server', server(), ...rcpt]).out).toContain('550 5.7.64 TenantAttribution');
    const r = contosoShell('New-AcceptedDomain -Name "Contoso Org" -DomainName contoso.org -DomainType Authoritative');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Contoso Org\s+contoso\.org\s+Authoritative\s+False/);
    const accepted = await sendUntil(rcpt, /250 2\.0\.0 OK/, 2000);
    expect(accepted.out).toMatch(/250 2\.0\.0 OK/);
    expect(contosoShell('Remove-AcceptedDomain contoso.org -Confirm:$false').status).toBe(0);
    expect((await sendUntil(rcpt, /5\.7\.64/, 2000)).out).toContain('550 5.7.64 TenantAttribution');
  });

  it('New-TransportRule from the article (with real ranges) is stored for this organization only', () => {
    const article = "New-TransportRule -Name \"Redirect to quarantine if not coming from known IPs\" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' \u2013ExceptIfSenderIpRanges \u2018203.0.113.0/24,198.51.100.7 ' -StopRuleProcessing $true -Priority 0";
    const r = contosoShell(`${article} | Out-Null; Get-TransportRule | Format-Table Name,State,Priority`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Redirect to quarantine if not coming from known IPs\s+Enabled\s+0/);
    const b = shell(['--organization', 'Fabrikam', '-c', "Get-TransportRule; Get-TransportRule 'Redirect to quarantine if not coming from known IPs'"]);
    expect(b.stdout.trim()).toBe('');
    expect(b.stderr).toContain("couldn't be found");
    // gone again, so the rest of the file's mail is not quarantined by it
    const removed = contosoShell("Remove-TransportRule 'Redirect to quarantine if not coming from known IPs' -Confirm:$false; @(Get-TransportRule).Count");
    expect(removed.stderr).toBe('');
    expect(removed.stdout.trim()).toBe('0');
  });
});

describe('reading and round-tripping configuration', () => {
  it('Get-InboundConnector | Format-Table and Get-AcceptedDomain print their default views', () => {
    const t = contosoShell('Get-InboundConnector | Format-Table');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/Identity\s+Enabled/);
    expect(t.stdout).toMatch(/Partner by IP\s+True/);
    expect(t.stdout).not.toContain('Fabrikam Partner');
    const d = contosoShell('Get-AcceptedDomain');
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/Name\s+DomainName\s+DomainType\s+Default/);
    expect(d.stdout).toMatch(/contoso\.com\s+contoso\.com\s+Authoritative\s+True/);
    expect(d.stdout).not.toContain('fabrikam.com');
  });

  it('Get-InboundConnector X | ConvertTo-Json | ConvertFrom-Json | New-InboundConnector -Name Copy copies every setting', () => {
    const r = contosoShell(
      [
        "New-InboundConnector -Name 'Round trip' -ConnectorType OnPremises -SenderDomains '*.contoso.com','contoso.com' -SenderIPAddresses 192.0.2.0/24,198.51.100.7 -TreatMessagesAsInternal $true -Comment 'on-premises relay' -Enabled $false | Out-Null",
        "Get-InboundConnector 'Round trip' | ConvertTo-Json | ConvertFrom-Json | New-InboundConnector -Name 'Round trip copy' | Out-Null",
        '$json = Get-InboundConnector "Round trip" | ConvertTo-Json',
        "$json | ConvertFrom-Json | New-InboundConnector -Name 'Round trip copy 2' | Out-Null",
        "Get-InboundConnector | Where-Object { $_.Name -like 'Round trip*' } | ConvertTo-Json",
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const list = jsonList(r.stdout);
    expect(list.map((c) => c.Name)).toEqual(['Round trip', 'Round trip copy', 'Round trip copy 2']);
    const settings = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).filter(([k]) => !['Name', 'Identity', 'Guid'].includes(k)));
    expect(settings(list[1])).toEqual(settings(list[0]));
    expect(settings(list[2])).toEqual(settings(list[0]));
    expect(list[0]).toMatchObject({ ConnectorType: 'OnPremises', SenderIPAddresses: ['192.0.2.0/24', '198.51.100.7'], TreatMessagesAsInternal: true, Comment: 'on-premises relay', Enabled: false });
    expect(new Set(list.map((c) => c.Guid)).size).toBe(3);
    const removed = contosoShell("Get-InboundConnector | Where-Object { $_.Name -like 'Round trip*' } | Remove-InboundConnector -Confirm:$false; (Get-InboundConnector).Count");
    expect(removed.stderr).toBe('');
    expect(removed.stdout.trim()).toBe('1');
  });

  it('runs a -File script and a script piped on standard input', () => {
    const file = join(tempDir('ps1-'), 'report.ps1');
    writeFileSync(file, "$d = Get-AcceptedDomain\nWrite-Host \"domains: $($d.Count)\"\nGet-OrganizationConfig | Select-Object Name\n");
    const r = shell(['-Organization', 'Contoso', '-File', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('domains: 1');
    expect(r.stdout).toMatch(/Contoso/);
    const piped = shell(['--organization', 'Fabrikam'], { input: 'Get-AcceptedDomain | Select-Object -ExpandProperty DomainName\n' });
    expect(piped.status).toBe(0);
    expect(piped.stdout.trim()).toBe('fabrikam.com');
  });
});

describe('tenant isolation through the shell', () => {
  it('needs -Organization when the data directory holds several organizations, and refuses an unknown one', () => {
    const r = shell(['-c', 'Get-AcceptedDomain']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('2 organizations (Contoso, Fabrikam); choose one with --organization');
    expect(r.stdout).toBe('');
    const unknown = shell(['--organization', 'Northwind', '-c', 'Get-AcceptedDomain']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("The organization 'Northwind' couldn't be found");
  });

  it("a Contoso session can neither read nor change Fabrikam's objects, by name, GUID or any other spelling", () => {
    const tricks = [
      "Get-InboundConnector 'Fabrikam Partner'",
      `Get-InboundConnector ${fabConnectorGuid}`,
      `Get-InboundConnector -Identity '${fabConnectorGuid.toUpperCase()}'`,
      "Get-InboundConnector 'Fabrikam\\Fabrikam Partner'",
      `Set-InboundConnector ${fabConnectorGuid} -Enabled $false`,
      `'${fabConnectorGuid}' | Set-InboundConnector -SenderIPAddresses 127.0.0.9`,
      "Set-InboundConnector 'Fabrikam Partner' -RestrictDomainsToIPAddresses $false",
      `Remove-InboundConnector ${fabConnectorGuid} -Confirm:$false`,
      'Get-AcceptedDomain fabrikam.com',
      'Set-AcceptedDomain fabrikam.com -MakeDefault $true',
      'Remove-AcceptedDomain fabrikam.com -Confirm:$false',
    ];
    const r = contosoShell(tricks.join('\n'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const errors = r.stderr.split(/\n(?=\S+ : )/);
    expect(errors).toHaveLength(tricks.length);
    for (const e of errors) expect(e).toMatch(/couldn't be found[\s\S]*ObjectNotFound/);

    // wildcards list only the session's own objects
    const wild = contosoShell("Get-InboundConnector * | ConvertTo-Json; Get-InboundConnector 'Fabrikam*'; Get-AcceptedDomain *; Get-AcceptedDomain '*fabrikam*'; Get-TransportRule *");
    expect(wild.stderr).toBe('');
    expect(wild.stdout).not.toMatch(/fabrikam/i);
    expect(wild.stdout).toContain('contoso.com');

    const steal = contosoShell('New-AcceptedDomain -Name fabrikam.com -DomainName fabrikam.com');
    expect(steal.status).toBe(1);
    expect(steal.stderr).toContain("The domain 'fabrikam.com' can't be added: it is already in use in another tenant.");

    // Fabrikam is exactly as it was; its own admin (-Organization Fabrikam) can change it
    const b = shell(['-Organization', 'Fabrikam', '-c', 'Get-InboundConnector | ConvertTo-Json']);
    expect(jsonList(b.stdout)).toEqual([expect.objectContaining({ Name: 'Fabrikam Partner', Guid: fabConnectorGuid, Enabled: true, SenderIPAddresses: ['127.0.0.6'], RestrictDomainsToIPAddresses: true })]);
    const own = shell(['--organization', 'Fabrikam', '-c', `Set-InboundConnector ${fabConnectorGuid} -Comment 'changed by the Fabrikam admin'; (Get-InboundConnector 'Fabrikam Partner').Comment`]);
    expect(own.stderr).toBe('');
    expect(own.stdout.trim()).toBe('changed by the Fabrikam admin');
    expect(contosoShell('Get-InboundConnector | ConvertTo-Json').stdout).not.toContain('Fabrikam');
  });
});

describe('tenant boundaries of accepted domains', () => {
  it("Contoso can't add a subdomain of Fabrikam's domain, and mail for it never reaches Contoso", async () => {
    const r = contosoShell('New-AcceptedDomain -Name "Fabrikam Sub" -DomainName sub.fabrikam.com');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("New-AcceptedDomain : DomainName: The domain 'sub.fabrikam.com' can't be added: its parent domain 'fabrikam.com' is already in use in another tenant.");
    expect(r.stderr).not.toContain('Fabrikam\'');
    expect(contosoShell('Get-AcceptedDomain | Select-Object -ExpandProperty DomainName').stdout).not.toContain('sub.fabrikam.com');
    // give a running server time to reload, were anything saved
    await new Promise((res) => setTimeout(res, 500));
    const sent = swaks(['--server', server(), '--from', 'ops@tailspin.example', '--to', 'x@sub.fabrikam.com', '--header', 'Subject: for the subdomain']);
    expect(sent.out).toContain('550 5.7.64 TenantAttribution');
    expect(query(pg.dataDir, "SELECT recipient FROM message_trace WHERE recipient = 'x@sub.fabrikam.com'")).toEqual([]);
  });
});

describe('message trace', () => {
  it('Get-MessageTrace | Get-MessageTraceDetail shows RECEIVE and DELIVER for the recipient, and nothing of the other organization', async () => {
    const tag = randomUUID().slice(0, 8);
    expect(swaks(['--server', server(), '--from', 'ops@tailspin.example', '--to', 'tracey@contoso.com', '--header', `Subject: contoso ${tag}`]).out).toMatch(/250 2\.0\.0 OK/);
    expect(swaks(['--server', server(), '--from', 'ops@tailspin.example', '--to', 'dave@fabrikam.com', '--header', `Subject: fabrikam secret ${tag}`]).out).toMatch(/250 2\.0\.0 OK/);
    const fab = await waitFor(() => {
      const rows = query(pg.dataDir, "SELECT network_message_id, status FROM message_trace WHERE subject LIKE ? AND status = 'Delivered'", `%${tag}`);
      return rows.length === 2 && rows;
    }, 10_000, 'both messages delivered');
    const fabId = query(pg.dataDir, 'SELECT network_message_id AS id FROM message_trace WHERE recipient = ? AND subject LIKE ?', 'dave@fabrikam.com', `%${tag}`)[0].id;
    expect(fab).toHaveLength(2);

    const trace = contosoShell('Get-MessageTrace -RecipientAddress tracey@contoso.com | ConvertTo-Json');
    expect(trace.stderr).toBe('');
    const [row] = jsonList(trace.stdout);
    expect(row).toMatchObject({ SenderAddress: 'ops@tailspin.example', RecipientAddress: 'tracey@contoso.com', Subject: `contoso ${tag}`, Status: 'Delivered', FromIP: '127.0.0.1' });

    const detail = contosoShell('Get-MessageTrace -RecipientAddress tracey@contoso.com | Get-MessageTraceDetail | Format-Table Event,Action,RecipientAddress');
    expect(detail.stderr).toBe('');
    expect(detail.stdout).toMatch(/RECEIVE\s+Receive\s+tracey@contoso\.com[\s\S]*DELIVER\s+Deliver\s+tracey@contoso\.com/);

    const all = contosoShell('Get-MessageTrace | ConvertTo-Json');
    const recipients = jsonList(all.stdout).map((r) => r.RecipientAddress);
    expect(recipients).toContain('tracey@contoso.com');
    expect(recipients.filter((r) => r.endsWith('@fabrikam.com'))).toEqual([]);
    expect(all.stdout).not.toContain('fabrikam secret');

    // Fabrikam's MessageTraceId from a Contoso session: nothing; from Fabrikam's: its events
    const other = contosoShell(`Get-MessageTrace -MessageTraceId ${fabId}; Get-MessageTraceDetail -MessageTraceId ${fabId} -RecipientAddress dave@fabrikam.com`);
    expect(other.status).toBe(0);
    expect(other.stdout.trim()).toBe('');
    const own = shell(['--organization', 'Fabrikam', '-c', `Get-MessageTraceDetail -MessageTraceId ${fabId} -RecipientAddress dave@fabrikam.com | Select-Object -ExpandProperty Event`]);
    expect(own.stdout.trim().split(/\r?\n/)).toEqual(['RECEIVE', 'DELIVER']);
  });
});

describe('wrong invocations', () => {
  it('exit non-zero with a message naming the parameter', () => {
    const cases: [string, RegExp][] = [
      ['Set-OrganizationConfig -RejectDirectSend yes', /RejectDirectSend/],
      ['New-InboundConnector -Name Wide -SenderDomains partner.example -SenderIPAddresses 10.0.0.0/8', /SenderIPAddresses/],
      ['New-InboundConnector -Name Assoc -SenderDomains partner.example -AssociatedAcceptedDomains fabrikam.com', /AssociatedAcceptedDomains: 'fabrikam\.com'.*is not an accepted domain/],
      ['New-InboundConnector -Name EF -SenderDomains partner.example -EFSkipIPs 192.0.2.1', /EFSkipIPs: Enhanced Filtering/],
      ['Get-InboundConnector -Identiti x', /Identiti/],
      ['New-AcceptedDomain -Name relay -DomainName relay.example -DomainType ExternalRelay', /DomainType/],
    ];
    for (const [command, message] of cases) {
      const r = contosoShell(command);
      expect(r.status, command).toBe(1);
      expect(r.stderr, command).toMatch(message);
    }
    const both = shell(['--organization', 'Contoso', '-c', 'Get-AcceptedDomain', '-File', 'x.ps1']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('either -c or -File');
  });

  it("$null through the pipeline gets PowerShell's error naming the parameter, never a JavaScript one", () => {
    const r = contosoShell('$null | Release-QuarantineMessage -ReleaseToAll; $null | Remove-TransportRule -Confirm:$false; Get-MessageTraceV2 -MessageId @($null)');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Release-QuarantineMessage : Cannot bind argument to parameter 'Identity' because it is null.");
    expect(r.stderr).toContain("Remove-TransportRule : Cannot bind argument to parameter 'Identity' because it is null.");
    expect(r.stderr).toMatch(/Get-MessageTraceV2 : Cannot validate argument on parameter 'MessageId'\. The argument is null/);
    expect(r.stderr).not.toMatch(/Cannot read properties|TypeError|undefined/);
  });

  it('answers an empty quarantine and an empty search list with no rows, not an error', () => {
    const r = contosoShell('@(Get-QuarantineMessage).Count; @(Get-HistoricalSearch).Count');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split(/\s+/)).toEqual(['0', '0']);
  });
});

/**
 * Drives the interactive shell in a pseudo-terminal (Python's pty module: Node has none built in).
 * Each step sends its text, then waits for the pattern before the next one.
 */
const PTY_DRIVER = `
import os, pty, re, select, sys, time, json
steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b''
def wait(pattern, timeout=15):
    global out
    start = len(out)
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pattern.encode(), out[start:]):
            return True
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return False
    return False
for send, pattern in steps:
    os.write(fd, send.encode())
    if not wait(pattern):
        out += ('\\n<<timed out waiting for %s>>' % pattern).encode()
        break
sys.stdout.write(out.decode('utf-8', 'replace'))
`;

const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('interactive', () => {
  it.skipIf(!hasPython)('completes with Tab, continues an open pipeline on ">> ", asks y/n before Remove-*, keeps variables and history', () => {
    const prompt = 'PS postern:Contoso> ';
    const steps: [string, string][] = [
      ['', prompt],
      ['Get-AcceptedD\t', 'Get-AcceptedDomain'],
      ['\r', 'Authoritative[\\s\\S]*' + prompt],
      ["New-InboundConnector -Name 'Scratch' -SenderDomains scratch.example | Out-Null\r", prompt],
      ['Get-InboundConnector |\r', '>> '],
      ["Where-Object { $_.Name -eq 'Scratch' } | Format-List Name\r", 'Name : Scratch[\\s\\S]*' + prompt],
      ['Remove-InboundConnector Scratch\r', '\\(default is "N"\\): '],
      ['n\r', prompt],
      ['$n = @(Get-InboundConnector).Count\r', prompt],
      ["Write-Host \"connectors: $n\"\r", 'connectors: \\d[\\s\\S]*' + prompt],
      ['Remove-InboundConnector Scratch\r', '\\(default is "N"\\): '],
      ['y\r', prompt],
      ["Get-InboundConnector Scratch\r", "couldn't be found[\\s\\S]*" + prompt],
      ['exit\r', '$'],
    ];
    const r = spawnSync('python3', ['-c', PTY_DRIVER, JSON.stringify(steps), process.execPath, CLI, 'shell', '-d', pg.dataDir, '--organization', 'Contoso'], { encoding: 'utf8', timeout: 60_000 });
    const out = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), ''); // terminal control sequences
    expect(out, out).not.toContain('timed out');
    expect(out).toContain(`${prompt}Get-AcceptedDomain`);
    expect(out).toMatch(/>> Where-Object/);
    expect(out).toContain('Are you sure you want to perform this action?');
    expect(out).toMatch(/connectors: [1-9]/);
    expect(out).toContain("inbound connector object 'Scratch' couldn't be found");
    expect(contosoShell("Get-InboundConnector | Where-Object { $_.Name -eq 'Scratch' }").stdout.trim()).toBe('');
    expect(readFileSync(join(pg.dataDir, 'shell_history'), 'utf8')).toContain('Remove-InboundConnector Scratch');
  });
});

describe('files', () => {
  it('Export-Csv writes below the current directory only, and never into the data directory', () => {
    const work = tempDir('shell-cwd-');
    const ok = contosoShell('Get-AcceptedDomain | Export-Csv -Path domains.csv', { cwd: work });
    expect(ok.stderr).toBe('');
    expect(readFileSync(join(work, 'domains.csv'), 'utf8')).toMatch(/^"Identity","Name","DomainName","DomainType","Default","Guid"\r?\n"contoso\.com","contoso\.com","contoso\.com","Authoritative","True",/);
    const escape = contosoShell('Get-AcceptedDomain | Export-Csv -Path ../escaped.csv', { cwd: work });
    expect(escape.status).toBe(1);
    expect(escape.stderr).toMatch(/Access to '\.\.\/escaped\.csv' is denied: the shell reads and writes files only below the current directory/);
    expect(existsSync(join(dirname(work), 'escaped.csv'))).toBe(false);
    const secret = contosoShell(`Get-Content ${basename(pg.dataDir)}/postern.yaml`, { cwd: dirname(pg.dataDir) });
    expect(secret.status).toBe(1);
    expect(secret.stderr).toContain('is inside the data directory');
  });
});

describe('a hardening script reading a missing file', () => {
  const script = (stop: 'preference' | 'parameter') =>
    [
      ...(stop === 'preference' ? ["$ErrorActionPreference = 'Stop'"] : []),
      `$ips = Get-Content .\\known-ips.txt${stop === 'parameter' ? ' -ErrorAction Stop' : ''}`,
      'New-TransportRule -Name "Quarantine unless from known IPs" -Quarantine $true -ExceptIfSenderIpRanges $ips',
      '"went on"',
    ].join('\r\n');

  it.each(['preference', 'parameter'] as const)("stops at Get-Content's PowerShell error with Stop as %s, and creates no rule", (stop) => {
    const work = tempDir('shell-stop-');
    writeFileSync(join(work, 'harden.ps1'), script(stop));
    const r = shell(['--organization', 'Contoso', '-File', 'harden.ps1'], { cwd: work });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Get-Content : Cannot find path '\.\\known-ips\.txt' because it does not exist\.\nAt line:\d+ char:\d+/);
    expect(r.stderr).not.toContain('ENOENT');
    expect(r.stdout).not.toContain('went on');
    expect(contosoShell('@(Get-TransportRule "Quarantine unless*").Count').stdout.trim()).toBe('0');
  });

  it('without Stop the error is reported and the script goes on, as in PowerShell; a Windows-style path reads the file', () => {
    const work = tempDir('shell-cont-');
    writeFileSync(join(work, 'known-ips.txt'), '203.0.113.0/24\r\n198.51.100.7\r\n');
    const r = shell(['--organization', 'Contoso', '-c', 'Get-Content .\\missing.txt; "went on"; (Get-Content .\\known-ips.txt).Count'], { cwd: work });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Get-Content : Cannot find path '.\\missing.txt' because it does not exist.");
    expect(r.stdout.trim().split(/\r?\n/)).toEqual(['went on', '2']);
  });
});

describe('functions and try/catch in a hardening script', () => {
  it('a function with param() wraps New-TransportRule in try/catch/finally; $_ in catch is the error; the body is never echoed', () => {
    const work = tempDir('shell-fn-');
    writeFileSync(
      join(work, 'harden.ps1'),
      [
        'function New-GatewayRule {',
        '  param([Parameter(Mandatory)][string]$Name, [string[]]$Ranges)',
        '  try {',
        '    New-TransportRule -Name $Name -Quarantine $true -ExceptIfSenderIpRanges $Ranges -ErrorAction Stop | Out-Null',
        '    Write-Host "created ${Name}"',
        '  } catch {',
        '    Write-Host "failed ${Name}: $($_.Exception.Message)"',
        '  } finally {',
        '    Write-Host "done ${Name}"',
        '  }',
        '}',
        "New-GatewayRule -Name 'Gateway only' -Ranges '203.0.113.0/24'",
        "New-GatewayRule 'Gateway only' '198.51.100.0/24'",
        "(Get-TransportRule 'Gateway only').ExceptIfSenderIpRanges",
        "Remove-TransportRule 'Gateway only' -Confirm:$false",
      ].join('\n'),
    );
    const r = shell(['--organization', 'Contoso', '-File', 'harden.ps1'], { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'created Gateway only',
      'done Gateway only',
      "failed Gateway only: The object transport rule 'Gateway only' already exists.",
      'done Gateway only',
      '203.0.113.0/24',
    ]);
    expect(contosoShell('@(Get-TransportRule).Count').stdout.trim()).toBe('0');
  });

  it('a construct the shell does not run is named in the error, not "term not recognized"', () => {
    const r = contosoShell('while ($true) { Get-TransportRule }');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("The 'while' statement is not supported by Postern's shell");
    expect(r.stderr).not.toContain('is not recognized');
  });
});

describe('Test-MailFlow and Invoke-Hunting', () => {
  it('Test-MailFlow runs the gateway decision path for the session organization only', () => {
    const r = contosoShell("Test-MailFlow -ClientIP 203.0.113.5 -MailFrom ceo@contoso.com -Recipients cfo@contoso.com -TlsVersion None -Subject 'wire now' | ConvertTo-Json -Depth 4");
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    // RejectDirectSend was turned on by an earlier test in this file: the forged own-domain sender is refused.
    expect(result.Decision).toMatch(/^(deliver|refused 550 5\.7\.68 TenantInboundAttribution; Direct Send not allowed)/);
    expect(result.Connector).toBeNull();
    const other = contosoShell('Test-MailFlow -ClientIP 203.0.113.5 -MailFrom a@b.example -Recipients someone@fabrikam.com');
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/Recipients/);
    expect(other.stderr).toContain("isn't in an accepted domain of Contoso");
  });

  it("Invoke-Hunting runs KQL inside the session's organization", () => {
    const mine = contosoShell("Invoke-Hunting -Query 'EmailEvents | summarize n = count() by RecipientDomain' | ConvertTo-Json");
    expect(mine.status, mine.stderr).toBe(0);
    const rows = jsonList(mine.stdout);
    // Exactly Contoso's rows, counted independently in SQL; nothing of Fabrikam's.
    const expected = query(pg.dataDir, "SELECT RecipientDomain, count(*) AS n FROM EmailEvents WHERE OrgId = (SELECT guid FROM organizations WHERE name = 'Contoso') GROUP BY RecipientDomain ORDER BY 1");
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((x) => ({ RecipientDomain: x.RecipientDomain, n: x.n })).sort((a, b) => a.RecipientDomain.localeCompare(b.RecipientDomain))).toEqual(expected);
    const bad = contosoShell("Invoke-Hunting -Query 'EmailEvents | evaluate bag_unpack(AdditionalFields)'");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/evaluate/);
  });
});

describe('the admin audit log', () => {
  it("Search-AdminAuditLog shows the shell's changes with the OS user and session; `postern hunt` reads them inside the organization", () => {
    // Set-OrganizationConfig ran in the first test of this file.
    const r = contosoShell('Search-AdminAuditLog -Cmdlets Set-OrganizationConfig | ConvertTo-Json -Depth 4');
    expect(r.status, r.stderr).toBe(0);
    const [e] = jsonList(r.stdout);
    expect(e.Caller).toMatch(/ \(postern shell, pid \d+\)$/);
    expect(e.ObjectModified).toBe('Contoso');
    expect(e.ModifiedProperties).toEqual([{ Name: 'RejectDirectSend', OldValue: false, NewValue: true }]);
    const hunt = (org: string) => runCli(['hunt', 'AdminAuditEvents | where CmdletName == "Set-OrganizationConfig"', '-d', pg.dataDir, '--organization', org, '--format', 'json']);
    const mine = hunt('Contoso');
    expect(mine.status, mine.stderr).toBe(0);
    expect(JSON.parse(mine.stdout).rows.map((x: Record<string, unknown>) => [x.Caller, x.Succeeded])).toEqual([[e.Caller, true]]);
    expect(JSON.parse(hunt('Fabrikam').stdout).rows).toEqual([]);
  });
});
