// Get-/Set-OrganizationConfig: the organization-wide settings Postern keeps (RejectDirectSend).
import type { OrganizationScope } from './scope.js';
import type { OrganizationConfigAdmin } from './types.js';

export function organizationConfigAdmin(scope: OrganizationScope): OrganizationConfigAdmin {
  return {
    organization: scope.name,

    async getOrganizationConfig() {
      const org = scope.current();
      return { Identity: org.Name, Name: org.Name, Guid: org.Guid, RejectDirectSend: org.Config.RejectDirectSend };
    },

    async setOrganizationConfig(changes) {
      const { RejectDirectSend } = changes;
      await scope.update((org) => ({ ...org, Config: { ...org.Config, ...(RejectDirectSend === undefined ? {} : { RejectDirectSend }) } }));
    },
  };
}
