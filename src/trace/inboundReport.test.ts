import { describe, expect, it } from 'vitest';
import { inboundMessagesReport, type InboundCount } from './inboundReport.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 15);
const TODAY = Date.UTC(2026, 10, 22);

describe('inbound messages report', () => {
  const counts: InboundCount[] = [
    { day: TODAY, connector: '', tls: 'No TLS', messages: 3 },
    { day: TODAY, connector: '', tls: 'TLS 1.3', messages: 2 },
    { day: TODAY, connector: 'Partner relay', tls: 'TLS 1.2', messages: 4 },
    { day: TODAY - 2 * DAY, connector: 'Gone', tls: 'TLS 1.2', messages: 1 },
  ];
  let asked: unknown[] = [];
  const source = {
    inboundCounts: (...args: unknown[]) => {
      asked = args;
      return counts;
    },
  };
  const org = { Guid: 'g', Name: 'Contoso', InboundConnectors: [{ Name: 'Partner relay', ConnectorType: 'Partner', RequireTls: true }] as any };

  it('groups per day and connector with TLS columns and volume, and day series for the charts', () => {
    const r = inboundMessagesReport(source, org, { days: 7, now: NOW });
    expect(asked).toEqual(['g', TODAY - 6 * DAY, TODAY + DAY]);
    expect(r).toMatchObject({ startDate: '2026-11-16', endDate: '2026-11-22', days: 7 });
    expect(r.rows).toEqual([
      { Date: '2026-11-20', 'Connector direction and name': 'Inbound - Gone', 'Connector type': 'Removed connector', 'Forced TLS?': 'No', 'No TLS': 0, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 1, 'TLS 1.3': 0, Volume: 1 },
      { Date: '2026-11-22', 'Connector direction and name': 'Inbound - No connector (email from the internet)', 'Connector type': 'No connector', 'Forced TLS?': 'No', 'No TLS': 3, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 0, 'TLS 1.3': 2, Volume: 5 },
      { Date: '2026-11-22', 'Connector direction and name': 'Inbound - Partner relay', 'Connector type': 'Partner', 'Forced TLS?': 'Yes', 'No TLS': 0, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 4, 'TLS 1.3': 0, Volume: 4 },
    ]);
    expect(r.volumeByDay.map((d) => d.Volume)).toEqual([0, 0, 0, 0, 1, 0, 9]);
    expect(r.tlsByDay[6]).toEqual({ Date: '2026-11-22', 'No TLS': 3, 'TLS 1.0': 0, 'TLS 1.1': 0, 'TLS 1.2': 4, 'TLS 1.3': 2 });
  });

  it('covers 7 to 90 days', () => {
    expect(() => inboundMessagesReport(source, org, { days: 6 })).toThrow(/7 to 90 days/);
    expect(() => inboundMessagesReport(source, org, { days: 91 })).toThrow(/7 to 90 days/);
    expect(inboundMessagesReport(source, org, { days: 90, now: NOW }).volumeByDay).toHaveLength(90);
  });
});
