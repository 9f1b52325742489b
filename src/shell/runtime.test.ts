// The language at work: pipelines, variables, Where/Select/Sort/Format/ConvertTo-Json, errors,
// -WhatIf/-Confirm, and the ConvertTo-Json → New-* round trip, on the real admin operations over
// an in-memory SQLite store (testing/shellSession.ts).
import { describe, expect, it } from 'vitest';
import { setup, withRules } from '../testing/shellSession.js';

describe('variables and members', () => {
  it('$rule = Get-TransportRule X; $rule.Priority', async () => {
    const t = await withRules();
    const r = await t.ok('$rule = Get-TransportRule "Tag external"; $rule.Priority; $rule.priority + 10; $RULE.Name.ToUpper()');
    expect(r.values).toEqual([1, 11, 'TAG EXTERNAL']);
  });

  it('assignment collects: nothing → $null, one → object, several → array; @() always an array', async () => {
    const t = await withRules();
    const r = await t.ok('$none = Get-TransportRule | ? { $false }; $null -eq $none; $all = Get-TransportRule; $all.Count; @(Get-TransportRule "Block exe").Count; (Get-TransportRule).Name -join ","');
    expect(r.values).toEqual([true, 3, 1, 'Quarantine unknown IPs,Tag external,Block exe']);
  });

  it('double-quoted strings expand $var and $(expr); single-quoted do not', async () => {
    const t = await withRules();
    const r = await t.ok(`$n = (Get-TransportRule).Count; "rules: $n, first: $((Get-TransportRule)[0].Name)"; 'rules: $n'; "$n.Priority"`);
    expect(r.values).toEqual(['rules: 3, first: Quarantine unknown IPs', 'rules: $n', '3.Priority']);
  });

  it('arithmetic, comparison and logic follow PowerShell', async () => {
    const t = setup();
    const r = await t.ok(`1 + 2 * 3; "a" + 1; 1 + "2"; 10MB / 1MB; 'ABC' -eq 'abc'; 'ABC' -ceq 'abc'; 1,2,3 -contains 2; 'b' -in 'a','b'; 1,2,3,4 -gt 2; -not $true; !$null; 7 % 3; 'x' * 3; "{0}-{1:D3}" -f 'a', 7`);
    expect(r.values).toEqual([7, 'a1', 3, 10, true, false, true, true, 3, 4, false, true, 1, 'xxx', 'a-007']);
  });

  it('-like, -match (and $Matches), -replace, -split', async () => {
    const t = setup();
    const r = await t.ok(`'Contoso.com' -like '*.COM'; 'abc' -notlike 'a?d'; 'user@contoso.com' -match '@(?<dom>.+)$'; $Matches.dom; 'a-b-c' -replace '-', '+'; ('a,b' -split ',').Count`);
    expect(r.values).toEqual([true, true, true, 'contoso.com', 'a+b+c', 2]);
  });

  it('$null = ... and [void] discard output', async () => {
    const t = setup();
    const r = await t.ok('$null = New-TransportRule -Name a -Quarantine $true; [void](Get-TransportRule); "done"');
    expect(r.values).toEqual(['done']);
    expect(t.bed.rules()).toHaveLength(1);
  });

  it('a Set-* cmdlet without changes warns as Exchange does', async () => {
    const t = await withRules();
    const r = await t.ok('Set-TransportRule "Block exe"');
    expect(r.warnings).toEqual(["The command completed successfully but no settings of 'Block exe' have been modified."]);
    expect(r.output).toBe("WARNING: The command completed successfully but no settings of 'Block exe' have been modified.\n");
  });

  it('foreach and if statements', async () => {
    const t = await withRules();
    const r = await t.ok(`foreach ($r in Get-TransportRule) { if ($r.State -eq 'Disabled') { "off: $($r.Name)" } elseif ($r.Mode -eq 'Audit') { "audit: $($r.Name)" } else { "on: $($r.Name)" } }`);
    expect(r.values).toEqual(['on: Quarantine unknown IPs', 'audit: Tag external', 'off: Block exe']);
  });

  it('(Get-Date).AddDays(-2) and [datetime] use the session clock (UTC)', async () => {
    const t = setup();
    const r = await t.ok(`(Get-Date).AddDays(-2); [datetime]'11/01/2026'; (Get-Date -Format 'yyyy-MM-dd')`);
    expect(r.values).toEqual([new Date('2026-11-20T12:00:00Z'), new Date('2026-11-01T00:00:00Z'), '2026-11-22']);
  });
});

