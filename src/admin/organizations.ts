// The provider's operations: the organizations (tenants) a Postern serves. A new organization
// starts as Exchange Online's does — one accepted domain, no connectors, no rules, Reject Direct
// Send off — and delivers to the local Maildir until its next hop is configured.
import type { Organization } from '../config/model.js';
import type { AsyncConfigStore } from '../store/ports.js';
import { invalid, objectExists, objectNotFound } from './errors.js';
import { saveOrganization } from './scope.js';

export interface OrganizationRef {
  Name: string;
  Guid: string;
}

export interface NewOrganizationRequest {
  Name: string;
  /** Its first accepted domain, the default one. */
  DomainName: string;
}

export interface ProviderAdmin {
  getOrganizations(): OrganizationRef[];
  newOrganization(request: NewOrganizationRequest): Promise<OrganizationRef>;
  removeOrganization(identity: string): Promise<void>;
}

const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function createProviderAdmin(config: AsyncConfigStore, newGuid: () => string): ProviderAdmin {
  const find = (identity: string) => config.organization(identity) ?? config.organization(identity.toLowerCase());
  return {
    getOrganizations: () => config.organizations().map((o) => ({ Name: o.Name, Guid: o.Guid })),

    async newOrganization(request) {
      if (find(request.Name)) throw objectExists(request.Name, 'Organization');
      if (!DOMAIN.test(request.DomainName)) throw invalid('DomainName', `DomainName: '${request.DomainName}' isn't a valid domain name (e.g. contoso.com).`);
      const org: Organization = {
        Name: request.Name,
        Guid: newGuid(),
        AcceptedDomains: [{ DomainName: request.DomainName.toLowerCase(), DomainType: 'Authoritative', Default: true }],
        Delivery: { kind: 'maildir', path: 'maildir' },
        DomainDelivery: {},
        Config: { RejectDirectSend: false },
        InboundConnectors: [],
        TransportRules: [],
      };
      await saveOrganization(config, org);
      return { Name: org.Name, Guid: org.Guid };
    },

    async removeOrganization(identity) {
      const org = find(identity);
      if (!org) throw objectNotFound(identity, 'Organization', 'Identity');
      await config.removeOrganizationAsync(org.Guid);
    },
  };
}
