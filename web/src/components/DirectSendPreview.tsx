// What Reject Direct Send would refuse today (GET /direct-send/preview): the sender groups, each
// 5.7.68 group with a one-click connector for its IP, and the ordered steps to get there safely.
import { useState } from 'react';
import { newInboundConnector, type DirectSendGroup, type DirectSendPreview as Preview } from '../api';
import { formatDate, formatValue } from './format';
import { ErrorText } from './Notice';
import { DataTable } from './DataTable';

function asList(value: string[] | string | undefined | null): string[] {
  return Array.isArray(value) ? value : value ? [value] : [];
}

/** The other IPs that send as the same domain (a connector for one IP would refuse them). */
function otherIps(preview: Preview, group: DirectSendGroup): string[] {
  const ips = preview.groups.filter((g) => g.SenderMailFromDomain === group.SenderMailFromDomain && g.SenderIP && g.SenderIP !== group.SenderIP).map((g) => g.SenderIP);
  return [...new Set(ips)];
}

export function refusedGroups(preview: Preview): DirectSendGroup[] {
  return preview.groups.filter((g) => g.Status !== 'Refused');
}

function ConnectorButton({ org, group, others, onCreated }: { org: string; group: DirectSendGroup; others: string[]; onCreated(message: string): void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function create() {
    // The connector restricts its domain to this IP: say what that refuses before doing it.
    const domain = group.SenderMailFromDomain || 'its sender domains';
    const warning = `Create a connector for ${group.SenderIP}? Mail from ${domain} that comes from any other IP is then refused (5.7.51)${others.length ? `, including ${others.join(', ')} seen in this preview` : ''}. Like New-InboundConnector, it requires TLS from ${group.SenderIP} unless you change that on the Connectors page.`;
    if (!window.confirm(warning)) return;
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
      {Array.isArray(preview.summary) && preview.summary.length > 0 && (
        <ul className="plain" aria-label="Summary">
          {preview.summary.map((s) => (
            <li key={`${s.EnhancedStatusCode} ${s.Status}`}>
              {s.EnhancedStatusCode} {s.Status}: {s.Messages} message{s.Messages === 1 ? '' : 's'}, {s.Recipients} recipient{s.Recipients === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      )}
      {preview.groups.length > 0 && (
        <DataTable caption="Senders of mail that came through no connector" headings={['Code', 'Status', 'Sender IP', 'MAIL FROM domain', 'Addresses', 'Messages', 'Recipients', 'Last seen', 'Fix']}>
          {preview.groups.map((g) => (
            <tr key={`${g.EnhancedStatusCode} ${g.Status} ${g.SenderIP} ${g.SenderMailFromDomain}`}>
              <td>{g.EnhancedStatusCode}</td>
              <td>{g.Status}</td>
              <th scope="row">{g.SenderIP}</th>
              <td>{g.SenderMailFromDomain}</td>
              <td>{asList(g.SenderMailFromAddresses).join(', ')}</td>
              <td>{g.Messages}</td>
              <td>{g.Recipients}</td>
              <td>{formatDate(g.LastSeen)}</td>
              <td>{g.EnhancedStatusCode === '5.7.68' && g.SenderIP && <ConnectorButton org={org} group={g} others={otherIps(preview, g)} onCreated={onChanged} />}</td>
            </tr>
          ))}
        </DataTable>
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
      {(preview.unknownConnectors ?? []).length > 0 && (
        <p className="hint">Connectors seen in the mail but not configured here (taken as IP or certificate connectors): {formatValue(preview.unknownConnectors)}</p>
      )}
    </>
  );
}
