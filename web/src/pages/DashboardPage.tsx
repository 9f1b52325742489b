// The Inbound messages report: volume per day per connector (mail that came through no
// connector — Direct Send — in its own colour), the TLS share, and the counters that matter.
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { getInboundReport, getQuarantine, type InboundReport, type InboundReportRow } from '../api';
import { NO_CONNECTOR, pivot, seriesColor } from '../components/charts';
import { ErrorText, StatusText } from '../components/Notice';
import { useLoad } from '../components/useLoad';
import { useOrganization } from '../session';

const PERIODS = [7, 30, 90] as const;
const TLS_SERIES = ['No TLS', 'TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3'];
const TLS_COLORS = ['#c62828', '#ef6c00', '#f9a825', '#1565c0', '#2e7d32'];

function label(connector: string): string {
  return connector === NO_CONNECTOR ? 'NoConnector (Direct Send)' : connector;
}

/** The report's "Inbound - <name>" / "No connector" as the connector's name or NoConnector. */
function connectorOf(row: InboundReportRow): string {
  if (row['Connector type'] === 'No connector') return NO_CONNECTOR;
  return String(row['Connector direction and name'] ?? row.Connector ?? '').replace(/^Inbound - /, '');
}

export function DashboardPage() {
  const org = useOrganization();
  const [days, setDays] = useState<number>(7);
  const report = useLoad(() => getInboundReport(org, days), [org, days]);
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  const quarantined = useLoad(() => getQuarantine(org, { StartReceivedDate: since, limit: 1000 }), [org, days]);

  return (
    <section aria-labelledby="dashboard-title">
      <div className="page-head">
        <h1 id="dashboard-title">Inbound messages</h1>
        <fieldset className="segmented">
          <legend>Period</legend>
          {PERIODS.map((p) => (
            <label key={p}>
              <input type="radio" name="period" value={p} checked={days === p} onChange={() => setDays(p)} />
              {p} days
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorText error={report.error} />
      {report.loading && <StatusText>Loading the report…</StatusText>}
      {report.data && (
        <>
          <Counters report={report.data} quarantined={quarantined.data ? `${quarantined.data.items.length}${quarantined.data.nextCursor ? '+' : ''}` : quarantined.error ? '–' : '…'} />
          <VolumeChart report={report.data} />
          <TlsChart report={report.data} />
        </>
      )}
    </section>
  );
}

function Counters({ report, quarantined }: { report: InboundReport; quarantined: string }) {
  const total = report.rows.reduce((n, r) => n + r.Volume, 0);
  const direct = report.rows.filter((r) => connectorOf(r) === NO_CONNECTOR).reduce((n, r) => n + r.Volume, 0);
  const share = total ? `${((direct / total) * 100).toFixed(1)} %` : '–';
  return (
    <dl className="counters">
      <div>
        <dt>Messages</dt>
        <dd data-testid="counter-messages">{total}</dd>
      </div>
      <div>
        <dt>Through no connector</dt>
        <dd data-testid="counter-no-connector">{share}</dd>
      </div>
      <div>
        <dt>Quarantined</dt>
        <dd data-testid="counter-quarantined">{quarantined}</dd>
      </div>
    </dl>
  );
}

function VolumeChart({ report }: { report: InboundReport }) {
  // Every day of the period has its bar, even a day without mail.
  const days = report.volumeByDay.map((d) => ({ Date: d.Date, 'Connector direction and name': '', 'Connector type': '', Volume: 0 }) as InboundReportRow);
  const { data, series: all } = pivot([...days, ...report.rows], (r) => r.Date.slice(0, 10), (r) => (r.Volume ? connectorOf(r) : ''), (r) => r.Volume);
  const series = all.filter(Boolean);
  const total = report.rows.reduce((n, r) => n + r.Volume, 0);
  return (
    <figure className="chart" aria-labelledby="volume-caption">
      <figcaption id="volume-caption">Messages per day, by connector</figcaption>
      {total === 0 ? (
        <p>No inbound messages in this period.</p>
      ) : (
        <ResponsiveContainer width="100%" height={300}>
          <BarChart data={data} accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="key" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            {series.map((name, i) => (
              <Bar isAnimationActive={false} key={name} dataKey={name} name={label(name)} stackId="volume" fill={seriesColor(name, i)} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}

function TlsChart({ report }: { report: InboundReport }) {
  const data: Record<string, number | string>[] = report.tlsByDay.map((d) => ({ ...d, key: String(d.Date).slice(0, 10) }));
  const present = TLS_SERIES.filter((s) => data.some((d) => Number(d[s] ?? 0) > 0));
  return (
    <figure className="chart" aria-labelledby="tls-caption">
      <figcaption id="tls-caption">TLS share per day</figcaption>
      {present.length === 0 ? (
        <p>No inbound messages in this period.</p>
      ) : (
        <ResponsiveContainer width="100%" height={260}>
          <BarChart data={data} stackOffset="expand" accessibilityLayer>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="key" />
            <YAxis tickFormatter={(v: number) => `${Math.round(v * 100)} %`} />
            <Tooltip />
            <Legend />
            {present.map((name) => (
              <Bar isAnimationActive={false} key={name} dataKey={name} stackId="tls" fill={TLS_COLORS[TLS_SERIES.indexOf(name)]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </figure>
  );
}
