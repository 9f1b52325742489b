// "Test this rule": POST /simulate runs the whole decision path for a made-up message and shows
// what Postern would do with it, and why.
import { useState, type FormEvent } from 'react';
import { simulate, type SimulationResult } from '../api';
import { FormError, TextField } from './Field';
import { formatValue, splitList } from './format';

const FIELDS = ['ClientIP', 'MailFrom', 'Recipients', 'Subject'];

export function RuleTestPanel({ org }: { org: string }) {
  const [values, setValues] = useState({ ClientIP: '', MailFrom: '', Recipients: '', Subject: '' });
  const [result, setResult] = useState<SimulationResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const set = (name: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [name]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await simulate(org, { ClientIP: values.ClientIP.trim(), MailFrom: values.MailFrom.trim(), Recipients: splitList(values.Recipients), Subject: values.Subject || undefined }));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="Test the rules">
      <h2>Test the rules with a message</h2>
      <div className="grid">
        <TextField label="Client IP" name="ClientIP" value={values.ClientIP} onChange={set('ClientIP')} error={error} required />
        <TextField label="Mail from" name="MailFrom" value={values.MailFrom} onChange={set('MailFrom')} error={error} required />
        <TextField label="Recipients" name="Recipients" value={values.Recipients} onChange={set('Recipients')} error={error} hint="Comma-separated" required />
        <TextField label="Subject" name="Subject" value={values.Subject} onChange={set('Subject')} error={error} />
      </div>
      <FormError error={error} fields={FIELDS} />
      <div className="actions">
        <button type="submit">Test</button>
      </div>
      <div aria-live="polite">
        {result && (
          <dl className="decision" aria-label="Decision">
            {Object.entries(result).map(([key, value]) => (
              <div key={key}>
                <dt>{key}</dt>
                <dd>
                  {Array.isArray(value) && value.length > 1 ? (
                    <ul className="plain">
                      {value.map((item, i) => (
                        <li key={i}>{formatValue(item)}</li>
                      ))}
                    </ul>
                  ) : (
                    formatValue(value)
                  )}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    </form>
  );
}
