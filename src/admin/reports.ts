// The admin center's mail-flow reports for the organization: the Inbound messages report (per
// day and connector, volume and TLS versions; trace/inboundReport.ts computes it) and the Direct
// Send lockdown preview (mailflow/directSendPreview.ts judges the trace rows) and plan
// (directSendPlan.ts groups the senders, directSendScript.ts hardens, directSendVerify.ts replays).
import { directSendSenders } from '../mailflow/directSendPlan.js';
import { previewDirectSendLockdown } from '../mailflow/directSendPreview.js';
import { hardeningPlan } from '../mailflow/directSendScript.js';
import { replayPlan } from '../mailflow/directSendVerify.js';
import { InboundReportError, inboundMessagesReport } from '../trace/inboundReport.js';
import { DAY } from './dateWindow.js';
import { invalid, notAvailable } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { ReportAdmin } from './types.js';

export function reportAdmin(scope: OrganizationScope): ReportAdmin {
  /** The start of the last `days` (1 to 90, default 30). */
  const sinceDays = (days = 30): number => {
    if (!Number.isFinite(days) || days <= 0 || days > 90) throw invalid('Days', 'Days: give a number of days from 1 to 90.');
    return scope.now().getTime() - days * DAY;
  };
  return {
    async inboundMessagesReport(options = {}) {
      const source = scope.options.inboundReports;
      if (!source) throw notAvailable('The Inbound messages report is not available in this session.');
      try {
        return inboundMessagesReport(source, scope.current(), options);
      } catch (e) {
        if (e instanceof InboundReportError) throw invalid('Days', e.message);
        throw e;
      }
    },

    async directSendPreview(options = {}) {
      const rows = scope.options.directSend;
      if (!rows) throw notAvailable('The Direct Send preview is not available in this session.');
      const since = sinceDays(options.days);
      // The organization and the refusals are read before the accepted rows stream.
      const org = scope.current();
      const refused = rows.refused(scope.guid, since);
      return previewDirectSendLockdown(rows.accepted(scope.guid, since), refused, [org], { since });
    },

    async directSendSenders(options = {}) {
      const rows = scope.options.directSend;
      if (!rows) throw notAvailable('The Direct Send plan is not available in this session.');
      const since = sinceDays(options.days);
      return directSendSenders(rows.accepted(scope.guid, since), scope.current(), { since });
    },

    async directSendPlan(options = {}) {
      const rows = scope.options.directSend;
      if (!rows) throw notAvailable('The Direct Send plan is not available in this session.');
      const since = sinceDays(options.days);
      const org = scope.current();
      const groups = directSendSenders(rows.accepted(scope.guid, since), org, { since });
      const plan = hardeningPlan(groups, org.InboundConnectors, { exclude: options.exclude });
      // The rows are read a second time rather than held: a period can be millions of rows.
      const replay = options.verify ? replayPlan(rows.accepted(scope.guid, since), org, groups, plan, scope.now()) : undefined;
      return { groups, plan, replay };
    },
  };
}
