// The admin audit log (Search-AdminAuditLog): who changed what, when, from where.
import { useState, type FormEvent } from 'react';
import { getAuditLog } from '../api';
import { TextField } from '../components/Field';
import { formatDate, formatValue } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { MoreButton, usePaged } from '../components/usePaged';
import { useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

/** Parameters as the cmdlet line read: -Name value. */
function parameters(value: unknown): string {
  if (!Array.isArray(value)) return formatValue(value);
  return value.map((p: { Name?: string; Value?: unknown }) => (p && typeof p === 'object' && 'Name' in p ? `-${p.Name} ${formatValue(p.Value)}` : formatValue(p))).join(' ');
}

/** Before → after per property; a long list (a new object) folds behind its count. */
function Changes({ properties }: { properties: { Name: string; OldValue: unknown; NewValue: unknown }[] }) {
  const list = (
    <ul className="plain">
      {properties.map((p) => (
        <li key={p.Name}>
          {p.Name}: {formatValue(p.OldValue)} → {formatValue(p.NewValue)}
        </li>
      ))}
    </ul>
  );
  if (properties.length <= 3) return list;
  return (
    <details>
      <summary>{properties.length} properties</summary>
      {list}
    </details>
  );
}

const EMPTY = { Caller: '', CmdletName: '', StartDate: '', EndDate: '' };

export function AuditLogPage() {
  const org = useOrganization();
  const [draft, setDraft] = useState(EMPTY);
  const [filters, setFilters] = useState(EMPTY);
  const iso = (s: string) => (s ? new Date(s).toISOString() : '');
  const list = usePaged((cursor) => getAuditLog(org, { ...filters, StartDate: iso(filters.StartDate), EndDate: iso(filters.EndDate), limit: 200, cursor }), [org, filters]);
  const set = (key: keyof typeof EMPTY) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ ...draft });
  };

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="panel filters" onSubmit={search} aria-label="Audit log filters">
        <div className="grid">
          <TextField label="Caller" name="Caller" value={draft.Caller} onChange={set('Caller')} error={list.error} />
          <TextField label="Cmdlet" name="CmdletName" value={draft.CmdletName} onChange={set('CmdletName')} error={list.error} placeholder="e.g. Set-OrganizationConfig" />
          <TextField label="From" name="StartDate" type="datetime-local" value={draft.StartDate} onChange={set('StartDate')} error={list.error} />
          <TextField label="Until" name="EndDate" type="datetime-local" value={draft.EndDate} onChange={set('EndDate')} error={list.error} />
        </div>
        <div className="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <ErrorText error={list.error} />
      {list.loading && <StatusText>Loading…</StatusText>}
      <DataTable headings={['When', 'Caller', 'Cmdlet', 'Object', 'Parameters', 'Changes', 'Result', 'Client IP']} after={!list.loading && list.items.length === 0 && <p>No audit entries match.</p>}>
        {list.items.map((e, i) => (
          <tr key={i}>
            <td>{formatDate(e.RunDate)}</td>
            <td>{e.Caller}</td>
            <th scope="row">{e.CmdletName}</th>
            <td>{e.ObjectModified}</td>
            <td className="mono wide">{parameters(e.CmdletParameters)}</td>
            <td className="wide">
              <Changes properties={e.ModifiedProperties ?? []} />
            </td>
            <td>{e.Succeeded ? 'Succeeded' : `Failed${e.Error ? `: ${e.Error}` : ''}`}</td>
            <td>{e.ClientIP}</td>
          </tr>
        ))}
      </DataTable>
      <MoreButton paged={list} what="entries" />
    </section>
  );
}
