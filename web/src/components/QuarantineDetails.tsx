// One quarantined message: its facts and a preview. A text body is shown as text; an HTML body
// only inside a sandboxed iframe with no allow-* flags (no script, no forms, no same origin),
// loaded from the API, which adds its own sandbox CSP.
import { previewQuarantine, quarantineExportUrl, quarantinePreviewHtmlUrl, type QuarantineMessage } from '../api';
import { formatDate, formatValue } from './format';
import { ErrorText, StatusText } from './Notice';
import { useLoad } from './useLoad';

export function QuarantineDetails({ org, message, onClose }: { org: string; message: QuarantineMessage; onClose(): void }) {
  const preview = useLoad(() => previewQuarantine(org, message.Identity), [org, message.Identity]);
  return (
    <section className="panel" aria-labelledby="q-details-title">
      <div className="page-head">
        <h2 id="q-details-title">Message details</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close details
        </button>
      </div>
      <dl className="facts">
        <dt>Subject</dt>
        <dd data-testid="q-detail-subject">{message.Subject}</dd>
        <dt>Sender</dt>
        <dd>{message.SenderAddress}</dd>
        <dt>Recipients</dt>
        <dd>{formatValue(message.RecipientAddress)}</dd>
        <dt>Received</dt>
        <dd>{formatDate(message.ReceivedTime)}</dd>
        <dt>Reason</dt>
        <dd>{formatValue(message.QuarantineTypes ?? message.Type)}{message.PolicyName ? ` — ${message.PolicyName}` : ''}</dd>
        <dt>Release status</dt>
        <dd>{message.ReleaseStatus}</dd>
        <dt>Expires</dt>
        <dd>{formatDate(message.Expires)}</dd>
      </dl>
      <p>
        <a href={quarantineExportUrl(org, message.Identity)} download>
          Download the message (.eml)
        </a>
      </p>
      <h3>Preview</h3>
      <ErrorText error={preview.error} />
      {preview.loading && <StatusText>Loading the preview…</StatusText>}
      {preview.data &&
        (preview.data.IsHtml ? (
          <iframe className="preview" sandbox="" src={quarantinePreviewHtmlUrl(org, message.Identity)} title={`Preview of the HTML body of ${message.Subject}`} />
        ) : (
          <pre className="preview" data-testid="q-preview-text">
            {preview.data.Body}
          </pre>
        ))}
    </section>
  );
}
