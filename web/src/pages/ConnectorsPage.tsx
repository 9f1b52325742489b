// Inbound connectors: who is trusted, by IP range or TLS certificate. List, create, edit, remove.
import { useState } from 'react';
import { getInboundConnectors, newInboundConnector, removeInboundConnector, setInboundConnector, type InboundConnector } from '../api';
import { ConnectorForm } from '../components/ConnectorForm';
import { formatValue } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { useLoad } from '../components/useLoad';
import { useCanManage, useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

type Editing = { kind: 'new' } | { kind: 'edit'; connector: InboundConnector } | null;

export function ConnectorsPage() {
  const org = useOrganization();
  const canManage = useCanManage();
  const list = useLoad(() => getInboundConnectors(org), [org]);
  const [editing, setEditing] = useState<Editing>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);

  async function remove(connector: InboundConnector) {
    if (!window.confirm(`Remove the inbound connector "${connector.Name}"? Mail from its senders then counts as Direct Send.`)) return;
    try {
      await removeInboundConnector(org, connector.Identity);
      setStatus(`Connector ${connector.Name} removed.`);
      list.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="connectors-title">
      <div className="page-head">
        <h1 id="connectors-title">Inbound connectors</h1>
        {canManage && !editing && (
          <button type="button" onClick={() => setEditing({ kind: 'new' })}>
            New connector
          </button>
        )}
      </div>
      <StatusText>{status}</StatusText>
      <ErrorText error={error ?? list.error} />
      {editing && (
        <ConnectorForm
          key={editing.kind === 'edit' ? editing.connector.Identity : 'new'}
          connector={editing.kind === 'edit' ? editing.connector : undefined}
          onCancel={() => setEditing(null)}
          onSave={async (settings) => {
            if (editing.kind === 'edit') await setInboundConnector(org, editing.connector.Identity, settings);
            else await newInboundConnector(org, settings);
            setStatus(`Connector ${settings.Name ?? (editing.kind === 'edit' ? editing.connector.Name : '')} saved.`);
            setEditing(null);
            list.reload();
          }}
        />
      )}
      <DataTable headings={['Name', 'Type', 'Sender IP addresses', 'Sender domains', 'Restricted to', 'TLS required', 'Enabled', canManage && 'Actions']} after={list.data?.items.length === 0 && <p>No inbound connectors: every inbound message counts as Direct Send.</p>}>
        {list.data?.items.map((c) => (
          <tr key={c.Identity}>
            <th scope="row">{c.Name}</th>
            <td>{c.ConnectorType}</td>
            <td>{formatValue(c.SenderIPAddresses)}</td>
            <td>{formatValue(c.SenderDomains)}</td>
            <td>{[c.RestrictDomainsToIPAddresses && 'IP addresses', c.RestrictDomainsToCertificate && 'certificate'].filter(Boolean).join(', ') || 'nothing'}</td>
            <td>{c.RequireTls ? 'Yes' : 'No'}</td>
            <td>{c.Enabled ? 'Yes' : 'No'}</td>
            {canManage && (
              <td className="row-actions">
                <button type="button" onClick={() => setEditing({ kind: 'edit', connector: c })} aria-label={`Edit ${c.Name}`}>
                  Edit
                </button>
                <button type="button" className="danger" onClick={() => void remove(c)} aria-label={`Remove ${c.Name}`}>
                  Remove
                </button>
              </td>
            )}
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
