// Which inbound connector an imported message came through, when its export does not say
// (Get-MessageTrace output): the attribution the gateway runs, by source IP and MAIL FROM domain,
// over the organization's connectors as configured now. No certificate is known for such mail.
import type { ConnectorOf } from '../trace/import/mapping.js';
import { domainOf } from '../message/facts.js';
import { attribute, compileFrontDoor, type FrontDoorOrganization } from './attribution.js';

export function connectorByAttribution(org: FrontDoorOrganization): ConnectorOf {
  const door = compileFrontDoor(org);
  return ({ ip, mailFrom, recipient }) => {
    const a = attribute(door, { client: { ip, helo: '' }, mailFrom, recipientDomain: domainOf(recipient) });
    return a.connector ? { name: a.connector.Name, matchedOn: a.matchedOn ?? '' } : undefined;
  };
}
