// The shell's scripts and host: functions, try/catch/finally and throw, Postern's own cmdlets,
// completion, discovery and files, check(), Export-QuarantineMessage and REPL input, on the real
// admin operations over an in-memory SQLite store (testing/shellSession.ts).
import { describe, expect, it } from 'vitest';
import { ReplBuffer, cmdletRegistry, complete } from './index.js';
import { NOW, setup, withRules } from '../testing/shellSession.js';

describe('functions, try/catch/finally and throw', () => {
  it('functions take param() or (...) parameters, switches, defaults, $args and pipeline $input; defining one prints nothing', async () => {
    const t = setup();
    const r = await t.ok(
      [
        'function Get-Greeting {',
        '  param([Parameter(Mandatory=$true)][string]$Name, [int]$Times = 1, [switch]$Loud)',
        '  $text = "hello $Name" * $Times',
        '  if ($Loud) { return $text.ToUpper() }',
        '  $text',
        '}',
        'function Join-All($sep) { $args -join $sep }',
        'function Get-RuleNames { $input | ForEach-Object { $_.Name } }',
        'Get-Greeting Ann',
        'Get-Greeting -Name Bo -Times 2 -Loud',
        'Join-All - a b c',
        'New-TransportRule -Name R1 -Quarantine $true | Get-RuleNames',
      ].join('\n'),
    );
    expect(r.values).toEqual(['hello Ann', 'HELLO BOHELLO BO', 'a-b-c', 'R1']);
    expect(r.output).not.toContain('param(');
    const missing = await t.run('Get-Greeting -Times 2');
    expect(missing.errors[0].format().split('\n')[0]).toBe('Get-Greeting : Cannot process command because of one or more missing mandatory parameters: Name.');
    expect((await t.run('Get-Greeting -Nmae x')).errors[0].message).toBe("A parameter cannot be found that matches parameter name 'Nmae'.");
  });

  it('catch takes a terminating error or one stopped by -ErrorAction Stop, with $_; finally always runs; throw raises', async () => {
    const t = setup();
    const r = await t.run(
      [
        'try { Get-TransportRule Nope; "not reached" } catch { "caught: $_" } finally { "finally 1" }',
        'try { Remove-TransportRule Nope -Confirm:$false -ErrorAction Stop } catch { $_.Exception.Message; $_.FullyQualifiedErrorId }',
        'try { throw "custom failure" } catch [System.Management.Automation.ItemNotFoundException] { "wrong clause" } catch { "second: $($_.Exception.Message)" }',
        '$ErrorActionPreference = "Stop"',
        'try { Get-Content missing.txt } catch { "file: $_" }',
        '"still running"',
        'try { "body" } finally { "finally 2" }',
      ].join('\n'),
    );
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual([
      "caught: The operation couldn't be performed because transport rule object 'Nope' couldn't be found.",
      'finally 1',
      "The operation couldn't be performed because transport rule object 'Nope' couldn't be found.",
      'ManagementObjectNotFoundException,Remove-TransportRule',
      'second: custom failure',
      "file: Cannot find path 'missing.txt' because it does not exist.",
      'still running',
      'body',
      'finally 2',
    ]);
    const uncaught = await t.run('try { throw "boom" } finally { "cleanup" }\n"after"');
    expect(uncaught.values).toEqual(['cleanup']);
    expect(uncaught.errors.map((e) => e.message)).toEqual(['boom']);
  });

  it('names a statement it does not run instead of "term not recognized"', async () => {
    const t = setup();
    for (const statement of ['while ($true) { }', 'do { } while ($false)', 'for ($i = 0; $i -lt 3; $i++) { }', 'switch ($x) { }', 'trap { }']) {
      const r = await t.run(statement);
      expect(r.errors[0].message, statement).toMatch(/^The '(while|do|for|switch|trap)' statement is not supported by Postern's shell/);
    }
  });
});

describe('Postern cmdlets', () => {
  it('Test-MailFlow passes the envelope to the simulator and shows a list', async () => {
    const t = setup();
    t.bed.simulationResult = { Decision: 'Reject', SmtpResponse: '550 5.7.68 TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources', Connector: null };
    const r = await t.ok('Test-MailFlow -ClientIP 203.0.113.7 -MailFrom printer@contoso.com -Recipient ann@contoso.com -TlsVersion None -Headers @{"X-Test"="1"}');
    expect(t.bed.simulations[0]).toMatchObject({ ClientIP: '203.0.113.7', MailFrom: 'printer@contoso.com', Recipients: ['ann@contoso.com'], TlsVersion: 'None', Authenticated: false, Headers: { 'X-Test': '1' } });
    expect(r.output).toMatch(/^Decision\s+: Reject$/m);
    expect(r.output).toContain('550 5.7.68');
  });

  it('Invoke-Hunting returns rows', async () => {
    const t = setup();
    t.bed.huntRows = [{ Timestamp: NOW, SenderIPv4: '203.0.113.7', Connectors: '' }];
    const r = await t.ok(`Invoke-Hunting "EmailEvents | where Connectors == '' | project Timestamp, SenderIPv4, Connectors" | Select-Object -ExpandProperty SenderIPv4`);
    expect(r.values).toEqual(['203.0.113.7']);
    expect(t.bed.huntQueries).toHaveLength(1);
  });
});

describe('completion', () => {
  const reg = cmdletRegistry();

  it('cmdlet names', () => {
    expect(complete('New-Tra', 7, reg)).toEqual({ replaceFrom: 0, candidates: ['New-TransportRule'] });
    expect(complete('Get-X | Sort', 12, reg).candidates).toEqual(['Sort-Object']);
  });

  it('parameter names, including after a Unicode dash', () => {
    const text = 'New-InboundConnector -Name X -RestrictD';
    expect(complete(text, text.length, reg)).toEqual({ replaceFrom: 29, candidates: ['-RestrictDomainsToCertificate', '-RestrictDomainsToIPAddresses'] });
    const uni = 'New-TransportRule \u2013ExceptIfSenderI';
    expect(complete(uni, uni.length, reg).candidates).toEqual(['-ExceptIfSenderInRecipientList', '-ExceptIfSenderIpRanges']);
  });

  it('enum values of the previous parameter, and variables', () => {
    const text = 'Start-HistoricalSearch -ReportType Conn';
    expect(complete(text, text.length, reg).candidates).toEqual(['ConnectorReport']);
    expect(complete('Set-X -Enabled $tr', 18, reg).candidates).toEqual(['$true']);
  });
});

describe('discovery and files', () => {
  it('Get-Command lists cmdlets; Get-Help shows syntax and parameter details', async () => {
    const t = setup();
    const c = await t.ok('Get-Command *InboundConnector | % Name');
    expect(c.values).toEqual(['Get-InboundConnector', 'New-InboundConnector', 'Set-InboundConnector', 'Remove-InboundConnector']);
    const h = await t.ok('Get-Help New-InboundConnector');
    expect(h.output).toContain('New-InboundConnector [-Name] <String> -SenderDomains <MultiValuedProperty>');
    const p = await t.ok('Get-Help New-TransportRule -Parameter ExceptIfSenderIpRanges');
    expect(p.output).toContain('one quoted string holding several ranges');
    const e = await t.ok('Get-Help Set-OrganizationConfig -Parameter RejectDirectSend');
    expect(e.output).toContain('550 5.7.68');
  });

  it('-ErrorVariable and -OutVariable', async () => {
    const t = setup();
    const r = await t.run('Get-TransportRule Missing -ErrorVariable err -ErrorAction SilentlyContinue; $err.Count; New-TransportRule -Name a -Quarantine $true -OutVariable made | Out-Null; $made.Name');
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual([1, 'a']);
  });

  it('Test-MailFlow -MessageFile reads through the session reader', async () => {
    const t = setup();
    t.files.set('spoof.eml', 'From: ceo@contoso.com\r\nSubject: Pay\r\n\r\nNow.');
    await t.ok('Test-MailFlow -ClientIP 203.0.113.7 -MailFrom ceo@contoso.com -Recipients ann@contoso.com -MessageFile spoof.eml');
    expect(t.bed.simulations[0].MessageText).toContain('Subject: Pay');
    const r = await t.run('Test-MailFlow -ClientIP 203.0.113.7 -MailFrom ceo@contoso.com -Recipients ann@contoso.com -MessageFile missing.eml');
    expect(r.errors[0].message).toContain("Cannot find path 'missing.eml'");
  });
});

describe('check()', () => {
  it('binds without running, even a changing command nested in an argument', async () => {
    const t = setup();
    const errors = await t.session.check('New-TransportRule -Name a -Quarantine $true -Comments $(Set-OrganizationConfig -RejectDirectSend $true)\nNew-TransportRule -Name b -Priority x');
    expect(errors.map((e) => e.parameter)).toEqual(['Priority']);
    expect(t.bed.rules()).toHaveLength(0);
    expect(t.bed.organization().Config.RejectDirectSend).toBe(false);
  });
});

describe('Export-QuarantineMessage, as Exchange documents it', () => {
  it('$e = Export-QuarantineMessage ...; [IO.File]::WriteAllBytes($path, [Convert]::FromBase64String($e.eml))', async () => {
    const t = setup();
    const id = '8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a3\\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f11';
    t.bed.hold({ networkMessageId: id.split('\\')[0], receivedAt: NOW, expiresAt: NOW, sender: 'x@fabrikam.com', recipients: { 'ann@contoso.com': id.split('\\')[1] }, subject: 'Held', internetMessageId: '<1@f>', body: 'body text' });
    await t.ok(`$e = Export-QuarantineMessage -Identity '${id}'
$bytes = [Convert]::FromBase64String($e.eml)
[IO.File]::WriteAllBytes("C:\\My Documents\\Quarantined Message.eml", $bytes)
Get-QuarantineMessage -Identity '${id}' | Format-List Subject | Out-File held.txt`);
    expect(t.files.get('C:\\My Documents\\Quarantined Message.eml')).toContain('Subject: Held');
    expect(t.files.get('held.txt')).toBe('\nSubject : Held\n\n');
  });
});

describe('REPL input', () => {
  it('ReplBuffer waits for a complete script', () => {
    const b = new ReplBuffer();
    expect(b.push('Get-TransportRule |')).toBeUndefined();
    expect(b.pending).toBe(true);
    expect(b.push('  Where-Object {')).toBeUndefined();
    expect(b.push('$_.Priority -eq 0 }')).toBe('Get-TransportRule |\n  Where-Object {\n$_.Priority -eq 0 }');
    expect(b.push("New-TransportRule -Name 'x `")).toBeUndefined();
    expect(b.push('')).toBe("New-TransportRule -Name 'x `\n");
  });

  it('pipeline ByValue: Get-TransportRule | Set-TransportRule', async () => {
    const t = await withRules();
    await t.ok('Get-TransportRule | Where-Object Mode -eq Enforce | Set-TransportRule -Mode Audit');
    expect(t.bed.rules().map((r) => r.Mode)).toEqual(['Audit', 'Audit', 'Audit']);
  });

  it('ignores a byte-order mark', async () => {
    const t = setup();
    await t.ok('\uFEFFSet-OrganizationConfig -RejectDirectSend $true');
    expect(t.bed.organization().Config.RejectDirectSend).toBe(true);
  });
});
