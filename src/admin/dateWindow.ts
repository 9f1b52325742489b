// The date windows Exchange's trace and search cmdlets accept: EndDate after StartDate, a
// StartDate no older than the data kept, and for some a longest span per query.
import { AdminError } from './errors.js';

export const DAY = 86_400_000;

function windowError(parameter: string, message: string): AdminError {
  return new AdminError(message, { errorId: 'InvalidDateRange', category: 'InvalidArgument', parameter });
}

/** Refuses a window Exchange refuses, naming StartDate or EndDate. */
export function checkWindow(now: Date, start: Date, end: Date, limits: { maxAgeDays: number; maxSpanDays?: number }): void {
  if (end.getTime() <= start.getTime()) throw windowError('EndDate', 'Invalid EndDate value. The EndDate must be later than the StartDate.');
  if (now.getTime() - start.getTime() > limits.maxAgeDays * DAY) {
    throw windowError('StartDate', `Invalid StartDate value. The StartDate can't be older than ${limits.maxAgeDays} days from today.`);
  }
  if (limits.maxSpanDays !== undefined && end.getTime() - start.getTime() > limits.maxSpanDays * DAY) {
    throw windowError('EndDate', `The date range can't be more than ${limits.maxSpanDays} days. Use a shorter range.`);
  }
}