describe('pipelines', () => {
  it('Where-Object with a script block and the simplified syntax, case-insensitively', async () => {
    const t = await withRules();
    const a = await t.ok(`Get-TransportRule | Where-Object { $_.State -eq 'enabled' -and $_.Name -like '*IPs' } | ForEach-Object { $_.Name }`);
    expect(a.values).toEqual(['Quarantine unknown IPs']);
    const b = await t.ok(`Get-TransportRule | Where-Object Mode -eq audit | % Name; Get-TransportRule | ? Priority -ge 1 | % Name; Get-TransportRule | where Comments | % Name`);
    expect(b.values).toEqual(['Tag external', 'Tag external', 'Block exe', 'Tag external']);
    const c = await t.ok(`Get-TransportRule | ? ExceptIfSenderIpRanges -contains '198.51.100.7' | % Name; Get-TransportRule | ? Name -match '^block' | % Name; Get-TransportRule | ? State -in 'Disabled','Gone' | % Name`);
    expect(c.values).toEqual(['Quarantine unknown IPs', 'Block exe', 'Block exe']);
  });

  it('Select-Object -Property, calculated properties, -First, -ExpandProperty; Sort-Object -Descending', async () => {
    const t = await withRules();
    const r = await t.ok(`Get-TransportRule | Sort-Object Priority -Descending | Select-Object Name, @{Name='P'; Expression={$_.Priority * 10}} -First 2`);
    expect(r.values).toEqual([{ Name: 'Block exe', P: 20 }, { Name: 'Tag external', P: 10 }]);
    const e = await t.ok(`Get-TransportRule "Quarantine unknown IPs" | Select-Object -ExpandProperty ExceptIfSenderIpRanges`);
    expect(e.values).toEqual(['203.0.113.0/24', '198.51.100.7']);
    const s = await t.ok(`Get-TransportRule | Sort-Object Name | Select-Object -ExpandProperty Name; Get-TransportRule | Sort-Object -Property @{Expression='State'; Descending=$true}, Name | % Name`);
    expect(s.values).toEqual(['Block exe', 'Quarantine unknown IPs', 'Tag external', 'Quarantine unknown IPs', 'Tag external', 'Block exe']);
  });

  it('Get-QuarantineMessage ... | Release-QuarantineMessage -ReleaseToAll releases each message', async () => {
    const t = setup();
    const message = (i: number) => `8fb3ba03-3fa3-4b5f-a7d5-08d9c8f0b2a${i}`;
    for (const [i, types] of [[1, 'TransportRule'], [2, 'Phish'], [3, 'TransportRule']] as const) {
      t.bed.hold({ networkMessageId: message(i), receivedAt: new Date('2026-11-21T10:00:00Z'), expiresAt: new Date('2026-12-21T10:00:00Z'), sender: `s${i}@fabrikam.com`, recipients: { 'ann@contoso.com': `4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${i}` }, subject: `msg ${i}`, internetMessageId: `<${i}@f>`, types });
    }
    await t.ok('Get-QuarantineMessage -QuarantineTypes TransportRule | Release-QuarantineMessage -ReleaseToAll');
    const released = await t.services.getQuarantineMessages({ ReleaseStatus: ['Released'], Page: 1, PageSize: 100 });
    expect(released.map((m) => m.Identity)).toEqual([1, 3].map((i) => `${message(i)}\\4ef1c1a6-47d4-4c9f-b1a2-5d0b6b0b9f1${i}`));
    // nothing matching: nothing happens, no error
    await t.ok('Get-QuarantineMessage -QuarantineTypes Malware | Release-QuarantineMessage -ReleaseToAll');
    const table = await t.ok('Get-QuarantineMessage');
    expect(table.output).toMatch(/ReceivedTime\s+Type\s+Direction\s+SenderAddress\s+Subject\s+Size\s+Expires/);
  });

  it('Get-MessageTrace | Get-MessageTraceDetail binds MessageTraceId and RecipientAddress by property name', async () => {
    const t = setup();
    const id = 'ae5c1219-4c90-41bf-fef5-08d837917e7c';
    t.bed.recordTrace(
      [{ networkMessageId: id, recipient: 'ann@contoso.com', receivedAt: Date.parse('2026-11-22T08:00:00Z'), sender: 'john@fabrikam.com', subject: 'Hi', status: 'Delivered', fromIp: '203.0.113.9', size: 2000, internetMessageId: '<a@f>', connector: '' }],
      [{ networkMessageId: id, recipient: 'ann@contoso.com', at: Date.parse('2026-11-22T08:00:01Z'), event: 'Receive', detail: 'Received from 203.0.113.9' }],
    );
    const r = await t.ok('Get-MessageTrace -SenderAddress john@fabrikam.com | Get-MessageTraceDetail');
    expect(r.output).toMatch(/Date\s+Event\s+Detail/);
    expect(r.output).toContain('Received from 203.0.113.9');
    const old = await t.run('Get-MessageTrace -StartDate 11/01/2026 -EndDate 11/05/2026');
    expect(old.errors[0].parameter).toBe('StartDate');
    expect(old.errors[0].message).toContain("can't be older than 10 days");
  });

  it('a binding failure for one pipeline object is reported and the others go on', async () => {
    const t = await withRules();
    const r = await t.run(`'Block exe', 'Nope', 'Tag external' | Disable-TransportRule`);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message).toContain("couldn't be found");
    expect(t.bed.rules().filter((x) => x.State === 'Disabled').map((x) => x.Name)).toEqual(['Tag external', 'Block exe']);
  });
});

