// What Reject Direct Send would refuse today (GET /direct-send/preview): the sender groups, each
// 5.7.68 group with a one-click connector for its IP, and the ordered steps to get there safely.
import { useState } from 'react';
import { newInboundConnector, type DirectSendGroup, type DirectSendPreview as Preview } from '../api';
import { formatDate, formatValue } from './format';
import { ErrorText } from './Notice';

function asList(value: string[] | string | undefined | null): string[] {
  return Array.isArray(value) ? value : value ? [value] : [];
}

export function refusedGroups(preview: Preview): DirectSendGroup[] {
  return preview.groups.filter((g) => g.Status !== 'Refused');
}

function ConnectorButton({ org, group, onCreated }: { org: string; group: DirectSendGroup; onCreated(message: string): void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function create() {
    setBusy(true);
    setError(null);
    try {
      const name = `${group.SenderMailFromDomain || 'Sender'} from ${group.SenderIP}`;
      await newInboundConnector(org, {
        Name: name,
        ConnectorType: 'Partner',
        SenderIPAddresses: [group.SenderIP],
        SenderDomains: group.SenderMailFromDomain ? [group.SenderMailFromDomain] : ['*'],
        RestrictDomainsToIPAddresses: true,
        Enabled: true,
        Comment: `Created from the Reject Direct Send preview for ${group.SenderIP}.`,
      });
      onCreated(`Connector "${name}" created.`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void create()} aria-label={`Create a connector for ${group.SenderIP}`}>
        Create a connector for this IP
      </button>
      <ErrorText error={error} />
    </>
  );
}

export function DirectSendPreview({ org, preview, onChanged }: { org: string; preview: Preview; onChanged(message: string): void }) {
  const refused = refusedGroups(preview);
  return (
    <>
      <h2>Impact preview</h2>
      <p className="impact" data-testid="direct-send-impact">
        {refused.length === 0 ? 'No sender seen in the last 30 days would be refused.' : `${refused.length === 1 ? 'This sender' : `These ${refused.length} senders`} would be refused:`}
      </p>
      {preview.groups.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Senders of mail that came through no connector</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Status</th>
                <th scope="col">Sender IP</th>
                <th scope="col">MAIL FROM domain</th>
                <th scope="col">Addresses</th>
                <th scope="col">Messages</th>
                <th scope="col">Recipients</th>
                <th scope="col">Last seen</th>
                <th scope="col">Fix</th>
              </tr>
            </thead>
            <tbody>
              {preview.groups.map((g) => (
                <tr key={`${g.EnhancedStatusCode} ${g.SenderIP} ${g.SenderMailFromDomain}`}>
                  <td>{g.EnhancedStatusCode}</td>
                  <td>{g.Status}</td>
                  <th scope="row">{g.SenderIP}</th>
                  <td>{g.SenderMailFromDomain}</td>
                  <td>{asList(g.SenderMailFromAddresses).join(', ')}</td>
                  <td>{g.Messages}</td>
                  <td>{g.Recipients}</td>
                  <td>{formatDate(g.LastSeen)}</td>
                  <td>{g.EnhancedStatusCode === '5.7.68' && g.Status !== 'Refused' && <ConnectorButton org={org} group={g} onCreated={onChanged} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Steps</h2>
      <ol className="steps">
        {[...preview.steps]
          .sort((a, b) => a.Order - b.Order)
          .map((step) => (
            <li key={step.Order} className={step.Done ? 'done' : undefined}>
              <strong>{step.Action}</strong> {step.Done ? '(done)' : ''}
              {step.Connector ? ` — ${step.Connector}` : ''}
              <p>{step.Explanation}</p>
              {asList(step.Commands).length > 0 && (
                <pre>
                  <code>{asList(step.Commands).join('\n')}</code>
                </pre>
              )}
            </li>
          ))}
      </ol>
      {typeof preview.summary === 'string' && <p>{preview.summary}</p>}
      {preview.summary !== null && typeof preview.summary === 'object' && <p className="hint">{formatValue(preview.summary)}</p>}
    </>
  );
}
