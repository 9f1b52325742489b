// Label values for /metrics come from configuration, never from a message: an organization's
// Name, a connector's Name, a rule's Name. Whatever is not (or no longer) configured maps to one
// fixed value, so the number of series stays bounded by the configuration however mail varies.
import { NO_CONNECTOR } from '../mailflow/attribution.js';
import type { ConfigSnapshot } from '../mailflow/snapshot.js';

/** An organization, connector or rule that is not in the current configuration (deleted since). */
export const UNKNOWN = 'unknown';

const ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3}$/;

interface OrgNames {
  name: string;
  connectors: Set<string>;
  rules: Map<string, string>;
}

/** Per configuration snapshot: organization GUID → its names (snapshots are replaced whole on change). */
const indexes = new WeakMap<ConfigSnapshot, Map<string, OrgNames>>();

function indexOf(snapshot: ConfigSnapshot): Map<string, OrgNames> {
  let index = indexes.get(snapshot);
  if (!index) {
    index = new Map(
      snapshot.organizations.map((o) => [
        o.Guid,
        { name: o.Name, connectors: new Set(o.InboundConnectors.map((c) => c.Name)), rules: new Map(o.TransportRules.map((r) => [r.Guid, r.Name])) },
      ]),
    );
    indexes.set(snapshot, index);
  }
  return index;
}

export class ConfigLabels {
  constructor(private readonly snapshot: () => ConfigSnapshot | undefined) {}

  private org(orgGuid: string): OrgNames | undefined {
    const s = this.snapshot();
    return s && indexOf(s).get(orgGuid);
  }

  organization(orgGuid: string): string {
    return this.org(orgGuid)?.name ?? UNKNOWN;
  }

  /** A connector of the organization by name; '' is no connector. */
  connector(orgGuid: string, name: string): string {
    if (!name) return NO_CONNECTOR;
    return this.org(orgGuid)?.connectors.has(name) ? name : UNKNOWN;
  }

  rule(orgGuid: string, ruleGuid: string): string {
    return this.org(orgGuid)?.rules.get(ruleGuid) ?? UNKNOWN;
  }
}

/** An RFC 3463 enhanced status code as a label ('none' when the reply had none). */
export function enhancedCodeLabel(code: string): string {
  return ENHANCED_CODE.test(code) ? code : 'none';
}
