// Advanced hunting: KQL over EmailEvents & co. Run with the button or Ctrl+Enter, cancel a long
// query (the fetch is aborted), export the rows as CSV, chart them when the query says `render`.
import { useRef, useState } from 'react';
import { ApiError, hunt, type HuntingResult } from '../api';
import { downloadText, toCsv } from '../components/csv';
import { HuntingChart } from '../components/HuntingChart';
import { KqlEditor, type KqlErrorLocation } from '../components/KqlEditor';
import { ErrorText, StatusText } from '../components/Notice';
import { ResultsGrid } from '../components/ResultsGrid';
import { useOrganization } from '../session';

const STARTER = `EmailEvents
| where Timestamp > ago(30d)
| where EmailDirection == 'Inbound' and Connectors == '' and isnotempty(SenderIPv4)
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, NetworkMessageId, EmailDirection, Connectors, SenderIPv4, SenderIPv6`;

export function HuntingPage() {
  const org = useOrganization();
  const query = useRef(STARTER);
  const running = useRef<AbortController | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<HuntingResult | null>(null);
  const [kqlError, setKqlError] = useState<KqlErrorLocation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');

  async function run() {
    if (running.current) return;
    const controller = new AbortController();
    running.current = controller;
    setBusy(true);
    setError(null);
    setKqlError(null);
    setStatus('Running the query…');
    try {
      const answer = await hunt(org, query.current, controller.signal);
      setResult(answer);
      setStatus(`${answer.rows.length} row${answer.rows.length === 1 ? '' : 's'} in ${Math.round(answer.elapsedMs)} ms${answer.truncated ? ' (truncated)' : ''}.`);
    } catch (e) {
      if (controller.signal.aborted) setStatus('Query cancelled.');
      else {
        setStatus('');
        setResult(null);
        setError(e);
        if (e instanceof ApiError && e.status === 400) setKqlError(e.body);
      }
    } finally {
      running.current = null;
      setBusy(false);
    }
  }

  function exportCsv() {
    if (!result) return;
    downloadText(`hunting-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, toCsv(result.columns.map((c) => c.name), result.rows));
  }

  return (
    <section aria-labelledby="hunting-title">
      <h1 id="hunting-title">Advanced hunting</h1>
      <p className="hint" id="kql-help">
        Tables: EmailEvents, EmailAttachmentInfo, EmailUrlInfo, EmailPostDeliveryEvents, AdminAuditEvents. Ctrl+Enter runs the query.
      </p>
      <KqlEditor initial={STARTER} label="KQL query" onChange={(text) => (query.current = text)} onRun={() => void run()} error={kqlError} />
      <div className="actions">
        <button type="button" onClick={() => void run()} disabled={busy}>
          Run query
        </button>
        <button type="button" className="secondary" onClick={() => running.current?.abort()} disabled={!busy}>
          Cancel
        </button>
        <button type="button" className="secondary" onClick={exportCsv} disabled={!result || result.rows.length === 0}>
          Export CSV
        </button>
      </div>
      <StatusText>{status}</StatusText>
      <ErrorText error={error} />
      {result?.chart && <HuntingChart chart={result.chart} columns={result.columns} rows={result.rows} />}
      {result && <ResultsGrid columns={result.columns} rows={result.rows} caption="Query results" />}
    </section>
  );
}
