import { test } from 'vitest';
import { parseScript } from './parser.js';
test('scratch', () => {
const s = `New-TransportRule -Name "Redirect to quarantine if not coming from known IPs" -Quarantine $true -ExceptIfHeaderContainsMessageHeader 'X-MS-Exchange-Organization-AuthAs' -ExceptIfHeaderContainsWords 'Internal' –ExceptIfSenderIpRanges ‘MX records + on-premises IPs + other authorized IPs ' -StopRuleProcessing $true -Priority 0`;
console.log(JSON.stringify(parseScript(s), null, 0));
console.log(JSON.stringify(parseScript(`$r = Get-TransportRule X; $r.Priority; Get-X | ? { $_.A -eq 'b' -and $_.C -like "*$x*" } | select -First 3
Set-InboundConnector X -SenderIPAddresses @{Add="1.2.3.4","5.6.7.8"; Remove='9.9.9.9'} -Enabled:$false \`
  -Comment "a ""b"" $($r.Name)"`), null, 0));
});
