// Transport rules in priority order: reorder, enable/disable, remove, create, and test.
import { useState } from 'react';
import { getTransportRules, newTransportRule, removeTransportRule, setTransportRule, type TransportRule } from '../api';
import { formatValue } from '../components/format';
import { ErrorText, StatusText } from '../components/Notice';
import { RuleForm } from '../components/RuleForm';
import { isDefaultSetting, RULE_PROPERTIES } from '../components/ruleVocabulary';
import { RuleTestPanel } from '../components/RuleTestPanel';
import { useLoad } from '../components/useLoad';
import { useCanManage, useOrganization } from '../session';
import { DataTable } from '../components/DataTable';

function summary(rule: TransportRule): string[] {
  return Object.entries(rule)
    .filter(([key, value]) => !RULE_PROPERTIES.has(key) && !isDefaultSetting(key, value) && value !== null && value !== false && !(Array.isArray(value) && value.length === 0))
    .map(([key, value]) => `${key}: ${formatValue(value)}`);
}

export function RulesPage() {
  const org = useOrganization();
  const canManage = useCanManage();
  const list = useLoad(() => getTransportRules(org), [org]);
  const [creating, setCreating] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const rules = [...(list.data?.items ?? [])].sort((a, b) => a.Priority - b.Priority);

  async function act(what: () => Promise<unknown>, done: string) {
    setError(null);
    try {
      await what();
      setStatus(done);
      list.reload();
    } catch (e) {
      setError(e);
    }
  }
  // Take the neighbour's place (Set-TransportRule -Priority shifts the others), whatever the gaps.
  const move = (rule: TransportRule, to: TransportRule) =>
    act(() => setTransportRule(org, rule.Identity, { Priority: to.Priority }), `Rule ${rule.Name} moved to priority ${to.Priority}.`);
  const toggle = (rule: TransportRule) => {
    const State = rule.State === 'Enabled' ? 'Disabled' : 'Enabled';
    return act(() => setTransportRule(org, rule.Identity, { State }), `Rule ${rule.Name} ${State.toLowerCase()}.`);
  };
  const remove = (rule: TransportRule) => {
    if (!window.confirm(`Remove the transport rule "${rule.Name}"?`)) return;
    return act(() => removeTransportRule(org, rule.Identity), `Rule ${rule.Name} removed.`);
  };

  return (
    <section aria-labelledby="rules-title">
      <div className="page-head">
        <h1 id="rules-title">Transport rules</h1>
        {canManage && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New rule
          </button>
        )}
      </div>
      <StatusText>{status}</StatusText>
      <ErrorText error={error ?? list.error} />
      {creating && (
        <RuleForm
          onCancel={() => setCreating(false)}
          onSave={async (settings) => {
            await newTransportRule(org, settings);
            setCreating(false);
            setStatus(`Rule ${String(settings.Name)} created.`);
            list.reload();
          }}
        />
      )}
      <DataTable headings={['Priority', 'Name', 'State', 'Mode', 'Conditions, exceptions and actions', canManage && 'Actions']} after={rules.length === 0 && <p>No transport rules.</p>}>
        {rules.map((rule, i) => (
          <tr key={rule.Identity}>
            <td>{rule.Priority}</td>
            <th scope="row">{rule.Name}</th>
            <td>{rule.State}</td>
            <td>{rule.Mode}</td>
            <td>
              <ul className="plain">
                {summary(rule).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </td>
            {canManage && (
              <td className="row-actions">
                <button type="button" disabled={i === 0} onClick={() => void move(rule, rules[i - 1])} aria-label={`Move ${rule.Name} up`}>
                  Up
                </button>
                <button type="button" disabled={i === rules.length - 1} onClick={() => void move(rule, rules[i + 1])} aria-label={`Move ${rule.Name} down`}>
                  Down
                </button>
                <button type="button" onClick={() => void toggle(rule)} aria-label={`${rule.State === 'Enabled' ? 'Disable' : 'Enable'} ${rule.Name}`}>
                  {rule.State === 'Enabled' ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="danger" onClick={() => void remove(rule)} aria-label={`Remove ${rule.Name}`}>
                  Remove
                </button>
              </td>
            )}
          </tr>
        ))}
      </DataTable>
      <RuleTestPanel org={org} />
    </section>
  );
}
