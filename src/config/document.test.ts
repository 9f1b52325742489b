import { describe, expect, it } from 'vitest';
import { ConfigDocumentError, parseConfig, serializeConfig } from './document.js';

const valid = `organizations:
  - Name: Contoso
    Guid: 7b0f8d5e-6a43-4c1f-9a0e-1f1a2b3c4d5e
    AcceptedDomains:
      - DomainName: Contoso.COM
    Delivery:
      kind: maildir
      path: maildir
`;

describe('configuration document', () => {
  it('round-trips through serialize and parse, normalising as it goes', () => {
    const doc = parseConfig(valid);
    expect(doc.organizations[0].AcceptedDomains[0]).toEqual({ DomainName: 'contoso.com', DomainType: 'Authoritative', Default: false });
    expect(parseConfig(serializeConfig(doc))).toEqual(doc);
  });

  it('points at the line of a wrong value', () => {
    const bad = valid.replace('kind: maildir', 'kind: carrier-pigeon');
    const err = (() => {
      try {
        parseConfig(bad, 'orgs.yaml');
      } catch (e) {
        return e as ConfigDocumentError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigDocumentError);
    expect(err!.problems.join('\n')).toMatch(/^orgs\.yaml:7:\d+: organizations\.0\.Delivery/m);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('organizations:\n  - Name: [unclosed\n', 'x.yaml')).toThrow(/x\.yaml:\d+:\d+/);
  });

  it('refuses a missing required field, naming it', () => {
    expect(() => parseConfig(valid.replace(/ {4}Guid: .*\n/, ''), 'o.yaml')).toThrow(/organizations\.0\.Guid/);
  });
});
