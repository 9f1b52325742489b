// The cmdlets of the Direct Send lockdown, worded once for the preview's steps
// (directSendPreview.ts) and the plan's script (directSendScript.ts).

/** A PowerShell single-quoted string (quotes doubled). */
export function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The name the lockdown gives the connector of one sender domain. */
export function directSendConnectorName(domain: string): string {
  return `Direct Send ${domain}`;
}

/**
 * One restricting Partner connector for a sender domain, listing every source in one command: a
 * restricting connector refuses every other IP for its domains (5.7.51) the moment it exists.
 */
export function newInboundConnectorCommand(domain: string, ips: readonly string[]): string {
  return `New-InboundConnector -Name ${quote(directSendConnectorName(domain))} -ConnectorType Partner -SenderDomains ${domain} -SenderIPAddresses ${ips.join(',')} -RestrictDomainsToIPAddresses $true`;
}

export const REJECT_DIRECT_SEND_COMMAND = 'Set-OrganizationConfig -RejectDirectSend $true';
