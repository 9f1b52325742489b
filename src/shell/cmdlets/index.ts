// Every cmdlet Postern's shell knows, in one registry.
import { CmdletRegistry } from '../registry.js';
import { inboundConnectorCmdlets } from './inboundConnector.js';
import { messageTraceCmdlets } from './messageTrace.js';
import { organizationCmdlets } from './organization.js';
import { antiPhishCmdlets } from './antiPhish.js';
import { posternCmdlets } from './postern.js';
import { quarantineCmdlets } from './quarantine.js';
import { transportRuleCmdlets } from './transportRule.js';
import { utilityCmdlets } from './utility.js';

export function createDefaultRegistry(): CmdletRegistry {
  return new CmdletRegistry().register(
    ...organizationCmdlets,
    ...antiPhishCmdlets,
    ...inboundConnectorCmdlets,
    ...transportRuleCmdlets,
    ...quarantineCmdlets,
    ...messageTraceCmdlets,
    ...posternCmdlets,
    ...utilityCmdlets,
  );
}

export { TRANSPORT_RULE_PROPERTIES, describeRule } from './transportRule.js';
export { defaultConnector } from './inboundConnector.js';
