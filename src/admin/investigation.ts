// Test-MailFlow (simulation) and Invoke-Hunting (KQL), scoped to the organization's GUID. Both run
// code the composition root supplies (the simulator and the hunting executor); without it the
// operation says it is not available, never fake data. A simulation takes only recipients in the
// organization's accepted domains: a session never learns how another organization would treat
// a message.
import { invalid, notAvailable } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { InvestigationAdmin } from './types.js';

export function investigationAdmin(scope: OrganizationScope): InvestigationAdmin {
  return {
    async simulate(request) {
      if (!scope.options.simulate) throw notAvailable('Mail-flow simulation (Test-MailFlow) is not available in this session.');
      const foreign = request.Recipients.find((a) => !scope.isOrgAddress(a));
      if (foreign) throw invalid('Recipients', `The recipient '${foreign}' isn't in an accepted domain of ${scope.name}.`, 'InvalidRecipient');
      return scope.options.simulate(scope.guid, request);
    },

    async hunt(query, options = {}) {
      return (await this.runHuntingQuery(query, options)).rows;
    },

    async runHuntingQuery(query, options = {}) {
      if (!scope.options.hunt) throw notAvailable('Advanced hunting (Invoke-Hunting) is not available in this session.');
      return scope.options.hunt(scope.guid, query, options);
    },
  };
}
