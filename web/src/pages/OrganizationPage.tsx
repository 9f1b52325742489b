// Organization settings: the Reject Direct Send switch beside what it would refuse. Turning it on
// asks for confirmation, with the number of senders it would refuse in the question.
import { useState } from 'react';
import { getDirectSendPreview, getOrganizationConfig, setOrganizationConfig } from '../api';
import { DirectSendPreview, refusedGroups } from '../components/DirectSendPreview';
import { ErrorText, StatusText } from '../components/Notice';
import { useLoad } from '../components/useLoad';
import { useCanManage, useOrganization } from '../session';

export function OrganizationPage() {
  const org = useOrganization();
  const canManage = useCanManage();
  const config = useLoad(() => getOrganizationConfig(org), [org]);
  const preview = useLoad(() => getDirectSendPreview(org, 30), [org]);
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const on = config.data?.RejectDirectSend ?? false;
  const refusedCount = preview.data ? refusedGroups(preview.data).length : null;

  async function apply(RejectDirectSend: boolean) {
    setError(null);
    setConfirming(false);
    try {
      await setOrganizationConfig(org, { RejectDirectSend });
      setStatus(`Reject Direct Send is now ${RejectDirectSend ? 'on' : 'off'}.`);
      config.reload();
      preview.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="org-title">
      <h1 id="org-title">Organization settings — {org}</h1>
      <StatusText>{status}</StatusText>
      <ErrorText error={error ?? config.error ?? preview.error} />
      <div className="panel switch-row">
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-describedby="rds-explain"
          className="switch"
          disabled={!canManage || !config.data}
          onClick={() => (on ? void apply(false) : setConfirming(true))}
        >
          Reject Direct Send
          <span className="switch-state">{on ? 'On' : 'Off'}</span>
        </button>
        <p id="rds-explain">
          Refuses (550 5.7.68) mail whose envelope sender is one of your accepted domains when it came through no inbound connector. Mail from your own senders then has to
          come through a connector: create one for each sender below first.
        </p>
        {confirming && (
          <div role="alertdialog" aria-labelledby="rds-confirm" className="confirm">
            <p id="rds-confirm">
              Turn on Reject Direct Send? {refusedCount === null ? 'The impact preview has not loaded.' : `${refusedCount} sender${refusedCount === 1 ? '' : 's'} seen in the last 30 days would be refused.`}
            </p>
            <button type="button" className="danger" onClick={() => void apply(true)} autoFocus>
              Turn on
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        )}
      </div>
      {preview.loading && <StatusText>Loading the impact preview…</StatusText>}
      {preview.data && (
        <DirectSendPreview
          org={org}
          preview={preview.data}
          onChanged={(message) => {
            setStatus(message);
            preview.reload();
          }}
        />
      )}
    </section>
  );
}
