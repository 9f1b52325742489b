// Message trace: find messages, then follow one recipient's events (received, rules,
// quarantine, delivery) in order.
import { useState, type FormEvent } from 'react';
import { getMessageTrace, getMessageTraceDetail, type MessageTraceRow } from '../api';
import { SelectField, TextField } from '../components/Field';
import { formatDate } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { useLoad } from '../components/useLoad';
import { MoreButton, usePaged } from '../components/usePaged';
import { useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

const EMPTY = { SenderAddress: '', RecipientAddress: '', MessageId: '', Subject: '', Status: '', StartDate: '', EndDate: '' };
type Filters = typeof EMPTY;
const STATUSES = ['', 'Delivered', 'Pending', 'Failed', 'Quarantined', 'FilteredAsSpam', 'Expanded', 'GettingStatus', 'Resolved'];

function query(filters: Filters) {
  const iso = (s: string) => (s ? new Date(s).toISOString() : '');
  return { ...filters, StartDate: iso(filters.StartDate), EndDate: iso(filters.EndDate), limit: 200 };
}

function Timeline({ org, row }: { org: string; row: MessageTraceRow }) {
  const detail = useLoad(() => getMessageTraceDetail(org, row.MessageTraceId, row.RecipientAddress), [org, row.MessageTraceId, row.RecipientAddress]);
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Events for {row.RecipientAddress}</h2>
      <p className="hint">
        Message <span className="mono">{row.MessageId}</span> from {row.SenderAddress}: {row.Subject}
      </p>
      <ErrorText error={detail.error} />
      {detail.loading && <StatusText>Loading the events…</StatusText>}
      <ol className="timeline" aria-label="Event timeline">
        {detail.data?.items.map((e, i) => (
          <li key={i}>
            <time dateTime={e.Date}>{formatDate(e.Date)}</time> <strong>{e.Event}</strong>
            {e.Action ? ` (${e.Action})` : ''}
            <p>{e.Detail}</p>
            {e.Data && <pre className="data">{e.Data}</pre>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function MessageTracePage() {
  const org = useOrganization();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const list = usePaged((cursor) => getMessageTrace(org, { ...query(filters), cursor }), [org, filters]);
  const [open, setOpen] = useState<MessageTraceRow | null>(null);
  const set = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const rows = list.items;

  function search(event: FormEvent) {
    event.preventDefault();
    setOpen(null);
    setFilters({ ...draft });
  }

  return (
    <section aria-labelledby="trace-title">
      <h1 id="trace-title">Message trace</h1>
      <form className="panel filters" onSubmit={search} aria-label="Message trace search">
        <div className="grid">
          <TextField label="Sender address" name="SenderAddress" value={draft.SenderAddress} onChange={set('SenderAddress')} error={list.error} />
          <TextField label="Recipient address" name="RecipientAddress" value={draft.RecipientAddress} onChange={set('RecipientAddress')} error={list.error} />
          <TextField label="Message ID" name="MessageId" value={draft.MessageId} onChange={set('MessageId')} error={list.error} />
          <TextField label="Subject" name="Subject" value={draft.Subject} onChange={set('Subject')} error={list.error} />
          <SelectField label="Status" name="Status" value={draft.Status} options={STATUSES} onChange={set('Status')} error={list.error} />
          <TextField label="From" name="StartDate" type="datetime-local" value={draft.StartDate} onChange={set('StartDate')} error={list.error} hint="Default: the last 48 hours" />
          <TextField label="Until" name="EndDate" type="datetime-local" value={draft.EndDate} onChange={set('EndDate')} error={list.error} />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorText error={list.error} />
      <StatusText>{list.loading ? 'Searching…' : `${rows.length} message${rows.length === 1 ? '' : 's'} found.`}</StatusText>
      <DataTable headings={['Received', 'Sender', 'Recipient', 'Subject', 'Status', 'From IP']}>
        {rows.map((r) => (
          <tr key={`${r.MessageTraceId} ${r.RecipientAddress}`} className={open === r ? 'current clickable' : 'clickable'} onClick={() => setOpen(r)}>
            <td>{formatDate(r.Received)}</td>
            <td>{r.SenderAddress}</td>
            <td>{r.RecipientAddress}</td>
            <td>
              <button type="button" className="link" onClick={() => setOpen(r)} aria-label={`Events for ${r.RecipientAddress}: ${r.Subject}`}>
                {r.Subject || '(no subject)'}
              </button>
            </td>
            <td>{r.Status}</td>
            <td>{r.FromIP}</td>
          </tr>
        ))}
      </DataTable>
      <MoreButton paged={list} what="messages" />
      {open && <Timeline key={`${open.MessageTraceId} ${open.RecipientAddress}`} org={org} row={open} />}
    </section>
  );
}