describe('formatting', () => {
  it('Get-TransportRule shows Name, State, Mode, Priority, Comments', async () => {
    const t = await withRules();
    const r = await t.ok('Get-TransportRule');
    const lines = r.output.split('\n').filter((l) => l !== '');
    expect(lines[0]).toMatch(/^Name\s+State\s+Mode\s+Priority Comments$/);
    expect(lines[1]).toMatch(/^----\s+-----\s+----\s+-------- --------$/);
    expect(lines[2]).toMatch(/^Quarantine unknown IPs Enabled\s+Enforce\s+0$/);
    expect(lines[3]).toMatch(/^Tag external\s+Enabled\s+Audit\s+1 pilot$/);
    expect(lines[4]).toMatch(/^Block exe\s+Disabled Enforce\s+2$/);
  });

  it('Get-TransportRule | Format-List prints every property, Exchange-style', async () => {
    const t = await withRules();
    const r = await t.ok('Get-TransportRule "Quarantine unknown IPs" | Format-List');
    expect(r.output).toMatch(/^Priority\s+: 0$/m);
    expect(r.output).toMatch(/^Exceptions\s+: \{ExceptIfSenderIpRanges, ExceptIfHeaderContainsMessageHeader, ExceptIfHeaderContainsWords\}$/m);
    expect(r.output).toMatch(/^Actions\s+: \{Quarantine, StopRuleProcessing\}$/m);
    expect(r.output).toMatch(/^ExceptIfSenderIpRanges\s+: \{203\.0\.113\.0\/24, 198\.51\.100\.7\}$/m);
    expect(r.output).toMatch(/^SubjectContainsWords\s+: \{\}$/m);
    expect(r.output).toMatch(/^DeleteMessage\s+: False$/m);
    expect(r.output).toMatch(/^Description\s+: If the message:/m);
    const some = await t.ok('Get-TransportRule | Format-List Name, Pri*');
    expect(some.output).toBe('\nName     : Quarantine unknown IPs\nPriority : 0\n\nName     : Tag external\nPriority : 1\n\nName     : Block exe\nPriority : 2\n\n');
  });

  it('Get-InboundConnector | Format-Table, default and chosen columns', async () => {
    const t = await withRules();
    const def = await t.ok('Get-InboundConnector | Format-Table');
    expect(def.output).toMatch(/Identity\s+Enabled\n-+\s+-+\nGateway\s+True\nFabrikam\s+True/);
    const cols = await t.ok('Get-InboundConnector | ft Name, RestrictDomainsToIPAddresses, SenderIPAddresses');
    expect(cols.output).toContain('Gateway  True                         {203.0.113.0/24, 198.51.100.7}');
  });

  it('small custom objects show as a table, large ones as a list; hashtables as Name/Value', async () => {
    const t = setup();
    const r = await t.ok(`[pscustomobject]@{A=1; B='x'}; @{Key='v'}`);
    expect(r.output).toBe('\nA B\n- -\n1 x\n\n\nName Value\n---- -----\nKey  v\n\n');
  });

  it('ConvertTo-Json: PowerShell 7 layout, -Compress, -Depth truncation warning', async () => {
    const t = await withRules();
    const r = await t.ok(`Get-TransportRule "Tag external" | Select-Object Name, Priority, State | ConvertTo-Json`);
    expect(r.values[0]).toBe('{\n  "Name": "Tag external",\n  "Priority": 1,\n  "State": "Enabled"\n}');
    const c = await t.ok(`Get-TransportRule | Select-Object Name | ConvertTo-Json -Compress`);
    expect(c.values[0]).toBe('[{"Name":"Tag external"},{"Name":"Quarantine unknown IPs"},{"Name":"Block exe"}]'.replace('{"Name":"Tag external"},{"Name":"Quarantine unknown IPs"}', '{"Name":"Quarantine unknown IPs"},{"Name":"Tag external"}'));
    const d = await t.ok(`@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress`);
    expect(d.values[0]).toBe('{"a":{"b":{"c":"System.Collections.Hashtable"}}}');
    expect(d.warnings).toEqual(['Resulting JSON is truncated as serialization has exceeded the set depth of 2.']);
  });

  it('Export-Csv writes through the session writer', async () => {
    const t = await withRules();
    await t.ok('Get-TransportRule | Select-Object Name, Priority, ExceptIfSenderIpRanges | Export-Csv -Path rules.csv -NoTypeInformation');
    expect(t.files.get('rules.csv')).toBe('"Name","Priority","ExceptIfSenderIpRanges"\r\n"Quarantine unknown IPs","0","203.0.113.0/24, 198.51.100.7"\r\n"Tag external","1",""\r\n"Block exe","2",""\r\n');
  });
});

