// Get-/New-/Set-/Remove-AcceptedDomain. Postern's model is narrower than Exchange's: a domain
// keeps its Name (the identity, as in Exchange; the domain name and a GUID derived from it find it
// too); no ExternalRelay and no wildcard domains (tenant attribution matches exact domains).
import { createHash } from 'node:crypto';
import { isDomainName } from '../config/inboundConnector.js';
import type { Organization } from '../config/model.js';
import { invalid, objectExists, objectNotFound, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { AcceptedDomainAdmin, AcceptedDomainObject, AcceptedDomainType } from './types.js';

type StoredDomain = Organization['AcceptedDomains'][number];

/** A stable GUID for an accepted domain (the model keys domains by name): derived from the organization and the domain. */
function domainGuid(orgGuid: string, domain: string): string {
  const h = createHash('sha1').update(`${orgGuid.toLowerCase()}:${domain.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function storableDomainType(type: AcceptedDomainType): 'Authoritative' | 'InternalRelay' {
  if (type === 'ExternalRelay') throw invalid('DomainType', 'DomainType: Postern accepts Authoritative and InternalRelay domains; ExternalRelay is not supported.');
  return type;
}

/** An accepted domain's Name: the one given to New-AcceptedDomain, else its domain name. */
const nameOf = (d: StoredDomain): string => d.Name ?? d.DomainName;

function domainObject(org: Organization, d: StoredDomain): AcceptedDomainObject {
  const name = nameOf(d);
  return { Identity: name, Name: name, DomainName: d.DomainName, DomainType: d.DomainType, Default: d.Default, Guid: domainGuid(org.Guid, d.DomainName) };
}

/** By Name (Exchange's identity), domain name or GUID. */
function findDomain(org: Organization, identity: string): StoredDomain {
  const id = identity.trim();
  const d = org.AcceptedDomains.find((x) => same(nameOf(x), id)) ?? org.AcceptedDomains.find((x) => same(x.DomainName, id) || same(domainGuid(org.Guid, x.DomainName), id));
  if (!d) throw objectNotFound(identity, 'accepted domain');
  return d;
}

/** Names identify accepted domains, so two domains of an organization can't share one. */
function checkNameFree(org: Organization, name: string, except?: StoredDomain): void {
  if (org.AcceptedDomains.some((x) => x !== except && same(nameOf(x), name))) throw objectExists(name, 'accepted domain');
}

export function acceptedDomainAdmin(scope: OrganizationScope): AcceptedDomainAdmin {
  return {
    async getAcceptedDomains(identity) {
      const org = scope.current();
      if (identity) return [domainObject(org, findDomain(org, identity))];
      return org.AcceptedDomains.map((d) => domainObject(org, d));
    },

    async newAcceptedDomain(r) {
      const domain = r.DomainName.trim().toLowerCase().replace(/\.$/, '');
      const domainType = storableDomainType(r.DomainType);
      if (domain.includes('*')) throw invalid('DomainName', `DomainName: '${r.DomainName}' is a wildcard; Postern attributes mail to an organization by exact domain, so add each domain on its own.`);
      if (!isDomainName(domain)) throw invalid('DomainName', `DomainName: '${r.DomainName}' is not a valid SMTP domain.`);
      const name = r.Name.trim();
      let created: AcceptedDomainObject | undefined;
      await scope.update((org) => {
        if (org.AcceptedDomains.some((d) => d.DomainName === domain)) throw objectExists(domain, 'accepted domain', 'DomainName');
        checkNameFree(org, name);
        const entry = { ...(same(name, domain) ? {} : { Name: name }), DomainName: domain, DomainType: domainType, Default: org.AcceptedDomains.length === 0 };
        created = domainObject(org, entry);
        return { ...org, AcceptedDomains: [...org.AcceptedDomains, entry] };
      });
      return created!;
    },

    async setAcceptedDomain(identity, changes) {
      const domainType = changes.DomainType === undefined ? undefined : storableDomainType(changes.DomainType);
      await scope.update((org) => {
        const d = findDomain(org, identity);
        const name = changes.Name?.trim();
        if (name !== undefined) checkNameFree(org, name, d);
        // Exchange: a domain stops being the default only when another one becomes it.
        if (changes.MakeDefault === false && d.Default) {
          throw invalid('MakeDefault', `MakeDefault: '${d.DomainName}' is the default domain; make another domain the default instead (Set-AcceptedDomain <domain> -MakeDefault $true).`);
        }
        const domains = org.AcceptedDomains.map((x) => {
          const y = { ...x };
          if (changes.MakeDefault) y.Default = x.DomainName === d.DomainName;
          if (x.DomainName === d.DomainName && domainType) y.DomainType = domainType;
          if (x.DomainName === d.DomainName && name !== undefined) {
            delete y.Name;
            if (!same(name, x.DomainName)) y.Name = name;
          }
          return y;
        });
        return { ...org, AcceptedDomains: domains };
      });
    },

    async removeAcceptedDomain(identity) {
      await scope.update((org) => {
        const d = findDomain(org, identity);
        if (d.Default) {
          throw invalid('Identity', `'${d.DomainName}' is the default accepted domain and can't be removed; make another domain the default first (Set-AcceptedDomain <domain> -MakeDefault $true).`, 'CannotRemoveDefaultDomain');
        }
        const user = org.InboundConnectors.find((c) => c.AssociatedAcceptedDomains.includes(d.DomainName));
        if (user) {
          throw invalid('Identity', `'${d.DomainName}' is in AssociatedAcceptedDomains of inbound connector '${user.Name}'; remove it there first (Set-InboundConnector).`, 'DomainInUse');
        }
        const delivery = Object.fromEntries(Object.entries(org.DomainDelivery).filter(([k]) => k.toLowerCase() !== d.DomainName));
        return { ...org, AcceptedDomains: org.AcceptedDomains.filter((x) => x !== d), DomainDelivery: delivery };
      });
    },
  };
}
