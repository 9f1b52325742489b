// Every cmdlet Postern's shell knows, in one registry: Exchange Online's cmdlets (thin: they bind
// parameters and call admin/), Postern's own, and the engine's PowerShell utilities.
import { CmdletRegistry, type CmdletDef } from '../registry.js';
import { inboundConnectorCmdlets } from './inboundConnector.js';
import { messageTraceCmdlets } from './messageTrace.js';
import { organizationCmdlets } from './organization.js';
import { antiPhishCmdlets } from './antiPhish.js';
import { auditLogCmdlets } from './auditLog.js';
import { posternCmdlets } from './postern.js';
import { quarantineCmdlets } from './quarantine.js';
import { transportRuleCmdlets } from './transportRule.js';
import { utilityCmdlets } from '../utility/index.js';
import { EXCHANGE_VIEWS } from './views.js';

export function createDefaultRegistry(): CmdletRegistry {
  const exchange: CmdletDef[] = [
    ...organizationCmdlets,
    ...antiPhishCmdlets,
    ...inboundConnectorCmdlets,
    ...transportRuleCmdlets,
    ...quarantineCmdlets,
    ...messageTraceCmdlets,
    ...auditLogCmdlets,
  ].map((d) => ({ ...d, source: 'ExchangeOnlineManagement' }));
  return new CmdletRegistry().register(...exchange, ...posternCmdlets, ...utilityCmdlets).addViews(EXCHANGE_VIEWS);
}

export { TRANSPORT_RULE_PROPERTIES, describeRule } from './transportRule.js';
export { defaultConnector } from './inboundConnector.js';
