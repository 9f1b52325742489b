// Get-/Set-AntiPhishPolicy (the organization's default policy: spoof intelligence and DMARC
// actions) and Get-/Set-ArcConfig (the trusted ARC sealers).
import { DEFAULT_ANTI_PHISH_POLICY, DEFAULT_ARC_CONFIG } from '../config/antiPhish.js';
import { objectNotFound, same } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { AntiPhishAdmin } from './types.js';

export function antiPhishAdmin(scope: OrganizationScope): AntiPhishAdmin {
  return {
    async getAntiPhishPolicy() {
      const p = scope.current().AntiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY;
      return { Identity: p.Name, ...p };
    },

    async setAntiPhishPolicy(identity, changes) {
      await scope.update((org) => {
        const policy = org.AntiPhishPolicy ?? DEFAULT_ANTI_PHISH_POLICY;
        if (!same(policy.Name, identity.trim())) throw objectNotFound(identity, 'anti-phishing policy');
        return { ...org, AntiPhishPolicy: { ...policy, ...changes } };
      });
    },

    async getArcConfig() {
      return { Identity: 'Default', ArcTrustedSealers: [...(scope.current().ArcConfig ?? DEFAULT_ARC_CONFIG).ArcTrustedSealers] };
    },

    async setArcConfig(changes) {
      await scope.update((org) => ({ ...org, ArcConfig: { ArcTrustedSealers: changes.ArcTrustedSealers.map((d) => d.toLowerCase()) } }));
    },
  };
}
