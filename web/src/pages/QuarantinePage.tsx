// Hosted quarantine: filter, select, release or delete in bulk, and look at one message.
import { useState, type FormEvent } from 'react';
import { bulkQuarantine, getQuarantine, type QuarantineMessage } from '../api';
import { TextField, SelectField } from '../components/Field';
import { formatDate, formatValue } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { QuarantineDetails } from '../components/QuarantineDetails';
import { MoreButton, usePaged } from '../components/usePaged';
import { useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

const EMPTY = { SenderAddress: '', RecipientAddress: '', Subject: '', QuarantineTypes: '', ReleaseStatus: '', StartReceivedDate: '', EndReceivedDate: '' };
type Filters = typeof EMPTY;

function query(filters: Filters) {
  const dates = { StartReceivedDate: filters.StartReceivedDate ? new Date(filters.StartReceivedDate).toISOString() : '', EndReceivedDate: filters.EndReceivedDate ? new Date(filters.EndReceivedDate).toISOString() : '' };
  return { ...filters, ...dates, limit: 200 };
}

export function QuarantinePage() {
  const org = useOrganization();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const list = usePaged((cursor) => getQuarantine(org, { ...query(filters), cursor }), [org, filters]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<QuarantineMessage | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const items = list.items;
  const set = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));

  function search(event: FormEvent) {
    event.preventDefault();
    setSelected(new Set());
    setStatus('');
    setFilters({ ...draft });
  }
  function toggle(id: string, on: boolean) {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }
  async function bulk(action: 'release' | 'delete') {
    if (action === 'delete' && !window.confirm(`Delete ${selected.size} message(s) from the quarantine? This cannot be undone.`)) return;
    setError(null);
    try {
      const { results } = await bulkQuarantine(org, action, [...selected]);
      const failed = results.filter((r) => !r.ok);
      setStatus(`${results.length - failed.length} message(s) ${action === 'release' ? 'released' : 'deleted'}${failed.length ? `, ${failed.length} failed: ${failed.map((f) => formatValue(typeof f.error === 'object' ? f.error?.message : f.error)).join('; ')}` : ''}.`);
      setSelected(new Set());
      setOpen(null);
      list.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="q-title">
      <h1 id="q-title">Quarantine</h1>
      <form className="panel filters" onSubmit={search} aria-label="Quarantine filters">
        <div className="grid">
          <TextField label="Sender address" name="SenderAddress" value={draft.SenderAddress} onChange={set('SenderAddress')} />
          <TextField label="Recipient address" name="RecipientAddress" value={draft.RecipientAddress} onChange={set('RecipientAddress')} />
          <TextField label="Subject" name="Subject" value={draft.Subject} onChange={set('Subject')} />
          <SelectField label="Quarantine reason" name="QuarantineTypes" value={draft.QuarantineTypes} options={['', 'TransportRule', 'Spam', 'HighConfPhish', 'Phish', 'Malware', 'Bulk', 'SPOOF']} onChange={set('QuarantineTypes')} />
          <SelectField label="Release status" name="ReleaseStatus" value={draft.ReleaseStatus} options={['', 'NotReleased', 'Released', 'Requested', 'Denied']} onChange={set('ReleaseStatus')} />
          <TextField label="Received from" name="StartReceivedDate" type="datetime-local" value={draft.StartReceivedDate} onChange={set('StartReceivedDate')} />
          <TextField label="Received until" name="EndReceivedDate" type="datetime-local" value={draft.EndReceivedDate} onChange={set('EndReceivedDate')} />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <StatusText>{list.loading ? 'Loading…' : status}</StatusText>
      <ErrorText error={error ?? list.error} />
      <div className="actions">
        <button type="button" disabled={selected.size === 0} onClick={() => void bulk('release')}>
          Release selected ({selected.size})
        </button>
        <button type="button" className="danger" disabled={selected.size === 0} onClick={() => void bulk('delete')}>
          Delete selected
        </button>
      </div>
      <DataTable headings={[<input type="checkbox" aria-label="Select all" checked={items.length > 0 && selected.size === items.length} onChange={(e) => setSelected(e.target.checked ? new Set(items.map((m) => m.Identity)) : new Set())} />, 'Received', 'Subject', 'Sender', 'Recipients', 'Reason', 'Release status']} after={!list.loading && items.length === 0 && <p>No quarantined messages match.</p>}>
        {items.map((m) => (
          <tr key={m.Identity} className={open?.Identity === m.Identity ? 'current' : undefined}>
            <td>
              <input type="checkbox" aria-label={`Select ${m.Subject || m.Identity}`} checked={selected.has(m.Identity)} onChange={(e) => toggle(m.Identity, e.target.checked)} />
            </td>
            <td>{formatDate(m.ReceivedTime)}</td>
            <td>
              <button type="button" className="link" onClick={() => setOpen(m)}>
                {m.Subject || '(no subject)'}
              </button>
            </td>
            <td>{m.SenderAddress}</td>
            <td>{formatValue(m.RecipientAddress)}</td>
            <td>{formatValue(m.QuarantineTypes ?? m.Type)}</td>
            <td>{m.ReleaseStatus}</td>
          </tr>
        ))}
      </DataTable>
      <MoreButton paged={list} what="messages" />
      {open && <QuarantineDetails key={open.Identity} org={org} message={open} onClose={() => setOpen(null)} />}
    </section>
  );
}