describe('round trip: ConvertTo-Json output fed back through New-*', () => {
  it('a transport rule', async () => {
    const t = await withRules();
    await t.ok(`$json = Get-TransportRule "Quarantine unknown IPs" | ConvertTo-Json
$json | ConvertFrom-Json | New-TransportRule -Name "Copy of quarantine rule"`);
    const [orig, copy] = [t.bed.rules().find((r) => r.Name === 'Quarantine unknown IPs'), t.bed.rules().find((r) => r.Name === 'Copy of quarantine rule')];
    const strip = (r: Record<string, unknown> | undefined) => {
      const { Identity: _i, Name: _n, Guid: _g, Priority: _p, WhenChanged: _w, ...rest } = r ?? {};
      return rest;
    };
    expect(copy).toBeDefined();
    // Get-TransportRule's neutral extras (RuleSubType None, UseLegacyRegex $false ...) bind and are dropped: the copy is the rule.
    expect(strip(copy)).toEqual(strip(orig));
  });

  it('an inbound connector, and a file written then read back', async () => {
    const t = await withRules();
    await t.ok(`Get-InboundConnector Gateway | ConvertTo-Json -Depth 3 | Out-String | Out-Null
$c = Get-InboundConnector Gateway | ConvertTo-Json
$c | ConvertFrom-Json | New-InboundConnector -Name "Gateway 2"`);
    const a = t.bed.organization().InboundConnectors.find((c) => c.Name === 'Gateway');
    const b = t.bed.organization().InboundConnectors.find((c) => c.Name === 'Gateway 2');
    const strip = (c: Record<string, unknown> | undefined) => {
      const { Identity: _i, Name: _n, Guid: _g, ...rest } = c ?? {};
      return rest;
    };
    expect(strip(b)).toEqual(strip(a));
  });

  it('a rule exported with ConvertTo-Json, edited as a hashtable and splatted', async () => {
    const t = await withRules();
    await t.ok(`$h = Get-TransportRule "Tag external" | Select-Object Name, FromScope, PrependSubject, Mode | ConvertTo-Json | ConvertFrom-Json -AsHashtable
$h.Name = "Tag external 2"
New-TransportRule @h`);
    expect(t.bed.rules().find((r) => r.Name === 'Tag external 2')).toMatchObject({ FromScope: 'NotInOrganization', PrependSubject: '[EXT] ', Mode: 'Audit' });
  });
});

