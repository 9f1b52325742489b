// Labelled form controls. An API error whose `parameter` names this field is shown under it
// (and the control is marked invalid), so the admin sees what to fix where to fix it.
import { useId, type ReactNode } from 'react';
import { ApiError } from '../api';

/** The field an API error names: its `parameter`, without a list index (SenderIPAddresses.0). */
function parameterOf(error: unknown): string | null {
  return error instanceof ApiError && error.parameter ? error.parameter.split('.')[0].toLowerCase() : null;
}

function errorFor(error: unknown, name: string): string | null {
  return parameterOf(error) === name.toLowerCase() ? (error as ApiError).message : null;
}

interface BaseProps {
  label: string;
  /** The API parameter this control sets (Exchange's name). */
  name: string;
  error?: unknown;
  hint?: ReactNode;
}

function FieldMessages({ id, hint, message }: { id: string; hint?: ReactNode; message: string | null }) {
  return (
    <>
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {message && (
        <small id={`${id}-error`} className="field-error">
          {message}
        </small>
      )}
    </>
  );
}

function describedBy(id: string, hint: ReactNode, message: string | null): string | undefined {
  const ids = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField(props: BaseProps & { value: string; onChange(value: string): void; multiline?: boolean; type?: string; required?: boolean; placeholder?: string }) {
  const id = useId();
  const message = errorFor(props.error, props.name);
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    placeholder: props.placeholder,
    'aria-invalid': message ? true : undefined,
    'aria-describedby': describedBy(id, props.hint, message),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type={props.type ?? 'text'} onChange={(e) => props.onChange(e.target.value)} />
      )}
      <FieldMessages id={id} hint={props.hint} message={message} />
    </div>
  );
}

export function CheckboxField(props: BaseProps & { checked: boolean; onChange(checked: boolean): void }) {
  const id = useId();
  const message = errorFor(props.error, props.name);
  return (
    <div className="field checkbox">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy(id, props.hint, message)}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      <FieldMessages id={id} hint={props.hint} message={message} />
    </div>
  );
}

export function SelectField(props: BaseProps & { value: string; options: readonly string[]; onChange(value: string): void }) {
  const id = useId();
  const message = errorFor(props.error, props.name);
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy(id, props.hint, message)}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option || '(not set)'}
          </option>
        ))}
      </select>
      <FieldMessages id={id} hint={props.hint} message={message} />
    </div>
  );
}

/** An API error that names no field of this form: shown once, above the buttons. */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  const parameter = parameterOf(error);
  if (error instanceof ApiError && parameter && fields.some((f) => f.toLowerCase() === parameter)) {
    return (
      <p role="alert" className="error">
        {`${error.parameter}: see the message under that field.`}
      </p>
    );
  }
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
