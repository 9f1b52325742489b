// New-TransportRule as a form: conditions, exceptions (ExceptIf…) and actions by Exchange's
// parameter names; the label says what each one means, the parameter name stays visible.
import { useState, type FormEvent } from 'react';
import { CheckboxField, FormError, SelectField, TextField } from './Field';
import { ACTIONS, ALL_PARAMETERS, CONDITIONS, EXCEPTIONS, ruleParameters, type RuleParameter, type RuleValues } from './ruleVocabulary';

const PROPERTY_FIELDS = ['Name', 'Mode', 'Comments', 'Enabled', 'Priority'];
const FIELDS = [...PROPERTY_FIELDS, ...ALL_PARAMETERS.map((p) => p.name)];

function ParameterField({ parameter, values, set, error }: { parameter: RuleParameter; values: RuleValues; set(name: string, value: string | boolean): void; error: unknown }) {
  const label = `${parameter.label} (${parameter.name})`;
  const value = values[parameter.name];
  const common = { label, name: parameter.name, error, hint: parameter.hint };
  if (parameter.kind === 'bool') return <CheckboxField {...common} checked={value === true} onChange={(v) => set(parameter.name, v)} />;
  if (parameter.kind === 'choice') return <SelectField {...common} value={String(value ?? '')} options={parameter.choices ?? []} onChange={(v) => set(parameter.name, v)} />;
  return (
    <TextField {...common} value={String(value ?? '')} multiline={parameter.kind === 'list'} type={parameter.kind === 'number' ? 'number' : 'text'} onChange={(v) => set(parameter.name, v)} />
  );
}

function ParameterGroup({ legend, parameters, ...rest }: { legend: string; parameters: readonly RuleParameter[]; values: RuleValues; set(name: string, value: string | boolean): void; error: unknown }) {
  return (
    <fieldset className="grid">
      <legend>{legend}</legend>
      {parameters.map((p) => (
        <ParameterField key={p.name} parameter={p} {...rest} />
      ))}
    </fieldset>
  );
}

export function RuleForm(props: { onSave(settings: Record<string, unknown>): Promise<void>; onCancel(): void }) {
  const [values, setValues] = useState<RuleValues>({ Name: '', Mode: 'Enforce', Comments: '', Enabled: true, Priority: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const settings: Record<string, unknown> = { Name: String(values.Name).trim(), Mode: values.Mode, Enabled: values.Enabled === true, ...ruleParameters(values) };
    if (String(values.Comments).trim()) settings.Comments = String(values.Comments).trim();
    if (String(values.Priority).trim()) settings.Priority = Number(values.Priority);
    try {
      await props.onSave(settings);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="New transport rule">
      <h2>New transport rule</h2>
      <div className="grid">
        <TextField label="Name" name="Name" value={String(values.Name)} onChange={(v) => set('Name', v)} error={error} required />
        <SelectField label="Mode" name="Mode" value={String(values.Mode)} options={['Enforce', 'Audit', 'AuditAndNotify']} onChange={(v) => set('Mode', v)} error={error} />
        <TextField label="Priority" name="Priority" type="number" value={String(values.Priority)} onChange={(v) => set('Priority', v)} error={error} hint="0 is first; empty puts the rule last" />
        <TextField label="Comments" name="Comments" value={String(values.Comments)} onChange={(v) => set('Comments', v)} error={error} multiline />
      </div>
      <CheckboxField label="Enabled" name="Enabled" checked={values.Enabled === true} onChange={(v) => set('Enabled', v)} error={error} />
      <p className="hint">Apply this rule if… (no condition: to all messages)</p>
      <ParameterGroup legend="Conditions" parameters={CONDITIONS} values={values} set={set} error={error} />
      <ParameterGroup legend="Exceptions" parameters={EXCEPTIONS} values={values} set={set} error={error} />
      <ParameterGroup legend="Actions" parameters={ACTIONS} values={values} set={set} error={error} />
      <FormError error={error} fields={FIELDS} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Create rule
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