describe('changes, -WhatIf and -Confirm', () => {
  it('@{Add=...; Remove=...} edits multi-valued properties', async () => {
    const t = await withRules();
    await t.ok('Set-InboundConnector Gateway -SenderIPAddresses @{Add="10.0.1.0/24","10.0.2.5"; Remove="198.51.100.7"}');
    expect(t.bed.organization().InboundConnectors[0].SenderIPAddresses).toEqual(['203.0.113.0/24', '10.0.1.0/24', '10.0.2.5']);
    await t.ok("Set-TransportRule 'Quarantine unknown IPs' -ExceptIfSenderIpRanges @{Remove='203.0.113.0/24'}");
    expect(t.bed.rules()[0].ExceptIfSenderIpRanges).toEqual(['198.51.100.7']);
  });

  it('-WhatIf reports and changes nothing', async () => {
    const t = await withRules();
    const r = await t.ok('Remove-TransportRule "Block exe" -WhatIf; Set-OrganizationConfig -RejectDirectSend $true -WhatIf');
    expect(r.output).toBe('What if: Removing transport rule "Block exe".\nWhat if: Setting organization configuration "contoso".\n');
    expect(t.bed.rules()).toHaveLength(3);
    expect(t.bed.organization().Config.RejectDirectSend).toBe(false);
  });

  it('Remove-* asks for confirmation; non-interactive it fails naming -Confirm', async () => {
    const t = await withRules();
    const r = await t.run('Remove-TransportRule "Block exe"');
    expect(r.errors[0].parameter).toBe('Confirm');
    expect(r.errors[0].message).toContain('-Confirm:$false');
    expect(t.bed.rules()).toHaveLength(3);
    await t.ok('Remove-TransportRule "Block exe" -Confirm:$false');
    expect(t.bed.rules()).toHaveLength(2);

    const asked: string[] = [];
    const i = setup({ confirm: async (q) => (asked.push(q), false) });
    await i.ok('New-TransportRule -Name x -Quarantine $true; Remove-TransportRule x');
    expect(asked).toEqual(['Are you sure you want to perform this action?\nRemoving transport rule "x".']);
    expect(i.bed.rules()).toHaveLength(1);
  });
});

describe('errors', () => {
  it('a statement error is reported with line:column and the next statement runs', async () => {
    const t = await withRules();
    const r = await t.run('Get-TransportRule -Identity "Tag external" -Priority 1\n(Get-TransportRule).Count');
    expect(r.exitCode).toBe(1);
    expect(r.values).toEqual([3]);
    expect(r.errors[0].format()).toBe([
      "Get-TransportRule : A parameter cannot be found that matches parameter name 'Priority'.",
      'At line:1 char:44',
      '+ Get-TransportRule -Identity "Tag external" -Priority 1',
      '+                                            ~',
      '    + CategoryInfo          : InvalidArgument',
      '    + FullyQualifiedErrorId : NamedParameterNotFound,Get-TransportRule',
    ].join('\n'));
  });

  it('a parse error stops the script before anything runs', async () => {
    const t = setup();
    const r = await t.run('Set-OrganizationConfig -RejectDirectSend $true\nGet-X (');
    expect(r.errors[0].category).toBe('ParserError');
    expect(t.bed.organization().Config.RejectDirectSend).toBe(false);
  });

  it('unknown commands, not-found objects and $ErrorActionPreference = "Stop"', async () => {
    const t = setup();
    const r = await t.run('Get-Mailbox\nGet-TransportRule Nope\n"still running"');
    expect(r.errors.map((e) => e.errorId)).toEqual(['CommandNotFoundException', 'ManagementObjectNotFoundException']);
    expect(r.errors[0].message).toContain("The term 'Get-Mailbox' is not recognized");
    expect(r.values).toEqual(['still running']);
    const s = await t.run('$ErrorActionPreference = "Stop"; Get-TransportRule Nope; "not reached"');
    expect(s.values).toEqual([]);
    const q = await t.run('Get-TransportRule Nope -ErrorAction SilentlyContinue; "quiet"');
    expect(q.errors).toEqual([]);
    expect(q.values).toEqual(['quiet']);
  });

  it('binding errors: mandatory, set conflicts, pairs', async () => {
    const t = setup();
    const r = await t.run('New-InboundConnector -Name X\nNew-TransportRule -Name Y -HeaderContainsMessageHeader X-Test');
    expect(r.errors[0].message).toBe('Cannot process command because of one or more missing mandatory parameters: SenderDomains.');
    expect(r.errors[1].message).toBe("Rule 'Y': HeaderContainsWords: the parameter -HeaderContainsMessageHeader must be used together with -HeaderContainsWords");
    expect(r.errors[1].parameter).toBe('HeaderContainsWords');
  });
});

