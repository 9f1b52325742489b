// The configuration as the hot path sees it: compiled once per configuration change, then read
// lock-free by every session until the next change replaces it whole.
import type { Organization } from '../config/model.js';
import { parseIpPrefix } from '../message/ipAddress.js';
import { IpPrefixTrie } from '../message/ipPrefixTrie.js';
import { buildDomainIndex, type DomainIndex } from './recipientTenant.js';

export interface ConfigSnapshot {
  version: number;
  organizations: Organization[];
  domains: DomainIndex;
  /** Every enabled connector's SenderIPAddresses: known senders, greeted without the early-talker pause. */
  connectorIps: IpPrefixTrie;
}

/** A trie of the given addresses/prefixes (invalid entries are skipped: validation reports them elsewhere). */
export function prefixTrie(prefixes: Iterable<string>): IpPrefixTrie {
  const trie = new IpPrefixTrie();
  for (const text of prefixes) {
    const p = parseIpPrefix(text);
    if (!('error' in p)) trie.insert(p, 0);
  }
  return trie;
}

export function compileSnapshot(version: number, organizations: Organization[]): ConfigSnapshot {
  const ips = organizations.flatMap((o) => o.InboundConnectors.filter((c) => c.Enabled).flatMap((c) => c.SenderIPAddresses ?? []));
  return { version, organizations, domains: buildDomainIndex(organizations), connectorIps: prefixTrie(ips) };
}
