// New-/Set-InboundConnector as a form. Lists are typed one per line (or comma-separated).
import { useState, type FormEvent } from 'react';
import type { InboundConnector, InboundConnectorSettings } from '../api';
import { CheckboxField, FormError, SelectField, TextField } from './Field';
import { joinList, splitList } from './format';

const FIELDS = ['Name', 'ConnectorType', 'SenderIPAddresses', 'SenderDomains', 'RestrictDomainsToIPAddresses', 'RequireTls', 'RestrictDomainsToCertificate', 'TlsSenderCertificateName', 'Enabled', 'Comment'] as const;

interface Draft {
  Name: string;
  ConnectorType: string;
  SenderIPAddresses: string;
  SenderDomains: string;
  RestrictDomainsToIPAddresses: boolean;
  RequireTls: boolean;
  RestrictDomainsToCertificate: boolean;
  TlsSenderCertificateName: string;
  Enabled: boolean;
  Comment: string;
}

function draftOf(connector?: InboundConnector): Draft {
  return {
    Name: connector?.Name ?? '',
    ConnectorType: connector?.ConnectorType ?? 'Partner',
    SenderIPAddresses: joinList(connector?.SenderIPAddresses),
    SenderDomains: joinList(connector?.SenderDomains),
    RestrictDomainsToIPAddresses: connector?.RestrictDomainsToIPAddresses ?? false,
    RequireTls: connector?.RequireTls ?? false,
    RestrictDomainsToCertificate: connector?.RestrictDomainsToCertificate ?? false,
    TlsSenderCertificateName: connector?.TlsSenderCertificateName ?? '',
    Enabled: connector?.Enabled ?? true,
    Comment: connector?.Comment ?? '',
  };
}

function settingsOf(draft: Draft): Partial<InboundConnectorSettings> {
  return {
    Name: draft.Name.trim(),
    ConnectorType: draft.ConnectorType as InboundConnectorSettings['ConnectorType'],
    SenderIPAddresses: splitList(draft.SenderIPAddresses),
    SenderDomains: splitList(draft.SenderDomains),
    RestrictDomainsToIPAddresses: draft.RestrictDomainsToIPAddresses,
    RequireTls: draft.RequireTls,
    RestrictDomainsToCertificate: draft.RestrictDomainsToCertificate,
    TlsSenderCertificateName: draft.TlsSenderCertificateName.trim() || null,
    Enabled: draft.Enabled,
    Comment: draft.Comment.trim() || null,
  };
}

/**
 * What to send: a new connector gets the settings that are set (a null is the cmdlet's default
 * anyway, and New-InboundConnector refuses an empty certificate name); an edit sends only what
 * changed, like Set-InboundConnector with just those parameters.
 */
export function changedSettings(settings: Partial<InboundConnectorSettings>, original?: InboundConnector): Partial<InboundConnectorSettings> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    const before = original?.[key as keyof InboundConnector];
    if (!original ? value !== null : JSON.stringify(value ?? null) !== JSON.stringify(before ?? (Array.isArray(value) ? [] : null))) out[key] = value;
  }
  return out as Partial<InboundConnectorSettings>;
}

export function ConnectorForm(props: { connector?: InboundConnector; onSave(settings: Partial<InboundConnectorSettings>): Promise<void>; onCancel(): void }) {
  const [draft, setDraft] = useState(() => draftOf(props.connector));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof Draft>(key: K) => (value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSave(changedSettings(settingsOf(draft), props.connector));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const title = props.connector ? `Edit connector ${props.connector.Name}` : 'New inbound connector';
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h2>{title}</h2>
      <div className="grid">
        <TextField label="Name" name="Name" value={draft.Name} onChange={set('Name')} error={error} required />
        <SelectField label="Connector type" name="ConnectorType" value={draft.ConnectorType} options={['Partner', 'OnPremises']} onChange={set('ConnectorType')} error={error} />
        <TextField label="Sender IP addresses" name="SenderIPAddresses" value={draft.SenderIPAddresses} onChange={set('SenderIPAddresses')} error={error} multiline hint="One address or CIDR range per line, e.g. 203.0.113.0/24" />
        <TextField label="Sender domains" name="SenderDomains" value={draft.SenderDomains} onChange={set('SenderDomains')} error={error} multiline hint="One per line; * means any" />
        <TextField label="TLS sender certificate name" name="TlsSenderCertificateName" value={draft.TlsSenderCertificateName} onChange={set('TlsSenderCertificateName')} error={error} />
        <TextField label="Comment" name="Comment" value={draft.Comment} onChange={set('Comment')} error={error} multiline />
      </div>
      <CheckboxField label="Restrict domains to IP addresses (RestrictDomainsToIPAddresses)" name="RestrictDomainsToIPAddresses" checked={draft.RestrictDomainsToIPAddresses} onChange={set('RestrictDomainsToIPAddresses')} error={error} />
      <CheckboxField label="Restrict domains to certificate (RestrictDomainsToCertificate)" name="RestrictDomainsToCertificate" checked={draft.RestrictDomainsToCertificate} onChange={set('RestrictDomainsToCertificate')} error={error} />
      <CheckboxField label="Require TLS" name="RequireTls" checked={draft.RequireTls} onChange={set('RequireTls')} error={error} />
      <CheckboxField label="Enabled" name="Enabled" checked={draft.Enabled} onChange={set('Enabled')} error={error} />
      <FormError error={error} fields={FIELDS} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {props.connector ? 'Save connector' : 'Create connector'}
        </button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
