// The configuration as the hot path sees it: compiled once per configuration change, then read
// lock-free by every session until the next change replaces it whole.
import type { Organization } from '../config/model.js';
import { buildDomainIndex, type DomainIndex } from './recipientTenant.js';

export interface ConfigSnapshot {
  version: number;
  organizations: Organization[];
  domains: DomainIndex;
}

export function compileSnapshot(version: number, organizations: Organization[]): ConfigSnapshot {
  return { version, organizations, domains: buildDomainIndex(organizations) };
}
