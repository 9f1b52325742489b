// Start-/Get-/Stop-HistoricalSearch over the organization's jobs (trace/historicalSearch.ts runs
// them). A report is only ever mailed inside the organization.
import { HistoricalSearchError, type HistoricalSearches } from '../trace/historicalSearch.js';
import { checkWindow } from './dateWindow.js';
import { AdminError, invalid, notAvailable, objectNotFound } from './errors.js';
import type { OrganizationScope } from './scope.js';
import type { HistoricalSearchAdmin } from './types.js';

export function historicalSearchAdmin(scope: OrganizationScope): HistoricalSearchAdmin {
  const searches = (): HistoricalSearches => {
    const s = scope.options.historicalSearches;
    if (!s) throw notAvailable('Historical search is not available in this session of Postern; use Get-MessageTrace (last 10 days) or Get-MessageTraceV2 (last 90 days) instead.');
    return s;
  };
  return {
    async startHistoricalSearch(request) {
      const jobs = searches();
      checkWindow(scope.now(), request.StartDate, request.EndDate, { maxAgeDays: 90 });
      for (const a of request.NotifyAddress ?? []) {
        if (!scope.isOrgAddress(a)) throw invalid('NotifyAddress', `NotifyAddress: '${a}' is not in one of this organization's accepted domains; the report can only be sent inside the organization.`);
      }
      try {
        return jobs.start(scope.guid, request, scope.actor);
      } catch (e) {
        if (e instanceof HistoricalSearchError) throw invalid(e.parameter, e.message);
        throw e;
      }
    },

    async getHistoricalSearches(jobId) {
      const list = searches().list(scope.guid, jobId);
      if (jobId && !list.length) throw objectNotFound(jobId, 'historical search');
      return list;
    },

    async historicalSearchReport(jobId) {
      const r = searches().report(scope.guid, jobId);
      if (r === 'notFound') throw objectNotFound(jobId, 'historical search');
      if (r === 'notDone') throw new AdminError(`The historical search '${jobId}' has no report yet; download it once its Status is Done.`, { errorId: 'InvalidOperation', category: 'InvalidOperation', parameter: 'JobId' });
      return r;
    },

    async stopHistoricalSearch(jobId) {
      const r = searches().stop(scope.guid, jobId);
      if (r === 'notFound') throw objectNotFound(jobId, 'historical search');
      if (r === 'finished') {
        throw new AdminError(`The historical search '${jobId}' has already finished; only a search that is NotStarted or InProgress can be stopped.`, { errorId: 'InvalidOperation', category: 'InvalidOperation', parameter: 'JobId' });
      }
    },
  };
}
