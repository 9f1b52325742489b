// Test scaffolding: a shell session on the real admin operations over an in-memory SQLite store
// (adminTestbed), with files kept in memory and the clock fixed, for the shell's language tests.
import { expect } from 'vitest';
import { createShellSession } from '../shell/index.js';
import { adminTestbed } from './adminTestbed.js';

export const NOW = new Date('2026-11-22T12:00:00Z');

export function setup(options: { confirm?: (q: string) => Promise<boolean> } = {}) {
  const bed = adminTestbed({ now: () => NOW });
  const services = bed.admin;
  const files = new Map<string, string>();
  const session = createShellSession({
    services,
    now: () => NOW,
    confirm: options.confirm,
    writeFile: async (path, content) => void files.set(path, typeof content === 'string' ? content : Buffer.from(content).toString('utf8')),
    readFile: async (path) => {
      const f = files.get(path);
      if (f === undefined) throw new Error(`Cannot find path '${path}' because it does not exist.`);
      return f;
    },
  });
  const run = async (text: string) => {
    const r = await session.run(text);
    return r;
  };
  const ok = async (text: string) => {
    const r = await session.run(text);
    expect(r.errors.map((e) => e.format())).toEqual([]);
    return r;
  };
  return { bed, services, session, files, run, ok };
}

/** A session with three transport rules and two inbound connectors. */
export async function withRules() {
  const t = setup();
  await t.ok(`
New-TransportRule -Name "Quarantine unknown IPs" -Quarantine $true -ExceptIfSenderIpRanges 203.0.113.0/24,198.51.100.7 -ExceptIfHeaderContainsMessageHeader X-MS-Exchange-Organization-AuthAs -ExceptIfHeaderContainsWords Internal -StopRuleProcessing $true
New-TransportRule -Name "Tag external" -FromScope NotInOrganization -PrependSubject "[EXT] " -Mode Audit -Comments "pilot"
New-TransportRule -Name "Block exe" -AttachmentExtensionMatchesWords exe,js -RejectMessageReasonText "No executables" -Enabled $false
New-InboundConnector -Name "Gateway" -SenderDomains * -RestrictDomainsToIPAddresses $true -SenderIPAddresses 203.0.113.0/24,198.51.100.7 -Comment "MX gateway"
New-InboundConnector -Name "Fabrikam" -SenderDomains fabrikam.com -RequireTls $true -RestrictDomainsToCertificate $true -TlsSenderCertificateName mail.fabrikam.com
`);
  return t;
}
