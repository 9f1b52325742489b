// Historical searches (Start-HistoricalSearch): start one, watch its status, download the CSV
// report when it is done, or cancel it.
import { useEffect, useState, type FormEvent } from 'react';
import { cancelHistoricalSearch, getHistoricalSearches, historicalSearchCsvUrl, startHistoricalSearch } from '../api';
import { FormError, SelectField, TextField } from '../components/Field';
import { formatDate, formatValue } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { useLoad } from '../components/useLoad';
import { useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

const REPORT_TYPES = ['MessageTrace', 'MessageTraceDetail', 'ConnectorReport'];
const FIELDS = ['ReportTitle', 'ReportType', 'StartDate', 'EndDate', 'ConnectorType', 'Direction', 'SenderAddress', 'RecipientAddress'];
const DONE = new Set(['Done', 'Completed', 'Failed', 'Cancelled']);

function dayInput(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function HistoricalSearchesPage() {
  const org = useOrganization();
  const list = useLoad(() => getHistoricalSearches(org), [org]);
  const [form, setForm] = useState({ ReportTitle: 'DirectSendMessages', ReportType: 'ConnectorReport', StartDate: dayInput(-30), EndDate: dayInput(1), ConnectorType: 'NoConnector', Direction: 'Received' });
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const pending = (list.data?.items ?? []).some((s) => !DONE.has(s.Status));
  const { reload } = list;

  // While a search runs, look again every few seconds.
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [pending, reload]);

  async function start(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const connectorReport = form.ReportType === 'ConnectorReport';
      const job = await startHistoricalSearch(org, {
        ReportTitle: form.ReportTitle,
        ReportType: form.ReportType,
        StartDate: new Date(form.StartDate).toISOString(),
        EndDate: new Date(form.EndDate).toISOString(),
        ConnectorType: connectorReport ? form.ConnectorType : undefined,
        Direction: form.Direction || undefined,
      });
      setStatus(`Search ${job.ReportTitle} started (${job.JobId}).`);
      reload();
    } catch (e) {
      setError(e);
    }
  }
  async function cancel(jobId: string) {
    try {
      await cancelHistoricalSearch(org, jobId);
      setStatus('Search cancelled.');
      reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="hs-title">
      <h1 id="hs-title">Historical searches</h1>
      <form className="panel" onSubmit={(e) => void start(e)} aria-label="Start a historical search">
        <h2>Start a search</h2>
        <div className="grid">
          <TextField label="Report title" name="ReportTitle" value={form.ReportTitle} onChange={set('ReportTitle')} error={error} required />
          <SelectField label="Report type" name="ReportType" value={form.ReportType} options={REPORT_TYPES} onChange={set('ReportType')} error={error} />
          <TextField label="Start date" name="StartDate" type="date" value={form.StartDate} onChange={set('StartDate')} error={error} required />
          <TextField label="End date" name="EndDate" type="date" value={form.EndDate} onChange={set('EndDate')} error={error} required />
          {form.ReportType === 'ConnectorReport' && <SelectField label="Connector type" name="ConnectorType" value={form.ConnectorType} options={['NoConnector', 'Partner', 'OnPremises']} onChange={set('ConnectorType')} error={error} />}
          <SelectField label="Direction" name="Direction" value={form.Direction} options={['', 'Received', 'Sent']} onChange={set('Direction')} error={error} />
        </div>
        <FormError error={error} fields={FIELDS} />
        <div className="actions">
          <button type="submit">Start search</button>
        </div>
      </form>
      <StatusText>{status}</StatusText>
      <ErrorText error={list.error} />
      <DataTable headings={['Title', 'Type', 'Submitted', 'Status', 'Rows', 'Report']} after={list.data?.items.length === 0 && <p>No historical searches yet.</p>}>
        {list.data?.items.map((s) => (
          <tr key={s.JobId}>
            <th scope="row">{s.ReportTitle}</th>
            <td>{s.ReportType}</td>
            <td>{formatDate(s.SubmitDate)}</td>
            <td>{s.Status}</td>
            <td>{formatValue(s.Rows)}</td>
            <td className="row-actions">
              {s.Status === 'Done' && (
                <a href={historicalSearchCsvUrl(org, s.JobId)} download={`${s.ReportTitle}.csv`}>
                  Download CSV
                </a>
              )}
              {!DONE.has(s.Status) && (
                <button type="button" onClick={() => void cancel(s.JobId)} aria-label={`Cancel ${s.ReportTitle}`}>
                  Cancel
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
