// Metric labels come from the configuration: a deleted organization, connector or rule, or a name
// that was never configured, is one fixed value (the number of series stays bounded).
import { describe, expect, it } from 'vitest';
import { demoOrganization } from '../cli/init.js';
import { compileSnapshot, type ConfigSnapshot } from '../mailflow/snapshot.js';
import { buildRule } from '../rules/index.js';
import { NO_CONNECTOR } from '../mailflow/attribution.js';
import { ConfigLabels, enhancedCodeLabel, UNKNOWN } from './labels.js';

const rule = buildRule({ Name: 'Hold it', Quarantine: true, Priority: 0 });
const org = { ...demoOrganization(), InboundConnectors: [{ Name: 'Partner', ConnectorType: 'Partner', SenderDomains: ['fabrikam.com'], SenderIPAddresses: ['192.0.2.1'] }] as any, TransportRules: [rule] };

describe('ConfigLabels', () => {
  let snapshot: ConfigSnapshot = compileSnapshot(1, [org]);
  const labels = new ConfigLabels(() => snapshot);

  it('names what is configured, and no connector as NoConnector', () => {
    expect(labels.organization(org.Guid)).toBe('Contoso');
    expect(labels.connector(org.Guid, 'Partner')).toBe('Partner');
    expect(labels.connector(org.Guid, '')).toBe(NO_CONNECTOR);
    expect(labels.rule(org.Guid, rule.Guid)).toBe('Hold it');
  });

  it('maps anything not configured, or deleted since, to unknown', () => {
    expect(labels.connector(org.Guid, 'made-up by a client')).toBe(UNKNOWN);
    expect(labels.rule(org.Guid, '00000000-0000-0000-0000-000000000000')).toBe(UNKNOWN);
    snapshot = compileSnapshot(2, [{ ...org, InboundConnectors: [], TransportRules: [] }]);
    expect(labels.connector(org.Guid, 'Partner')).toBe(UNKNOWN);
    expect(labels.rule(org.Guid, rule.Guid)).toBe(UNKNOWN);
    snapshot = compileSnapshot(3, []);
    expect(labels.organization(org.Guid)).toBe(UNKNOWN);
  });

  it('keeps only well-formed enhanced status codes', () => {
    expect(enhancedCodeLabel('5.7.68')).toBe('5.7.68');
    expect(enhancedCodeLabel('')).toBe('none');
    expect(enhancedCodeLabel('5.7.68 and more')).toBe('none');
  });
});
