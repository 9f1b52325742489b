// The admin center's mail-flow reports for the organization: the Inbound messages report (per
// day and connector, volume and TLS versions; trace/inboundReport.ts computes it).
import { InboundReportError, inboundMessagesReport } from '../trace/inboundReport.js';
import { invalid, notAvailable } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { ReportAdmin } from './types.js';

export function reportAdmin(scope: OrganizationScope): ReportAdmin {
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
  };
}
