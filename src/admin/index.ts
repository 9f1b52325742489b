// The admin application layer: every operation on one organization, one module per aggregate
// (organization config, anti-phishing/ARC, accepted domains, inbound connectors, transport rules,
// quarantine, message trace, historical search, simulation and hunting, reports, the audit log),
// each owning its validation; the shell's cmdlets, the `postern` CLI commands and the REST API
// all call these. The composition root (cli/) wires the store adapters into AdminOptions.
//
//   const admin = createOrganizationAdmin({ config, trace, organization: 'Contoso' });
//   await admin.setOrganizationConfig({ RejectDirectSend: true });
import { acceptedDomainAdmin } from './acceptedDomains.js';
import { auditLogAdmin, withAuditLog } from './audit.js';
import { antiPhishAdmin } from './antiPhish.js';
import { historicalSearchAdmin } from './historicalSearch.js';
import { inboundConnectorAdmin } from './inboundConnectors.js';
import { investigationAdmin } from './investigation.js';
import { messageTraceAdmin } from './messageTrace.js';
import { organizationConfigAdmin } from './organization.js';
import { quarantineAdmin } from './quarantine.js';
import { OrganizationScope, type AdminOptions } from './scope.js';
import { reportAdmin } from './reports.js';
import { transportRuleAdmin } from './transportRules.js';
import type { OrganizationAdmin } from './types.js';

/**
 * The admin operations for one organization (by name or GUID; unknown: an AdminError). Every
 * state-changing one is recorded in the admin audit log (audit.ts) when options.auditLog is given.
 */
export function createOrganizationAdmin(options: AdminOptions): OrganizationAdmin {
  const scope = new OrganizationScope(options);
  return withAuditLog({
    ...organizationConfigAdmin(scope),
    ...antiPhishAdmin(scope),
    ...acceptedDomainAdmin(scope),
    ...inboundConnectorAdmin(scope),
    ...transportRuleAdmin(scope),
    ...quarantineAdmin(scope),
    ...messageTraceAdmin(scope),
    ...historicalSearchAdmin(scope),
    ...investigationAdmin(scope),
    ...reportAdmin(scope),
    ...auditLogAdmin(scope),
  }, scope);
}

export type { AdminOptions } from './scope.js';
export { AdminError } from './errors.js';
export type * from './types.js';
export { createProviderAdmin, type NewOrganizationRequest, type OrganizationRef, type ProviderAdmin } from './organizations.js';
